"""The SMS channel: inbound messages to the assistant, replies and notifications out."""

from __future__ import annotations

import asyncio
import logging

from connectors.channel import DeliveryFailed, strip_namespace
from connectors.conversation import Conversation
from connectors.messages import Reply
from connectors.render import reply_text
from connectors.sms import segments
from connectors.sms.options import choice, numbered
from connectors.sms.provider import InboundSms, SmsProvider
from connectors.store import Store
from connectors.texts import Texts
from nlu.digits import only_digits
from nlu.identifiers import mask_mobile, normalize_mobile

logger = logging.getLogger(__name__)


def citizen_number(raw: str) -> str:
    """A sender's number as ``09…`` when it is an Iranian mobile, else its digits."""
    return normalize_mobile(raw) or only_digits(raw)


class SmsChannel:
    """Relays SMS to the assistant; replies are one (multi-part) SMS per turn, capped in parts."""

    name = "sms"

    def __init__(
        self,
        provider: SmsProvider,
        texts: Texts,
        store: Store,
        conversation: Conversation,
        max_parts: int,
        max_chars: int,
    ) -> None:
        self.provider = provider
        self.texts = texts
        self.store = store
        self.conversation = conversation
        self.max_parts = max_parts
        self.max_chars = max_chars
        self._tasks: set[asyncio.Task[None]] = set()

    async def start(self) -> None:
        """Nothing to start: the provider calls the inbound webhook."""

    async def stop(self) -> None:
        """Let in-flight messages finish (up to 10 s) and close the provider's connections."""
        if self._tasks:
            await asyncio.wait(list(self._tasks), timeout=10)
        await self.provider.aclose()

    async def drain(self) -> None:
        """Wait until every accepted message has been answered (tests and benchmarks)."""
        while self._tasks:
            await asyncio.wait(list(self._tasks))

    async def accept(self, sms: InboundSms) -> bool:
        """Take one inbound SMS; False if this message id was already taken (a retry)."""
        if not await self.store.run(self.store.first_seen, self.name, sms.message_id):
            logger.info("sms %s already handled", sms.message_id)
            return False
        task = asyncio.create_task(self._handle(sms))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return True

    async def _handle(self, sms: InboundSms) -> None:
        number = citizen_number(sms.sender)
        sender = f"{self.name}:{number}"
        try:
            async with self.conversation.hold(sender):
                await self._answer(number, sender, sms.text.strip()[: self.max_chars])
        except DeliveryFailed as exc:
            logger.warning("sms reply to %s not delivered: %s", mask_mobile(number), exc)
        except Exception:
            logger.exception("sms from %s failed", mask_mobile(number))

    async def _answer(self, number: str, sender: str, text: str) -> None:
        if not text:
            await self.provider.send(number, self.texts.get("gateway.empty_message"))
            return
        remembered = await self.store.run(self.store.get_options, sender)
        message = choice(text, remembered) or text
        answer = await self.conversation.ask(sender, message, {"channel": self.name})
        body, offered = self.render(answer.replies)
        await self.store.run(self.store.set_options, sender, offered)
        if body:
            await self.provider.send(number, body)

    def render(self, replies: list[Reply]) -> tuple[str, list[dict[str, str]]]:
        """One SMS for a turn's replies (options numbered) and the options to remember."""
        blocks: list[str] = []
        offered: list[dict[str, str]] = []
        for reply in replies:
            text = reply_text(reply, self.texts)
            if reply.buttons:
                lines, offered = numbered(reply.buttons, self.texts)
                text = f"{text}\n{lines}" if text else lines
            if text:
                blocks.append(text)
        body = "\n\n".join(blocks)
        return segments.fit(body, self.max_parts, self.texts.get("sms.truncated")), offered

    async def notify(self, recipient: str, text: str, outbox_id: int) -> None:
        """Deliver one outbox notification (the provider drops a repeat of the same outbox id)."""
        number = citizen_number(strip_namespace(self.name, recipient))
        if not number:
            raise DeliveryFailed("no mobile number", permanent=True)
        body = segments.fit(text, self.max_parts, self.texts.get("sms.truncated"))
        await self.provider.send(number, body, local_id=str(outbox_id))
