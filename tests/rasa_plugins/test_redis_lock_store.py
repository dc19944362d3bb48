"""The Redis lock store under several processes at once, on the local Redis server.

Runs in the Rasa env (it imports ``rasa``). Each worker process plays one Rasa replica.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import time
from collections.abc import Iterator

import pytest
import redis
from rasa.core.lock_store import LockStore
from rasa.utils.endpoints import EndpointConfig

from rasa_plugins.redis_lock_store import AtomicRedisLockStore
from tests.support.redis_db import empty_redis_db

REDIS_URL = "redis://127.0.0.1:6379/13"
PREFIX = "dastyar"
CONVERSATION = "citizen-42"
REPLICAS = 4


@pytest.fixture
def redis_db() -> Iterator[redis.Redis]:
    yield from empty_redis_db(REDIS_URL)


def new_store() -> AtomicRedisLockStore:
    """The store as Rasa builds it from the endpoints file."""
    config = EndpointConfig(
        url="127.0.0.1",
        type="rasa_plugins.redis_lock_store.AtomicRedisLockStore",
        port=6379,
        db=13,
        key_prefix=PREFIX,
    )
    store = LockStore.create(config)
    assert isinstance(store, AtomicRedisLockStore)
    return store


def issue_tickets(count: int, ready, start, results) -> None:
    """One replica taking ``count`` tickets as fast as it can."""
    store = new_store()
    ready.release()
    start.wait()
    results.put([store.issue_ticket(CONVERSATION, 60) for _ in range(count)])


def take_turns(turns: int, ready, start, results) -> None:
    """One replica answering ``turns`` messages: read the tracker, think, write it back."""
    store = new_store()
    client = redis.Redis.from_url(REDIS_URL)
    overlaps = 0

    async def one_message() -> None:
        nonlocal overlaps
        async with store.lock(CONVERSATION):
            # The marker is set only when it was absent: set twice means two holders at once.
            if not client.set("inside", "1", nx=True):
                overlaps += 1
            events = int(client.get("events") or 0)
            await asyncio.sleep(0.002)
            client.set("events", events + 1)
            client.delete("inside")

    async def all_messages() -> None:
        await asyncio.gather(*(one_message() for _ in range(turns)))

    ready.release()
    start.wait()
    asyncio.run(all_messages())
    results.put(overlaps)


def run_replicas(target, per_replica: int) -> list:
    """Run ``target`` in ``REPLICAS`` processes released at the same moment; their results."""
    context = multiprocessing.get_context("spawn")
    ready, start, results = context.Semaphore(0), context.Event(), context.Queue()
    workers = [
        context.Process(target=target, args=(per_replica, ready, start, results))
        for _ in range(REPLICAS)
    ]
    for worker in workers:
        worker.start()
    for _ in workers:
        assert ready.acquire(timeout=120), "a replica did not start"
    start.set()
    collected = [results.get(timeout=120) for _ in workers]
    for worker in workers:
        worker.join(30)
        assert worker.exitcode == 0
    return collected


def test_tickets_issued_at_once_by_several_replicas_are_all_different(redis_db) -> None:
    tickets = [n for batch in run_replicas(issue_tickets, 50) for n in batch]
    assert sorted(tickets) == list(range(REPLICAS * 50))
    stored = new_store().get_lock(CONVERSATION)
    assert stored is not None and len(stored.tickets) == REPLICAS * 50


def test_replicas_answer_one_conversation_one_message_at_a_time(redis_db) -> None:
    assert run_replicas(take_turns, 10) == [0] * REPLICAS
    assert int(redis_db.get("events")) == REPLICAS * 10
    # The queue is gone once the last message is answered.
    assert redis_db.keys(f"{PREFIX}:lock:*") == []


def test_a_replica_that_died_holding_the_lock_delays_the_next_message_only_until_expiry(
    redis_db,
) -> None:
    store = new_store()
    store.issue_ticket(CONVERSATION, 1)  # taken, never given back
    key = f"{PREFIX}:lock:{CONVERSATION}"
    assert 0 < redis_db.ttl(key) <= 1

    async def next_message() -> float:
        started = time.monotonic()
        async with store.lock(CONVERSATION, lock_lifetime=60):
            return time.monotonic() - started

    waited = asyncio.run(next_message())
    assert 0.5 < waited < 5
    assert redis_db.keys(f"{PREFIX}:lock:*") == []


def test_messages_of_different_conversations_do_not_wait_for_each_other(redis_db) -> None:
    store = new_store()

    async def both() -> None:
        async with store.lock("first"):
            async with asyncio.timeout(1):
                async with store.lock("second"):
                    assert store.get_lock("first") is not None

    asyncio.run(both())
