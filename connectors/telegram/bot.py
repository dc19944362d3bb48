"""One adapter for every Bot API platform (Telegram, and Bale at another base URL).

Built on python-telegram-bot's ``Application``: fed by our webhook route
(:mod:`connectors.telegram.webhook`, the application has no updater then) or by the library's
``Updater`` (long polling). Its one handler gives each update to :meth:`BotChannel.accept`, which
drops retries (update ids are kept in the store) and handles each update in a background task,
one at a time per chat. Sends go through :class:`~connectors.telegram.limits.ChatRateLimiter`
(global and per-chat limits, ``RetryAfter`` waited out).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable
from typing import Any

from telegram import Update
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TelegramError,
)
from telegram.ext import Application, ApplicationBuilder, ContextTypes, TypeHandler
from telegram.request import BaseRequest, HTTPXRequest

from connectors.attachments import Attacher
from connectors.channel import DeliveryFailed, strip_namespace
from connectors.conversation import Conversation
from connectors.inbox import Inbox
from connectors.messages import Reply
from connectors.settings import BotConfig, GatewaySettings
from connectors.store import Store
from connectors.telegram.keyboards import PAYLOAD_KEY_PREFIX, Markup, render
from connectors.telegram.limits import ChatRateLimiter
from connectors.telegram.polling import ReadableUpdatesRequest
from connectors.telegram.updates import ALLOWED_UPDATES, Inbound, classify, readable
from connectors.texts import Texts
from nlu.identifiers import normalize_mobile

logger = logging.getLogger(__name__)

TYPING_AFTER = 0.8  # seconds the assistant may think before the chat shows "typing…"
NOTICES = {
    "sticker": "bot.sticker",
    "voice": "bot.voice",
    "location": "bot.location",
    "edited": "bot.edited",
    "unsupported": "bot.unsupported",
}


def build_application(
    config: BotConfig,
    settings: GatewaySettings,
    request: BaseRequest | None = None,
) -> Application[Any, Any, Any, Any, Any, Any]:
    """python-telegram-bot's Application for one bot: an Updater only in polling mode."""
    builder = (
        ApplicationBuilder()
        .token(config.token)
        .base_url(config.base_url)
        .base_file_url(config.file_url)
        # small pool: httpx checks every pooled connection on each request, and the rate limits
        # keep the number of sends in flight low anyway
        .request(request or HTTPXRequest(connection_pool_size=16, read_timeout=20, pool_timeout=30))
        .rate_limiter(
            ChatRateLimiter(
                settings.bot_global_rate,
                settings.bot_chat_rate,
                settings.bot_chat_burst,
                settings.bot_max_retries,
            )
        )
    )
    if config.mode != "polling":
        return builder.updater(None).build()
    # the library adds the long poll's own timeout to this read timeout
    updates = ReadableUpdatesRequest(connection_pool_size=2, read_timeout=15)
    return builder.get_updates_request(updates).build()


