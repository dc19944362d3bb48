"""Rasa's endpoints file: embedded SQLite by default, PostgreSQL and Redis for replicas."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from assistant.rasa_endpoints import (
    LOCK_PASSWORD_VAR,
    TRACKER_PASSWORD_VAR,
    StoreUrlError,
    lock_store,
    tracker_store,
    write_endpoints,
)

SQLITE = Path("/srv/dastyar/rasa-tracker.db")


def test_the_embedded_default_is_a_sqlite_tracker_and_in_memory_locks(tmp_path: Path) -> None:
    path = tmp_path / "run" / "endpoints.yml"
    secrets = write_endpoints(
        path,
        actions_url="http://127.0.0.1:5055/webhook",
        tracker_store_url="",
        lock_store_url="",
        sqlite_file=SQLITE,
    )
    config = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert secrets == {}
    assert config == {
        "action_endpoint": {"url": "http://127.0.0.1:5055/webhook"},
        "tracker_store": {"type": "SQL", "dialect": "sqlite", "db": str(SQLITE)},
    }


def test_postgres_and_redis_urls_become_rasa_sections_with_passwords_kept_out_of_the_file(
    tmp_path: Path,
) -> None:
    path = tmp_path / "endpoints.yml"
    secrets = write_endpoints(
        path,
        actions_url="http://actions:5055/webhook",
        tracker_store_url="postgresql+psycopg://rasa:p%40ss-1@db.internal:6432/dastyar_tracker",
        lock_store_url="redis://:r3dis-secret@cache.internal:6380/2",
        sqlite_file=SQLITE,
    )
    text = path.read_text(encoding="utf-8")
    assert "p@ss-1" not in text and "r3dis-secret" not in text
    assert secrets == {TRACKER_PASSWORD_VAR: "p@ss-1", LOCK_PASSWORD_VAR: "r3dis-secret"}
    config = yaml.safe_load(text)
    assert config["tracker_store"] == {
        "type": "SQL",
        "dialect": "postgresql",
        "url": "db.internal",
        "port": 6432,
        "db": "dastyar_tracker",
        "login_db": "postgres",
        "username": "rasa",
        "password": f"${{{TRACKER_PASSWORD_VAR}}}",
    }
    assert config["lock_store"] == {
        "type": "rasa_plugins.redis_lock_store.AtomicRedisLockStore",
        "url": "cache.internal",
        "port": 6380,
        "db": 2,
        "key_prefix": "dastyar",
        "use_ssl": False,
        "password": f"${{{LOCK_PASSWORD_VAR}}}",
    }


def test_defaults_fill_in_what_the_urls_leave_out() -> None:
    tracker, env = tracker_store("postgresql://127.0.0.1/tracker", SQLITE)
    assert (tracker["port"], tracker["db"], env) == (5432, "tracker", {})
    assert "username" not in tracker and "password" not in tracker
    lock, env = lock_store("rediss://cache")
    assert lock is not None
    assert (lock["port"], lock["db"], lock["use_ssl"], env) == (6379, 0, True, {})


@pytest.mark.parametrize(
    ("tracker_url", "lock_url", "problem"),
    [
        ("mysql://db/tracker", "", "postgresql://"),
        ("postgresql://db", "", "database name"),
        ("postgresql:///tracker", "", "host"),
        ("", "memcached://cache:11211", "redis://"),
        ("", "redis:///1", "host"),
        ("", "redis://cache:6379/locks", "number"),
    ],
)
def test_unusable_urls_are_refused_with_the_reason(
    tmp_path: Path, tracker_url: str, lock_url: str, problem: str
) -> None:
    with pytest.raises(StoreUrlError, match=problem):
        write_endpoints(
            tmp_path / "endpoints.yml",
            actions_url="http://127.0.0.1:5055/webhook",
            tracker_store_url=tracker_url,
            lock_store_url=lock_url,
            sqlite_file=SQLITE,
        )
