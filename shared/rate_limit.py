"""Rate limits per client on state-changing requests (POST, PUT, PATCH, DELETE), for the backend
and the gateway's web channel.

Each app says who the client is and what it may do (:data:`Classify`: a key and a per-minute
limit, or None to let the request through uncounted) and what the refusal says (a JSON body in
the app's own error shape, in Persian). Counts are kept in fixed one-minute windows, in this
process's memory or in Redis when a URL is given, so every worker and replica shares them (the
counter pattern of the backend's lookup guard: INCR, and an expiry set with the first hit).
A Redis that does not answer lets requests through and says so in the log: citizens keep being
served while the limit is briefly off. Standard library only until Redis is asked for.
"""

from __future__ import annotations

import json
import logging
import math
import threading
import time
from collections.abc import Awaitable, Callable
from typing import Any, Protocol

from shared.security_headers import ASGIApp, Message, Receive, Scope, Send

logger = logging.getLogger(__name__)

WINDOW_S = 60
CHANGING = frozenset({"POST", "PUT", "PATCH", "DELETE"})
REDIS_PREFIX = "dastyar:rate:"
REDIS_TIMEOUT_S = 0.25

# (scope) → (the client's key, its limit per minute; 0: unlimited), or None: not counted
Classify = Callable[[Scope], Awaitable[tuple[str, int] | None]]
# (seconds until the window ends) → the JSON body of the 429 answer
Refusal = Callable[[int], dict[str, Any]]


class Windows(Protocol):
    """Counts hits per key in the current fixed window."""

    async def hit(self, key: str, window: int) -> int:
        """Count one hit for ``key`` in window number ``window``; the hits so far, this one in."""
        ...


class MemoryWindows:
    """This process's counts (the embedded default); bounded under a flood of distinct keys."""

    def __init__(self, max_keys: int = 100_000) -> None:
        self._lock = threading.Lock()
        self._counts: dict[str, tuple[int, int]] = {}
        self._max_keys = max_keys

    async def hit(self, key: str, window: int) -> int:
        """Count one hit for ``key`` in ``window``."""
        with self._lock:
            if key not in self._counts and len(self._counts) >= self._max_keys:
                self._counts = {k: v for k, v in self._counts.items() if v[0] == window}
            seen, count = self._counts.get(key, (window, 0))
            count = count + 1 if seen == window else 1
            self._counts[key] = (window, count)
            return count


class RedisWindows:
    """Counts in Redis, shared by every process that uses the same Redis."""

    def __init__(self, url: str) -> None:
        import redis.asyncio

        self._redis = redis.asyncio.Redis.from_url(
            url, socket_timeout=REDIS_TIMEOUT_S, socket_connect_timeout=REDIS_TIMEOUT_S
        )

    async def hit(self, key: str, window: int) -> int:
        """Count one hit for ``key`` in ``window`` (0 when Redis is away: not limited)."""
        import redis

        name = f"{REDIS_PREFIX}{key}:{window}"
        try:
            async with self._redis.pipeline(transaction=True) as pipe:
                pipe.incr(name)
                pipe.expire(name, WINDOW_S * 2, nx=True)
                count, _ = await pipe.execute()
        except (redis.RedisError, OSError) as exc:
            logger.warning("rate limit not checked, Redis failed: %s", exc.__class__.__name__)
            return 0
        return int(count)


def make_windows(redis_url: str) -> Windows:
    """Redis-backed windows when a URL is given, else this process's."""
    return RedisWindows(redis_url) if redis_url else MemoryWindows()


def client_address(scope: Scope) -> str:
    """The client's IP address (uvicorn puts a trusted proxy's X-Forwarded-For there)."""
    client = scope.get("client")
    return str(client[0]) if client else "unknown"


class RateLimit:
    """ASGI middleware: a state-changing request over its client's limit is answered 429, with
    a ``Retry-After`` header and the app's Persian refusal; every other request passes."""

    def __init__(
        self, app: ASGIApp, *, windows: Windows, classify: Classify, refusal: Refusal
    ) -> None:
        self.app = app
        self.windows = windows
        self.classify = classify
        self.refusal = refusal

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Count the request against its client; refuse it past the limit."""
        if scope["type"] != "http" or scope["method"] not in CHANGING:
            await self.app(scope, receive, send)
            return
        found = await self.classify(scope)
        if found is not None and found[1] > 0:
            key, limit = found
            now = time.time()
            if await self.windows.hit(key, int(now // WINDOW_S)) > limit:
                await self._refuse(send, max(1, math.ceil(WINDOW_S - now % WINDOW_S)))
                return
        await self.app(scope, receive, send)

    async def _refuse(self, send: Send, retry_after: int) -> None:
        body = json.dumps(self.refusal(retry_after), ensure_ascii=False).encode()
        start: Message = {
            "type": "http.response.start",
            "status": 429,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"retry-after", str(retry_after).encode()),
            ],
        }
        await send(start)
        await send({"type": "http.response.body", "body": body})
