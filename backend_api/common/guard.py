"""One limit on wrong guesses at what a citizen proves: a request's or a complaint's tracking
code with the national code or mobile it was filed with, and a one-time code sent to a mobile.

Every failed proof counts against each thing it named: the tracking code, the identity, and the
conversation it came from (when the caller says which). Once any of them has ``max_failures`` in
the window, proofs naming it are refused (429) until the window passes, so neither a stolen
tracking code, nor a known national code or mobile, nor one busy conversation can brute-force
its way through the assistant. The counts live in this process's memory, or in Redis when one
is configured, so that every worker and replica shares them. Identities and conversations are
kept only as keyed hashes, never in the clear.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import math
import threading
import time
from collections import deque
from typing import TYPE_CHECKING, Protocol

import redis

from backend_api.errors import ApiError
from nlu.digits import to_persian_digits

if TYPE_CHECKING:
    from backend_api.settings import BackendSettings

logger = logging.getLogger(__name__)

REDIS_PREFIX = "dastyar:lookup-failures:"
REDIS_TIMEOUT_S = 0.25


class FailureCounter(Protocol):
    """Counts failures per key within a time window."""

    def count(self, key: str) -> int:
        """Failures recorded for ``key`` in the current window."""
        ...

    def add(self, key: str) -> None:
        """Record one failure for ``key``."""
        ...


class MemoryCounter:
    """Sliding-window counts in this process (the embedded default)."""

    def __init__(self, window_s: float, max_keys: int = 100_000) -> None:
        self._window = window_s
        self._max_keys = max_keys
        self._lock = threading.Lock()
        self._times: dict[str, deque[float]] = {}

    def count(self, key: str) -> int:
        """Failures recorded for ``key`` in the last window."""
        with self._lock:
            times = self._times.get(key)
            if not times:
                return 0
            self._expire(times, time.monotonic())
            return len(times)

    def add(self, key: str) -> None:
        """Record one failure for ``key`` now."""
        now = time.monotonic()
        with self._lock:
            if key not in self._times and len(self._times) >= self._max_keys:
                self._forget_idle(now)
            times = self._times.setdefault(key, deque())
            self._expire(times, now)
            times.append(now)

    def _expire(self, times: deque[float], now: float) -> None:
        while times and now - times[0] >= self._window:
            times.popleft()

    def _forget_idle(self, now: float) -> None:
        # Bounded memory under a flood of distinct keys: drop the keys with nothing recent.
        for key in [k for k, t in self._times.items() if not t or now - t[-1] >= self._window]:
            del self._times[key]
        if len(self._times) >= self._max_keys:
            oldest = min(self._times, key=lambda k: self._times[k][-1])
            del self._times[oldest]


class RedisCounter:
    """Fixed-window counts in Redis, shared by every backend process.

    A Redis that does not answer lets lookups through (and says so in the log): citizens keep
    being served while the limit is briefly off.
    """

    def __init__(self, url: str, window_s: float) -> None:
        self._redis = redis.Redis.from_url(
            url, socket_timeout=REDIS_TIMEOUT_S, socket_connect_timeout=REDIS_TIMEOUT_S
        )
        self._window = max(1, int(window_s))

    def count(self, key: str) -> int:
        """Failures recorded for ``key`` in its current window (0 if Redis is away)."""
        try:
            value = self._redis.get(REDIS_PREFIX + key)
        except redis.RedisError as exc:
            logger.warning("lookup limit not checked, Redis failed: %s", exc.__class__.__name__)
            return 0
        return int(value) if value else 0

    def add(self, key: str) -> None:
        """Record one failure for ``key``; the window starts with its first failure."""
        name = REDIS_PREFIX + key
        try:
            pipe = self._redis.pipeline()
            pipe.incr(name)
            pipe.expire(name, self._window, nx=True)
            pipe.execute()
        except redis.RedisError as exc:
            logger.warning("lookup failure not counted, Redis failed: %s", exc.__class__.__name__)


class LookupGuard:
    """Decides whether a proof may be checked and records the ones that failed."""

    def __init__(
        self, counter: FailureCounter, secret: str, max_failures: int, window_s: float
    ) -> None:
        self._counter = counter
        self._secret = secret.encode()
        self.max_failures = max_failures
        self.window_minutes = max(1, math.ceil(window_s / 60))

    def _hashed(self, value: str) -> str:
        return hmac.new(self._secret, value.encode(), hashlib.sha256).hexdigest()[:32]

    def keys(self, tracking_code: str, identity: str, conversation: str = "") -> list[str]:
        """The counters a proof touches: its tracking code (if any), its identity and its
        conversation (if the caller gave one), the last two hashed."""
        keys = [f"code:{tracking_code}"] if tracking_code else []
        keys.append(f"id:{self._hashed(identity)}")
        if conversation:
            keys.append(f"conv:{self._hashed('conversation:' + conversation)}")
        return keys

    def blocked(self, keys: list[str]) -> bool:
        """True when any of ``keys`` has used up its failures in the window."""
        return any(self._counter.count(key) >= self.max_failures for key in keys)

    def check(self, keys: list[str]) -> None:
        """Refuse (429, with the wait in Persian) when any of ``keys`` is blocked."""
        if self.blocked(keys):
            minutes = to_persian_digits(str(self.window_minutes))
            raise ApiError(429, "too_many_lookup_failures", minutes=minutes)

    def failed(self, keys: list[str]) -> None:
        """Count a failed proof against every one of ``keys``."""
        for key in keys:
            self._counter.add(key)


def make_guard(settings: BackendSettings) -> LookupGuard:
    """The guard the settings ask for: Redis-backed when a URL is given, else in memory."""
    redis_url, window_s = settings.redis_url.get_secret_value(), settings.lookup_window_seconds
    counter: FailureCounter = (
        RedisCounter(redis_url, window_s) if redis_url else MemoryCounter(window_s)
    )
    return LookupGuard(
        counter, settings.jwt_secret.get_secret_value(), settings.lookup_max_failures, window_s
    )
