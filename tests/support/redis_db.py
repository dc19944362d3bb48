"""One Redis database of the local server for a test, empty before and after."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
import redis


def empty_redis_db(url: str) -> Iterator[redis.Redis]:
    """Yield a client on ``url``'s database, flushed around the test.

    Without a Redis at ``url`` the test is skipped, or fails where CI says the services must be up.
    """
    client = redis.Redis.from_url(url)
    try:
        client.ping()
    except redis.RedisError:
        if os.environ.get("DASTYAR_TEST_REQUIRE_POSTGRES") == "1":
            pytest.fail(f"Redis is required here but {url} does not answer")
        pytest.skip(f"no Redis at {url}")
    client.flushdb()
    yield client
    client.flushdb()
    client.close()
