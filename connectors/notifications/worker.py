"""Claims outbox messages per channel from the backend and delivers them.

At least once: a message is acknowledged (``/sent``) only after its channel delivered it, and a
lease that runs out (the gateway died mid-way) hands it out again. Never twice to the citizen: each
delivered outbox id is recorded on the gateway side first, so a message handed out again is only
acknowledged. A channel that is down gets ``/failed`` (the backend schedules the retry) and its
loop backs off exponentially; the rest of its batch waits for the lease to end. A delivery the
channel says can never succeed (blocked bot, unknown chat, invalid number) is reported
``permanent``: the backend gives it up at once and the loop goes on with the next message.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

from backend_client import BackendClient, BackendError
from connectors.channel import Channel, DeliveryFailed
from connectors.store import Store

logger = logging.getLogger(__name__)


class OutboxWorker:
    """One delivery loop per channel."""

    def __init__(
        self,
        backend: BackendClient,
        channels: list[Channel],
        store: Store,
        *,
        batch: int = 20,
        lease_seconds: int = 120,
        interval: float = 5.0,
        max_backoff: float = 300.0,
        intervals: dict[str, float] | None = None,
    ) -> None:
        self.backend = backend
        self.channels = channels
        self.store = store
        self.batch = batch
        self.lease_seconds = lease_seconds
        self.interval = interval
        self.max_backoff = max_backoff
        # a channel a person chats on (the widget) is asked more often than the default
        self.intervals = intervals or {}
        self._tasks: list[asyncio.Task[None]] = []

    def start(self) -> None:
        """Start one loop per channel."""
        self._tasks = [asyncio.create_task(self._loop(channel)) for channel in self.channels]

    async def stop(self) -> None:
        """Stop the loops."""
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks = []

    async def run_once(self, channel: Channel) -> tuple[int, bool]:
        """Claim and deliver one batch; return (messages claimed, whether the channel is down)."""
        claimed = await self.backend.claim_outbox(channel.name, self.batch, self.lease_seconds)
        for message in claimed:
            if not await self.deliver(channel, message):
                return len(claimed), True
        return len(claimed), False

    async def deliver(self, channel: Channel, message: dict[str, Any]) -> bool:
        """Deliver one message; False when the channel is down (a temporary failure)."""
        outbox_id = int(message["id"])
        if await self.store.run(self.store.was_delivered, channel.name, outbox_id):
            await self.backend.outbox_sent(outbox_id)
            return True
        try:
            await channel.notify(str(message["recipient"]), str(message["body"]), outbox_id)
        except DeliveryFailed as exc:
            kind = "permanent" if exc.permanent else "temporary"
            logger.warning(
                "%s: outbox %s not delivered (%s): %s", channel.name, outbox_id, kind, exc
            )
            await self.backend.outbox_failed(outbox_id, f"{kind}: {exc}", permanent=exc.permanent)
            return exc.permanent
        await self.store.run(self.store.mark_delivered, channel.name, outbox_id)
        await self.backend.outbox_sent(outbox_id)
        return True

    async def _loop(self, channel: Channel) -> None:
        interval = self.intervals.get(channel.name, self.interval)
        backoff = 0.0
        while True:
            try:
                claimed, down = await self.run_once(channel)
            except BackendError as exc:
                logger.warning("%s: outbox unavailable (%s)", channel.name, exc)
                claimed, down = 0, True
            except Exception:
                logger.exception("%s: outbox delivery failed", channel.name)
                claimed, down = 0, True
            if down:
                backoff = min(max(backoff * 2, interval), self.max_backoff)
                await asyncio.sleep(backoff)
                continue
            backoff = 0.0
            if claimed < self.batch:
                await asyncio.sleep(interval)
