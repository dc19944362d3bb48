"""Relaying one citizen's message to the assistant, the same way for every channel."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from connectors.messages import Reply, parse_rasa
from connectors.rasa_client import RasaClient, RasaUnavailable
from connectors.store import Store
from connectors.texts import Texts

if TYPE_CHECKING:
    from connectors.handoff import HandoffRouter

logger = logging.getLogger(__name__)


class KeyedLock:
    """One FIFO lock per key, forgotten when nobody holds or waits for it."""

    def __init__(self) -> None:
        self._locks: dict[str, tuple[asyncio.Lock, int]] = {}

    @asynccontextmanager
    async def hold(self, key: str) -> AsyncIterator[None]:
        """Hold the lock of ``key``."""
        lock, users = self._locks.get(key, (asyncio.Lock(), 0))
        self._locks[key] = (lock, users + 1)
        try:
            async with lock:
                yield
        finally:
            lock, users = self._locks[key]
            if users <= 1:
                del self._locks[key]
            else:
                self._locks[key] = (lock, users - 1)


@dataclass
class Answer:
    """The assistant's replies to one message, and whether the assistant was reachable."""

    replies: list[Reply]
    available: bool = True


class Conversation:
    """Sends messages to Rasa's REST channel one at a time per sender, keeps request proofs."""

    def __init__(self, rasa: RasaClient, store: Store, texts: Texts, concurrency: int) -> None:
        self.rasa = rasa
        self.store = store
        self.texts = texts
        self._senders = KeyedLock()
        self._slots = asyncio.Semaphore(concurrency)
        self.handoffs: HandoffRouter | None = None  # set when the backend is known

    def hold(self, sender: str) -> Any:
        """Keep other messages of ``sender`` waiting (for work around one message)."""
        return self._senders.hold(sender)

    async def ask(self, sender: str, text: str, metadata: dict[str, Any]) -> Answer:
        """Relay one message (to the person holding the conversation, if anyone does);
        an apology reply when the assistant is unreachable."""
        if self.handoffs is not None:
            held = await self.handoffs.route(sender, text)
            if held is not None:
                return Answer(held)
        async with self._slots:
            try:
                raw = await self.rasa.send(sender, text, metadata)
            except RasaUnavailable as exc:
                logger.warning(
                    "Rasa unavailable for a %s message: %s", metadata.get("channel"), exc
                )
                return Answer([Reply(text=self.texts.get("gateway.assistant_unavailable"))], False)
        parsed = parse_rasa(raw, self.texts.section("status"))
        for proof in parsed.proofs:
            await self.store.run(self.store.save_proof, sender, proof)
        return Answer(parsed.replies)
