"""While a person holds a conversation, the citizen's messages go to them, not to the assistant.

The backend knows which conversations are held (the assistant opens the handoff, staff take and
close it), so each message is offered to it first. When the backend cannot be reached the message
goes to Rasa, where a conversation a person has taken is paused: the assistant stays silent.
"""

from __future__ import annotations

import asyncio
import logging

from backend_client import BackendClient, BackendError
from connectors.messages import Reply
from connectors.texts import Texts
from nlu.digits import to_persian_digits

logger = logging.getLogger(__name__)


class HandoffRouter:
    """Routes held conversations' messages to staff and expires handoffs left waiting."""

    def __init__(self, backend: BackendClient, texts: Texts) -> None:
        self.backend = backend
        self.texts = texts

    async def route(self, sender: str, text: str) -> list[Reply] | None:
        """The replies when a person holds ``sender`` (none once taken); None when nobody does."""
        try:
            routed = await self.backend.route_to_handoff(sender, text)
        except BackendError as exc:
            logger.warning("handoff routing unavailable, the assistant gets the message: %s", exc)
            return None
        if not routed.get("held"):
            return None
        if routed.get("status") == "open":
            position = to_persian_digits(str(routed.get("queue_position") or 1))
            text = self.texts.get("gateway.handoff_waiting", position=position)
            minutes = routed.get("expected_wait_minutes")
            if minutes:
                wait = to_persian_digits(str(minutes))
                text += " " + self.texts.get("gateway.handoff_expected_wait", minutes=wait)
            return [Reply(text=text)]
        return []  # a person is answering; the gateway adds nothing

    async def expire_forever(self, every: float) -> None:
        """Ask the backend, now and then, to hand back conversations that waited too long."""
        while True:
            await asyncio.sleep(every)
            try:
                closed = await self.backend.expire_handoffs()
            except BackendError as exc:
                logger.warning("handoff expiry unavailable: %s", exc)
                continue
            except Exception:
                logger.exception("handoff expiry failed")
                continue
            if closed:
                logger.info("%s handoffs waited too long and were handed back", len(closed))
