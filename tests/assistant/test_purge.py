"""``python -m assistant purge``: Rasa's conversations by retention (SQLite and PostgreSQL, in
the table Rasa 3.6's SQL tracker store writes), and the command over every store at once."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator

import pytest
from sqlalchemy import Column, Float, Integer, MetaData, String, Table, Text, create_engine, select
from sqlalchemy.engine import Engine

from assistant.cli import main
from assistant.purge import purge_conversations, tracker_store_url
from assistant.settings import AssistantSettings
from backend_api.audit.models import AuditEntry
from backend_api.db import make_engine, make_session_factory
from tests.support.postgres import private_schema

NOW = dt.datetime.now(dt.UTC)
CUTOFF = NOW - dt.timedelta(days=30)
DAY = 86400.0


def rasa_events(metadata: MetaData) -> Table:
    """Rasa 3.6's ``SQLTrackerStore.SQLEvent`` table, column for column."""
    return Table(
        "events",
        metadata,
        Column("id", Integer, primary_key=True),
        Column("sender_id", String(255), nullable=False, index=True),
        Column("type_name", String(255), nullable=False),
        Column("timestamp", Float),
        Column("intent_name", String(255)),
        Column("action_name", String(255)),
        Column("data", Text),
    )


def add(engine: Engine, sender: str, days_ago: float, kind: str = "user") -> None:
    metadata = MetaData()
    events = rasa_events(metadata)
    timestamp = NOW.timestamp() - days_ago * DAY
    data = json.dumps({"event": kind, "timestamp": timestamp, "text": "کد ملی ۰۰۱۳۵۴۲۴۱۹"})
    with engine.begin() as conn:
        conn.execute(
            events.insert().values(sender_id=sender, type_name=kind, timestamp=timestamp, data=data)
        )


def conversation(engine: Engine, sender: str, *session_ages: float) -> None:
    """A conversation with a session started ``age`` days ago for each age, a message in each."""
    for days_ago in session_ages:
        add(engine, sender, days_ago, "session_started")
        add(engine, sender, days_ago - 0.01)


def left(engine: Engine) -> dict[str, int]:
    events = Table("events", MetaData(), autoload_with=engine)
    with engine.connect() as conn:
        rows = conn.execute(select(events.c.sender_id, events.c.timestamp)).all()
    counts: dict[str, int] = {}
    for sender, _ in rows:
        counts[sender] = counts.get(sender, 0) + 1
    return counts


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def tracker(request, tmp_path) -> Iterator[Engine]:
    """An empty Rasa tracker store on SQLite or PostgreSQL."""
    if request.param == "sqlite":
        engine = create_engine(f"sqlite:///{tmp_path / 'rasa-tracker.db'}")
        rasa_events(MetaData()).create(engine)
        yield engine
        engine.dispose()
        return
    with private_schema("tracker") as url:
        engine = create_engine(url)
        rasa_events(MetaData()).create(engine)
        yield engine
        engine.dispose()


def test_old_conversations_go_and_a_session_in_use_stays_whole(tracker):
    conversation(tracker, "web:quiet", 60, 45)  # nothing since the cutoff: all of it goes
    conversation(tracker, "telegram:1", 50, 2)  # an old session goes, the current one stays
    conversation(tracker, "web:recent", 3)
    add(tracker, "web:long-session", 40, "session_started")  # a session still in use, begun
    add(tracker, "web:long-session", 35)  # before the cutoff: kept whole, Rasa reloads it
    add(tracker, "web:long-session", 1)

    assert purge_conversations(tracker, CUTOFF, dry_run=True) == (6, 2)
    assert sum(left(tracker).values()) == 13
    assert purge_conversations(tracker, CUTOFF, dry_run=False) == (6, 2)
    assert left(tracker) == {"telegram:1": 2, "web:recent": 2, "web:long-session": 3}
    assert purge_conversations(tracker, CUTOFF, dry_run=False) == (0, 0)


def test_a_store_rasa_never_wrote_has_nothing_to_purge(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path / 'empty.db'}")
    assert purge_conversations(engine, CUTOFF, dry_run=False) == (0, 0)


def test_the_tracker_url_follows_the_stack(tmp_path):
    settings = AssistantSettings(data_dir=tmp_path)
    assert tracker_store_url(settings) == f"sqlite:///{tmp_path / 'rasa-tracker.db'}"
    settings = AssistantSettings(
        data_dir=tmp_path, rasa_tracker_store_url="postgresql://rasa:pw@db:5432/tracker"
    )
    assert tracker_store_url(settings) == "postgresql+psycopg://rasa:pw@db:5432/tracker"


def test_the_command_reports_each_kind_and_audits_what_went(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("DASTYAR_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("DASTYAR_BACKEND_DATABASE_URL", raising=False)
    monkeypatch.delenv("DASTYAR_RASA_TRACKER_STORE_URL", raising=False)
    from assistant.settings import get_settings

    get_settings.cache_clear()
    store = create_engine(tracker_store_url(AssistantSettings(data_dir=tmp_path)))
    rasa_events(MetaData()).create(store)
    conversation(store, "web:quiet", 60)

    assert main(["purge", "--dry-run"]) == 0
    assert "would purge 2 conversation events" in capsys.readouterr().out
    assert main(["purge"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out == [
        "purged 2 conversation events",
        "purged 0 transcripts",
        "purged 0 unresolved",
        "purged 0 notifications",
        "purged 0 attachments",
    ]
    assert left(store) == {}
    backend = make_engine(f"sqlite:///{tmp_path / 'backend.db'}")
    with make_session_factory(backend)() as session:
        (entry,) = session.scalars(select(AuditEntry).where(AuditEntry.entity == "retention"))
    assert entry.after["purged"]["conversations"] == 2
    backend.dispose()
    store.dispose()
    get_settings.cache_clear()
