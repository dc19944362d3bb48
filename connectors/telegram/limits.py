"""Outgoing rate limits: python-telegram-bot's AIORateLimiter, plus a limit per private chat.

AIORateLimiter keeps the global limit, limits group chats and waits out ``RetryAfter`` (holding
every send meanwhile); a private chat has no limiter of its own there, and the platforms also
limit messages to one chat, so each chat gets an aiolimiter bucket here.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from aiolimiter import AsyncLimiter
from telegram.ext import AIORateLimiter

MAX_CHAT_LIMITERS = 10_000  # then the idle ones (full again) are forgotten

Result = bool | dict[str, Any] | list[dict[str, Any]]


class ChatRateLimiter(AIORateLimiter):
    """AIORateLimiter plus a bucket per chat: ``chat_rate`` a second, ``chat_burst`` at once."""

    def __init__(
        self, global_rate: float, chat_rate: float, chat_burst: int, max_retries: int
    ) -> None:
        super().__init__(
            overall_max_rate=global_rate, overall_time_period=1, max_retries=max_retries
        )
        self._chat_burst = chat_burst
        self._chat_period = chat_burst / chat_rate
        self._chats: dict[str, AsyncLimiter] = {}

    def _chat(self, chat_id: object) -> AsyncLimiter:
        key = str(chat_id)
        limiter = self._chats.get(key)
        if limiter is None:
            if len(self._chats) >= MAX_CHAT_LIMITERS:
                full = self._chat_burst
                self._chats = {k: v for k, v in self._chats.items() if not v.has_capacity(full)}
            limiter = self._chats[key] = AsyncLimiter(self._chat_burst, self._chat_period)
        return limiter

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, Result]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> Result:
        """Wait for the chat's bucket, then for the library's limits."""
        chat_id = data.get("chat_id")
        if chat_id is None:
            return await super().process_request(
                callback, args, kwargs, endpoint, data, rate_limit_args
            )
        async with self._chat(chat_id):
            return await super().process_request(
                callback, args, kwargs, endpoint, data, rate_limit_args
            )
