"""Which Rasa replica serves a conversation: sticky by sender, failing over while one is down.

Rendezvous (highest random weight) hashing: each sender ranks the replicas by a hash of
(replica, sender) and goes to the first one that is up. Every sender keeps its replica as long as
it is up, and when one leaves only its own conversations move (each to its own second choice),
coming home when it is back. The replicas share the tracker store and the lock store, so the
move loses nothing; the stickiness only keeps a conversation's turns on one process's caches.

Plain data and a clock, no I/O: the client (:mod:`connectors.rasa_client`) asks for a plan,
tries it, and reports what it saw.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass


def rank(sender: str, urls: Sequence[str]) -> list[str]:
    """``urls`` in ``sender``'s order of preference (the same on every gateway and process)."""

    def weight(url: str) -> bytes:
        # a stable hash (not Python's salted hash()): every gateway replica agrees
        return hashlib.blake2b(f"{url}\0{sender}".encode(), digest_size=8).digest()

    return sorted(urls, key=weight, reverse=True)


@dataclass(frozen=True)
class Try:
    """One step of a plan: the replica, and whether to ask its health before the message."""

    url: str
    probe: bool


class ReplicaSet:
    """The replicas and which of them are believed down (until when)."""

    def __init__(
        self,
        urls: Sequence[str],
        retry_after: float = 5.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if not urls:
            raise ValueError("at least one Rasa URL is needed")
        self.urls = list(urls)
        self.retry_after = retry_after
        self._clock = clock
        self._down_until: dict[str, float] = {}

    def plan(self, sender: str) -> list[Try]:
        """The replicas to try for ``sender``'s message, in order.

        Its ranking, skipping replicas that failed less than ``retry_after`` s ago (they come
        last, as a last resort: a message is not refused while any process might answer). A
        replica believed down is probed before a message is entrusted to it, so one that hangs
        costs a health check, not a citizen's message.
        """
        now = self._clock()
        ranked = rank(sender, self.urls)
        ready = [url for url in ranked if self._down_until.get(url, 0.0) <= now]
        resting = [url for url in ranked if url not in ready]
        return [Try(url, url in self._down_until) for url in [*ready, *resting]]

    def down(self, url: str) -> None:
        """``url`` failed: leave it alone for ``retry_after`` seconds."""
        self._down_until[url] = self._clock() + self.retry_after

    def up(self, url: str) -> None:
        """``url`` answered: it serves its conversations again."""
        self._down_until.pop(url, None)

    def is_down(self, url: str) -> bool:
        """Whether ``url`` is believed down (whatever its rest time)."""
        return url in self._down_until
