"""Long polling (getUpdates) for machines that cannot receive webhooks."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import TYPE_CHECKING, Any

from telegram.error import Conflict, InvalidToken, RetryAfter, TelegramError

from connectors.telegram.updates import ALLOWED_UPDATES

if TYPE_CHECKING:
    from connectors.telegram.bot import BotChannel

logger = logging.getLogger(__name__)


class Poller:
    """Asks the Bot API for updates in a loop and hands each one to the channel."""

    def __init__(self, channel: BotChannel, timeout: int) -> None:
        self.channel = channel
        self.timeout = timeout
        self._task: asyncio.Task[None] | None = None
        self.offset: int | None = None

    def start(self) -> None:
        """Start the loop."""
        self._task = asyncio.create_task(self._loop())

    async def stop(self) -> None:
        """Stop the loop (an in-flight getUpdates is abandoned; its updates come again)."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def poll_once(self) -> int:
        """One getUpdates call; return how many updates came."""
        from connectors.telegram.bot import retry_seconds

        name = self.channel.name
        query: dict[str, Any] = {"timeout": self.timeout, "allowed_updates": ALLOWED_UPDATES}
        if self.offset is not None:
            query["offset"] = self.offset
        try:
            updates = await self.channel.bot.raw_updates(query, self.timeout + 15)
        except RetryAfter as exc:
            await asyncio.sleep(retry_seconds(exc))
            return 0
        if not isinstance(updates, list):
            return 0
        for data in updates:
            update_id = data.get("update_id") if isinstance(data, dict) else None
            if not isinstance(update_id, int):
                continue
            self.offset = max(self.offset or 0, update_id + 1)
            await self.channel.accept(data)
        if updates:
            logger.debug("%s: %d update(s) polled", name, len(updates))
        return len(updates)

    async def _loop(self) -> None:
        delay = 1.0
        name = self.channel.name
        while True:
            try:
                await self.poll_once()
                delay = 1.0
            except InvalidToken:
                logger.error("%s: the bot token was refused; polling stops", name)
                return
            except Conflict as exc:
                logger.error("%s: another poller or a webhook is active (%s)", name, exc)
                await asyncio.sleep(30)
            except (TelegramError, OSError) as exc:
                logger.warning("%s: getUpdates failed (%s); retrying in %.0fs", name, exc, delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 60.0)
