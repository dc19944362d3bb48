"""Outgoing rate limits: one global token bucket and one per chat, plus a pause on RetryAfter."""

from __future__ import annotations

import asyncio
import time


class TokenBucket:
    """``rate`` tokens a second, at most ``burst`` saved; reservations may go into debt."""

    def __init__(self, rate: float, burst: float) -> None:
        self.rate = rate
        self.burst = burst
        self.tokens = burst
        self.updated = time.monotonic()

    def reserve(self, now: float) -> float:
        """Take one token; return how long to wait before using it."""
        self.tokens = min(self.burst, self.tokens + (now - self.updated) * self.rate)
        self.updated = now
        self.tokens -= 1
        return 0.0 if self.tokens >= 0 else -self.tokens / self.rate

    def idle(self, now: float) -> bool:
        """Full again: forgetting this bucket changes nothing."""
        return self.tokens + (now - self.updated) * self.rate >= self.burst


class Throttle:
    """Waits as long as needed so a bot stays under the platform's global and per-chat limits."""

    def __init__(self, global_rate: float, chat_rate: float, chat_burst: int) -> None:
        self._global = TokenBucket(global_rate, max(global_rate, 1.0))
        self._chat_rate = chat_rate
        self._chat_burst = chat_burst
        self._chats: dict[str, TokenBucket] = {}
        self._paused_until = 0.0

    async def wait(self, chat: str) -> None:
        """Sleep until one more message may be sent to ``chat``."""
        now = time.monotonic()
        bucket = self._chats.get(chat)
        if bucket is None:
            if len(self._chats) > 10_000:
                self._chats = {k: b for k, b in self._chats.items() if not b.idle(now)}
            bucket = self._chats[chat] = TokenBucket(self._chat_rate, self._chat_burst)
        delay = max(bucket.reserve(now), self._global.reserve(now), self._paused_until - now, 0.0)
        if delay > 0:
            await asyncio.sleep(delay)

    def pause(self, seconds: float) -> None:
        """The platform said "retry after": hold every send for that long."""
        self._paused_until = max(self._paused_until, time.monotonic() + seconds)
