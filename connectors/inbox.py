"""Inbound messages that are acknowledged at once and answered in the background, losing none.

A platform (Telegram, Bale, the SMS provider) wants a quick 200 and then stops retrying, so an
update is answered after the acknowledgement. It is written to the store's inbox first, in the
same transaction that marks its id as seen, and removed once handled. If the gateway dies in
between, a sweep (at start and then periodically, in whichever replica runs it) hands every
message left unhandled for a while to the channel again.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from connectors.store import Store

logger = logging.getLogger(__name__)

Handler = Callable[[dict[str, Any]], Awaitable[None]]


class Inbox:
    """One channel's accepted messages: deduplicated, kept until handled, replayed after a crash."""

    def __init__(
        self,
        store: Store,
        channel: str,
        handle: Handler,
        replay_after_s: float,
        sweep_every_s: float,
        max_attempts: int = 3,
    ) -> None:
        self.store = store
        self.channel = channel
        self.handle = handle
        self.replay_after_s = replay_after_s
        self.sweep_every_s = sweep_every_s
        self.max_attempts = max_attempts
        self._tasks: set[asyncio.Task[None]] = set()
        self._sweeper: asyncio.Task[None] | None = None

    async def accept(self, key: str, payload: dict[str, Any]) -> bool:
        """Keep and start handling one message; False if ``key`` was taken before (a retry)."""
        body = json.dumps(payload, ensure_ascii=False)
        if not await self.store.run(self.store.first_seen, self.channel, key, body):
            return False
        self._spawn(key, payload)
        return True

    def start(self) -> None:
        """Start the periodic sweep for messages left unhandled."""
        if self._sweeper is None:
            self._sweeper = asyncio.create_task(self._sweep_forever())

    async def stop(self, timeout: float) -> None:
        """Stop sweeping and give in-flight messages ``timeout`` seconds; the rest stay kept."""
        if self._sweeper is not None:
            self._sweeper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._sweeper
            self._sweeper = None
        if self._tasks:
            await asyncio.wait(list(self._tasks), timeout=timeout)

    async def drain(self) -> None:
        """Wait until every accepted message has been handled (tests and benchmarks)."""
        while self._tasks:
            await asyncio.wait(list(self._tasks))

    async def sweep(self) -> int:
        """Hand the messages left unhandled for ``replay_after_s`` to the channel again."""
        claimed = await self.store.run(
            self.store.claim_unhandled, self.channel, self.replay_after_s, self.max_attempts
        )
        for key, body in claimed:
            logger.warning("%s: answering message %s, left unanswered before", self.channel, key)
            self._spawn(key, json.loads(body))
        return len(claimed)

    def _spawn(self, key: str, payload: dict[str, Any]) -> None:
        task = asyncio.create_task(self._run(key, payload))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _run(self, key: str, payload: dict[str, Any]) -> None:
        try:
            await self.handle(payload)
        except asyncio.CancelledError:
            raise  # cut off at shutdown: not handled, so it stays in the inbox for the sweep
        except Exception:
            logger.exception("%s: message %s failed", self.channel, key)
        # Handled, or failed in a way a replay would repeat: either way it is done.
        await self.store.run(self.store.inbox_done, self.channel, key)

    async def _sweep_forever(self) -> None:
        while True:
            try:
                await self.sweep()
            except Exception:
                logger.exception("%s: the inbox sweep failed", self.channel)
            await asyncio.sleep(self.sweep_every_s)
