"""The SMS channel: inbound messages to the assistant, replies and notifications out."""

from __future__ import annotations

import dataclasses
import logging
from typing import Any

from connectors.channel import DeliveryFailed, strip_namespace
from connectors.conversation import Conversation
from connectors.inbox import Inbox
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
        replay_after_s: float = 300.0,
        sweep_every_s: float = 60.0,
    ) -> None:
        self.provider = provider
        self.texts = texts
        self.store = store
        self.conversation = conversation
        self.max_parts = max_parts
        self.max_chars = max_chars
        self.inbox = Inbox(store, self.name, self._handle_kept, replay_after_s, sweep_every_s)

    async def start(self) -> None:
        """The provider calls the inbound webhook; messages a crash left unanswered are swept."""
        self.inbox.start()

    async def stop(self) -> None:
        """Let in-flight messages finish (up to 10 s; the rest stay kept) and close connections."""
        await self.inbox.stop(timeout=10)
        await self.provider.aclose()

    async def drain(self) -> None:
        """Wait until every accepted message has been answered (tests and benchmarks)."""
        await self.inbox.drain()

    async def accept(self, sms: InboundSms) -> bool:
        """Take one inbound SMS; False if this message id was already taken (a retry)."""
        if not await self.inbox.accept(sms.message_id, dataclasses.asdict(sms)):
            logger.info("sms %s already handled", sms.message_id)
            return False
        return True

    async def _handle_kept(self, payload: dict[str, Any]) -> None:
        await self._handle(InboundSms(**payload))

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
        said: list[str] = []
        option_lines: list[str] = []
        offered: list[dict[str, str]] = []
        for reply in replies:
            text = reply_text(reply, self.texts)
            if text:
                said.append(text)
            if reply.buttons:
                lines, more = numbered(reply.buttons, self.texts, start=len(offered))
                offered += more
                option_lines.append(lines)
                text = f"{text}\n{lines}" if text else lines
            if text:
                blocks.append(text)
        body = "\n\n".join(blocks)
        truncated = self.texts.get("sms.truncated")
        if segments.count(body) <= self.max_parts or not option_lines:
            return segments.fit(body, self.max_parts, truncated), offered
        # Too long: the text is cut, never the options the citizen is asked to choose from.
        options = "\n\n" + "\n".join(option_lines)
        return segments.fit("\n\n".join(said), self.max_parts, truncated, options), offered

    async def notify(self, recipient: str, text: str, outbox_id: int) -> None:
        """Deliver one outbox notification (the provider drops a repeat of the same outbox id)."""
        number = citizen_number(strip_namespace(self.name, recipient))
        if not number:
            raise DeliveryFailed("no mobile number", permanent=True)
        body = segments.fit(text, self.max_parts, self.texts.get("sms.truncated"))
        await self.provider.send(number, body, local_id=str(outbox_id))
