"""The gateway's store, on SQLite and on PostgreSQL (for several gateway replicas)."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Iterator

import pytest
from sqlalchemy import update

from connectors.messages import Proof
from connectors.store import Store, history, seen
from tests.support.postgres import private_schema


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store(request, tmp_path) -> Iterator[Store]:
    if request.param == "sqlite":
        store = Store(f"sqlite:///{tmp_path / 'gateway.db'}")
        yield store
        store.close()
        return
    with private_schema("gw") as url:
        store = Store(url)
        yield store
        store.close()


def test_an_inbound_id_is_new_once_per_channel(store):
    assert store.first_seen("sms", "42") is True
    assert store.first_seen("sms", "42") is False
    assert store.first_seen("telegram", "42") is True


def test_history_is_read_newest_last_and_trimmed_and_a_notice_lands_once(store):
    ids = store.add_history("s", [{"who": "user", "text": str(i)} for i in range(20)], 5)
    entries = store.history("s", limit=5)
    assert [e["text"] for e in entries] == ["15", "16", "17", "18", "19"]
    assert entries[-1]["seq"] == ids[-1]
    assert store.add_notice("s", 7, {"who": "bot", "notice": True, "text": "n"}, 5) is True
    assert store.add_notice("s", 7, {"who": "bot", "notice": True, "text": "n"}, 5) is False
    assert [e["text"] for e in store.history("s", after=ids[-1])] == ["n"]


def test_a_busy_session_is_trimmed_in_the_database_and_times_read_back(store):
    from sqlalchemy import func, select

    from connectors.store import TRIM_EVERY

    for i in range(150):
        store.add_history("busy", [{"who": "user", "text": f"پیام {i}"}, {"who": "bot"}], 10)
    store.add_history("quiet", [{"who": "user", "text": "سلام"}], 10)
    with store.engine.connect() as conn:
        kept = conn.execute(
            select(func.count()).select_from(history).where(history.c.session == "busy")
        ).scalar()
        stamps = conn.execute(select(history.c.at)).scalars().all()
    assert 10 <= kept <= 10 + TRIM_EVERY
    assert [e["text"] for e in store.history("quiet")] == ["سلام"]
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    assert all(isinstance(at, dt.datetime) and abs(now - at).total_seconds() < 60 for at in stamps)


def test_idle_sessions_and_old_ids_are_pruned(store):
    store.add_history("old", [{"who": "user", "text": "قدیمی"}], 10)
    store.add_history("new", [{"who": "user", "text": "تازه"}], 10)
    store.first_seen("sms", "1")
    long_ago = dt.datetime(2000, 1, 1)
    with store.engine.begin() as conn:
        conn.execute(update(history).where(history.c.session == "old").values(at=long_ago))
        conn.execute(update(seen).values(at=long_ago))
    store.prune(history_days=30)
    assert store.history("old") == []
    assert [e["text"] for e in store.history("new")] == ["تازه"]
    assert store.first_seen("sms", "1") is True


def test_options_proofs_payloads_and_deliveries_are_remembered(store):
    store.set_options("sms:0912", [{"title": "الف", "payload": "/a"}])
    assert store.get_options("sms:0912") == [{"title": "الف", "payload": "/a"}]
    store.set_options("sms:0912", [])
    assert store.get_options("sms:0912") == []
    store.save_proof("web:s", Proof("1000000009", mobile="09121234567"))
    store.save_proof("web:s", Proof("1000000009", mobile="09121234567"))
    assert store.get_proof("web:s") == Proof("1000000009", "09121234567", None, True)
    assert store.get_proof("web:other") is None
    store.put_payload("§k", "/long")
    store.put_payload("§k", "/long")
    assert store.get_payload("§k") == "/long"
    assert store.was_delivered("web", 3) is False
    store.mark_delivered("web", 3)
    store.mark_delivered("web", 3)
    assert store.was_delivered("web", 3) is True


def test_async_callers_get_the_same_results(store):
    store.set_options("a", [{"title": "t", "payload": "p"}])
    assert asyncio.run(store.run(store.get_options, "a")) == [{"title": "t", "payload": "p"}]


def test_sqlite_writes_leave_the_checkpoint_to_the_background(tmp_path):
    from connectors.store import AUTOCHECKPOINT_PAGES

    store = Store(f"sqlite:///{tmp_path / 'gateway.db'}")
    for i in range(50):
        store.add_history("s", [{"who": "user", "text": f"پیام {i}"}], 100)
    with store.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar() == AUTOCHECKPOINT_PAGES
    store.checkpoint()
    with store.engine.connect() as conn:
        _busy, frames, copied = conn.exec_driver_sql("PRAGMA wal_checkpoint(PASSIVE)").one()
    assert frames == copied > 0
    assert len(store.history("s", limit=100)) == 50
    store.close()
