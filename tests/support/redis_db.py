"""One Redis database of the local server for a test, empty before and after."""

from __future__ import annotations

from collections.abc import Iterator

import redis

from tests.support.services import unavailable


def empty_redis_db(url: str) -> Iterator[redis.Redis]:
    """Yield a client on ``url``'s database, flushed around the test.

    Without a Redis at ``url`` the test is skipped, or fails where CI says the services must be up.
    """
    client = redis.Redis.from_url(url)
    try:
        client.ping()
    except redis.RedisError as exc:
        unavailable(f"Redis at {url}", exc.__class__.__name__)
    client.flushdb()
    yield client
    client.flushdb()
    client.close()
