"""A Redis lock store whose every change to a conversation's lock is one atomic step.

Rasa 3.6's own ``RedisLockStore`` reads a conversation's ticket queue, changes it in Python and
writes it back. Two replicas issuing tickets for one conversation at the same moment both read
the same queue, both take the same ticket number and both process their message at once; one
replica's events then overwrite the other's in the tracker store and a citizen's message is
lost. Here each read-change-write runs as an optimistic Redis transaction (WATCH/MULTI): when
another replica changed the queue in between, the step is retried on the fresh queue.

Rasa loads it by module path: ``assistant.rasa_endpoints`` names it in the endpoints file.
"""

from __future__ import annotations

import json
import logging
import math
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any, TypeVar

import redis
from rasa.core.lock import TicketLock
from rasa.core.lock_store import LOCK_LIFETIME, LockError, RedisLockStore
from rasa.utils.endpoints import EndpointConfig

logger = logging.getLogger(__name__)

# How often a waiting message looks at the queue again. Rasa polls once a second, which adds up
# to a second to every message that arrives while the previous one is still being answered.
POLL_SECONDS = 0.05

Result = TypeVar("Result")


class AtomicRedisLockStore(RedisLockStore):
    """Rasa's ticket lock kept in Redis, safe when several replicas share it."""

    def __init__(self, endpoint_config: EndpointConfig | None = None, **kwargs: Any) -> None:
        """Connect as Rasa's lock store does, from the endpoints file's ``lock_store`` section."""
        if endpoint_config is not None:
            kwargs = {"host": endpoint_config.url or "localhost", **endpoint_config.kwargs}
        super().__init__(**kwargs)

    def _change(
        self,
        conversation_id: str,
        change: Callable[[TicketLock], Result],
        *,
        create: bool = False,
    ) -> Result | None:
        """Apply ``change`` to the stored lock in one atomic step; it edits the lock in place.

        Without a stored lock nothing happens (None), unless ``create`` starts an empty one.
        The lock is saved afterwards, or deleted when its queue is empty. Its key expires with
        its last ticket, so a replica that dies holding a ticket leaves nothing behind for good.
        """
        key = self.key_prefix + conversation_id
        with self.red.pipeline() as pipe:
            while True:
                try:
                    # WATCH notices a change to the key, its creation included.
                    pipe.watch(key)
                    raw = pipe.get(key)
                    if raw:
                        lock = TicketLock.from_dict(json.loads(raw))
                    elif create:
                        lock = self.create_lock(conversation_id)
                    else:
                        pipe.unwatch()
                        return None
                    result = change(lock)
                    pipe.multi()
                    if lock.is_someone_waiting():
                        last_expiry = max(ticket.expires for ticket in lock.tickets)
                        seconds_left = max(1, math.ceil(last_expiry - time.time()))
                        pipe.set(key, lock.dumps(), ex=seconds_left)
                    else:
                        pipe.delete(key)
                    pipe.execute()
                    return result
                except redis.WatchError:
                    logger.debug("a lock queue changed under us; trying again")

    def issue_ticket(self, conversation_id: str, lock_lifetime: float = LOCK_LIFETIME) -> int:
        """Append a ticket to the conversation's queue and return its number."""
        try:
            number = self._change(
                conversation_id, lambda lock: lock.issue_ticket(lock_lifetime), create=True
            )
        except redis.RedisError as error:
            raise LockError(f"Could not issue a ticket: {error}") from error
        if number is None:  # cannot happen with create=True; keeps the type honest
            raise LockError("no lock was created")
        return number

    def update_lock(self, conversation_id: str) -> None:
        """Drop the expired tickets of the conversation's queue."""
        self._change(conversation_id, lambda lock: lock.remove_expired_tickets())

    def finish_serving(self, conversation_id: str, ticket_number: int) -> None:
        """Take ``ticket_number`` off the conversation's queue."""
        self._change(conversation_id, lambda lock: lock.remove_ticket_for(ticket_number))

    def cleanup(self, conversation_id: str, ticket_number: int) -> None:
        """Take the ticket off the queue; the queue's key goes with its last ticket."""
        self.finish_serving(conversation_id, ticket_number)

    @asynccontextmanager
    async def lock(
        self,
        conversation_id: str,
        lock_lifetime: float = LOCK_LIFETIME,
        wait_time_in_seconds: float = POLL_SECONDS,
    ) -> AsyncIterator[TicketLock]:
        """Hold the conversation's lock; messages take turns in the order they arrived."""
        async with super().lock(conversation_id, lock_lifetime, wait_time_in_seconds) as held:
            yield held
