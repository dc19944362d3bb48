"""The gateway's store: de-duplication, history trimming, pruning, options and proofs."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import update

from connectors.messages import Proof
from connectors.store import Store, history, seen


def test_an_inbound_id_is_new_once_per_channel(tmp_path):
    store = Store(f"sqlite:///{tmp_path / 'g.db'}")
    assert store.first_seen("sms", "42") is True
    assert store.first_seen("sms", "42") is False
    assert store.first_seen("telegram", "42") is True


def test_idle_sessions_and_old_ids_are_pruned(tmp_path):
    store = Store(f"sqlite:///{tmp_path / 'g.db'}")
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


def test_options_proofs_and_payloads_are_remembered(tmp_path):
    store = Store(f"sqlite:///{tmp_path / 'g.db'}")
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