class BotChannel:
    """A Telegram-style bot: relays chats to the assistant and delivers notifications."""

    def __init__(
        self,
        config: BotConfig,
        settings: GatewaySettings,
        texts: Texts,
        store: Store,
        conversation: Conversation,
        attacher: Attacher,
        request: BaseRequest | None = None,
        poll_timeout: int = 25,
    ) -> None:
        self.config = config
        self.name = config.channel
        self.texts = texts
        self.store = store
        self.conversation = conversation
        self.attacher = attacher
        self.max_retries = settings.bot_max_retries
        self.max_message_chars = settings.max_message_chars
        self.poll_timeout = poll_timeout
        self.application = build_application(config, settings, request)
        self.application.add_handler(TypeHandler(Update, self._take))
        self.bot = self.application.bot
        self.status = "starting"
        self.inbox = Inbox(
            store, self.name, self._handle, settings.inbox_replay_after_s, settings.inbox_sweep_s
        )
        self._starter: asyncio.Task[None] | None = None

    # --- life cycle ---
    async def start(self) -> None:
        """Connect in the background (retrying), then register the webhook or start polling."""
        self._starter = asyncio.create_task(self._start_when_reachable())

    async def _start_when_reachable(self) -> None:
        delay = 1.0
        while True:
            try:
                await self._connect()
                self.status = "ok"
                self.inbox.start()  # replays need the platform: sweep only once it answers
                return
            except InvalidToken:
                self.status = "invalid token"
                logger.error("%s: the bot token was refused; the channel stays off", self.name)
                return
            except (TelegramError, OSError) as exc:
                self.status = "down"
                logger.warning(
                    "%s: cannot reach the Bot API (%s); retrying in %.0fs",
                    self.name,
                    exc.__class__.__name__,
                    delay,
                )
            await asyncio.sleep(delay)
            delay = min(delay * 2, 300.0)

    async def _connect(self) -> None:
        await self.application.initialize()  # getMe: checks the token
        if not self.application.running:  # a retry after a failed setWebhook
            await self.application.start()
        if self.application.updater is not None:
            # start_polling deletes a registered webhook first; pending updates are kept
            await self.application.updater.start_polling(
                timeout=self.poll_timeout, allowed_updates=ALLOWED_UPDATES
            )
            logger.info("%s: long polling started", self.name)
            return
        url = self.config.public_url + self.config.webhook_path
        try:
            await self.bot.set_webhook(
                url, secret_token=self.config.secret, allowed_updates=ALLOWED_UPDATES
            )
        except BadRequest as exc:
            # A platform that does not know secret tokens: the secret path still protects us.
            logger.warning("%s: setWebhook with a secret token refused (%s)", self.name, exc)
            await self.bot.set_webhook(url, allowed_updates=ALLOWED_UPDATES)
        logger.info("%s: webhook registered", self.name)

    async def stop(self) -> None:
        """Stop receiving, let in-flight updates finish (up to 10 s), close the connections."""
        if self._starter is not None and not self._starter.done():
            self._starter.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._starter
        application = self.application
        if application.updater is not None and application.updater.running:
            await application.updater.stop()  # an in-flight getUpdates is abandoned
        if application.running:
            await application.stop()
        await self.inbox.stop(timeout=10)  # what is still unanswered stays kept for the sweep
        with contextlib.suppress(Exception):
            await application.shutdown()

    async def drain(self) -> None:
        """Wait until every accepted update has been handled (for tests and benchmarks)."""
        await self.inbox.drain()

    # --- inbound ---
    async def feed(self, data: dict[str, Any]) -> None:
        """One update from our webhook route, handed to the application like a polled one."""
        update = Update.de_json(readable(data), self.bot)
        # awaited, not queued: the platform gets its 200 once the update is in the inbox
        await self.application.process_update(update)

    async def _take(self, update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
        await self.accept(update.to_dict())

    async def accept(self, data: dict[str, Any]) -> bool:
        """Take one update (webhook or polling); False if it is a retry already taken."""
        update_id = data.get("update_id")
        if not isinstance(update_id, int):
            return False
        if not await self.inbox.accept(str(update_id), data):
            logger.info("%s: update %s already handled", self.name, update_id)
            return False
        return True

    async def _handle(self, data: dict[str, Any]) -> None:
        inbound = classify(Update.de_json(readable(data), self.bot))
        if inbound.kind == "ignore":
            return
        sender = f"{self.name}:{inbound.chat_id}"
        try:
            async with self.conversation.hold(sender):
                await self._dispatch(inbound, sender)
        except DeliveryFailed as exc:
            logger.warning("%s: a reply could not be delivered: %s", self.name, exc)
        except Exception:
            logger.exception("%s: an update failed", self.name)

    async def _dispatch(self, inbound: Inbound, sender: str) -> None:
        chat = inbound.chat_id
        if inbound.kind == "callback":
            await self._quietly(self.bot.answer_callback_query(inbound.callback_id))
            payload: str | None = inbound.text
            if inbound.text.startswith(PAYLOAD_KEY_PREFIX):
                payload = await self.store.run(self.store.get_payload, inbound.text)
            if not payload:
                await self._say(chat, self.texts.get("bot.option_expired"))
                return
            await self._relay(chat, sender, payload)
        elif inbound.kind == "text":
            if not inbound.text:
                return
            if len(inbound.text) > self.max_message_chars:
                # as on the web: ask for a shorter message rather than cut it unseen
                limit = self.max_message_chars
                await self._say(chat, self.texts.get("gateway.message_too_long", limit=limit))
                return
            await self._relay(chat, sender, await self._chosen(sender, inbound.text))
        elif inbound.kind == "contact":
            if not inbound.own_contact:
                await self._say(chat, self.texts.get("bot.contact_not_own"))
                return
            mobile = normalize_mobile(inbound.text) or inbound.text
            await self._relay(chat, sender, mobile, {"contact_verified": True})
        elif inbound.kind == "file":
            await self._attach(chat, sender, inbound)
        else:
            await self._say(chat, self.texts.get(NOTICES[inbound.kind]))

    async def _chosen(self, sender: str, text: str) -> str:
        """A reply-keyboard choice becomes its payload; other text goes as it is."""
        for option in await self.store.run(self.store.get_options, sender):
            if option.get("payload") and option.get("title") == text:
                return option["payload"]
        return text

    async def _relay(
        self, chat: int, sender: str, text: str, extra: dict[str, Any] | None = None
    ) -> None:
        typing = asyncio.create_task(self._typing_later(chat))
        try:
            answer = await self.conversation.ask(
                sender, text, {"channel": self.name, **(extra or {})}
            )
        finally:
            typing.cancel()
        await self.send_replies(chat, sender, answer.replies)

    async def _typing_later(self, chat: int) -> None:
        await asyncio.sleep(TYPING_AFTER)
        # once on its way, the call is not cut off when the answer arrives
        await asyncio.shield(self._quietly(self.bot.send_chat_action(chat, "typing")))

    async def _attach(self, chat: int, sender: str, inbound: Inbound) -> None:
        proof = await self.store.run(self.store.get_proof, sender, None)
        if proof is None or not proof.accepts_attachments:
            await self._say(chat, self.texts.get("upload.no_request"))
            return
        if inbound.file_size > self.attacher.max_bytes:
            await self._say(chat, self.attacher.too_large().message)
            return
        if inbound.mime_type not in self.attacher.allowed:
            await self._say(chat, self.texts.get("upload.bad_type"))
            return
        try:
            remote = await self.bot.get_file(inbound.file_id)
            content = bytes(await remote.download_as_bytearray())
        except TelegramError as exc:
            logger.warning("%s: a file could not be downloaded: %s", self.name, exc)
            await self._say(chat, self.texts.get("upload.failed"))
            return
        outcome = await self.attacher.attach(proof, inbound.file_name, content)
        await self._say(chat, outcome.message)

    # --- outbound ---
    async def send_replies(self, chat: int, sender: str, replies: list[Reply]) -> None:
        """Render and send the assistant's replies to one chat."""
        had = bool(await self.store.run(self.store.get_options, sender))
        rendered = render(replies, self.texts, self.config.keyboard, had)
        for key, payload in rendered.payloads.items():
            await self.store.run(self.store.put_payload, key, payload)
        if rendered.options is not None:
            await self.store.run(self.store.set_options, sender, rendered.options)
        for message in rendered.messages:
            await self.send(chat, message.text, message.markup)

    async def _say(self, chat: int, text: str) -> None:
        await self.send(chat, text)

    async def send(self, chat: int | str, text: str, markup: Markup | None = None) -> None:
        """Send one message within the rate limits (the limiter waits out RetryAfter up to
        ``bot_max_retries`` times), else DeliveryFailed."""
        attempt = 0
        while True:
            try:
                await self.bot.send_message(chat, text, reply_markup=markup)
                return
            except RetryAfter as exc:
                raise DeliveryFailed(f"flood control: {exc.message}") from exc
            except Forbidden as exc:
                raise DeliveryFailed(f"forbidden: {exc.message}", permanent=True) from exc
            except ChatMigrated as exc:
                raise DeliveryFailed("chat migrated", permanent=True) from exc
            except BadRequest as exc:
                if markup is None:
                    raise DeliveryFailed(f"bad request: {exc.message}", permanent=True) from exc
                # The platform refused the keyboard (Bale may not know every kind): send plain text.
                logger.warning("%s: keyboard refused (%s); sending text only", self.name, exc)
                markup = None
                continue
            except (NetworkError, TelegramError) as exc:
                if attempt >= self.max_retries:
                    raise DeliveryFailed(f"{exc.__class__.__name__}: {exc.message}") from exc
                await asyncio.sleep(min(2.0**attempt, 10.0))
            attempt += 1

    async def notify(self, recipient: str, text: str, outbox_id: int) -> None:
        """Deliver one outbox notification to ``telegram:<chat_id>`` / ``bale:<chat_id>``."""
        chat = strip_namespace(self.name, recipient)
        if not chat.lstrip("-").isdigit():
            raise DeliveryFailed("not a chat id", permanent=True)
        await self.send(int(chat), text)

    async def _quietly(self, call: Awaitable[Any]) -> None:
        try:
            await call
        except TelegramError as exc:
            logger.debug("%s: best-effort call failed: %s", self.name, exc)
