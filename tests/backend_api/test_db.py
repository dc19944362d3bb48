"""Pooled PostgreSQL connections: one killed while idle in the pool is replaced, not used."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, text

from backend_api.db import make_engine
from tests.support.postgres import POSTGRES_URL

pytestmark = pytest.mark.postgres


def _kill(pid: int) -> None:
    admin = create_engine(POSTGRES_URL)
    with admin.begin() as conn:
        assert conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid}).scalar()
    admin.dispose()


def _backend_pid(engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(text("SELECT pg_backend_pid()")).scalar_one())


def test_a_connection_killed_while_idle_is_replaced_before_use(postgres_url):
    engine = make_engine(postgres_url, ping_after_idle_s=0.0)
    try:
        first = _backend_pid(engine)
        _kill(first)  # as a database restart would, while the connection sits in the pool
        second = _backend_pid(engine)  # would raise OperationalError if the dead one were used
        assert second != first
    finally:
        engine.dispose()


def test_a_busy_connection_is_not_pinged(postgres_url):
    # Without the idle check, every checkout would ping; a connection reused at once is not,
    # so the same server process answers.
    engine = make_engine(postgres_url, ping_after_idle_s=60.0)
    pings = []
    original = engine.dialect.do_ping
    engine.dialect.do_ping = lambda conn: pings.append(1) or original(conn)  # type: ignore[method-assign]
    try:
        assert _backend_pid(engine) == _backend_pid(engine)
        assert pings == []
    finally:
        engine.dispose()
