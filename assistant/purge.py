"""``python -m assistant purge``: personal data past its retention, in every store at once.

Rasa's tracker store keeps each citizen's words and slots (national code, mobile). They are
purged by retention rather than masked as they are saved: Rasa reloads a conversation from the
store on every message, so masked slots would break a form in progress, and masking only the
words would leave the same numbers in the slots beside them. Conversations are removed once
they are older than ``DASTYAR_RETENTION_CONVERSATIONS_DAYS`` (see :func:`purge_conversations`).
The backend's kinds are in :mod:`backend_api.retention.service`; one audit entry counts them all.
"""

from __future__ import annotations

import datetime as dt
import logging

from sqlalchemy import Table, and_, create_engine, delete, distinct, func, or_, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import NoSuchTableError
from sqlalchemy.schema import MetaData

from assistant.settings import AssistantSettings

logger = logging.getLogger(__name__)

SESSION_STARTED = "session_started"  # Rasa's event that opens a conversation session
KINDS = ("conversations", "transcripts", "unresolved", "notifications", "attachments")


def tracker_store_url(settings: AssistantSettings) -> str:
    """SQLAlchemy's URL of Rasa's tracker store, as the stack configures it (rasa_endpoints)."""
    url = settings.rasa_tracker_store_url.get_secret_value()
    if not url:
        return f"sqlite:///{settings.data_dir / 'rasa-tracker.db'}"
    scheme, rest = url.split("://", 1)
    return f"postgresql+psycopg://{rest}" if "+" not in scheme else url


def purge_conversations(engine: Engine, cutoff: dt.datetime, dry_run: bool) -> tuple[int, int]:
    """Remove (or count) conversation events older than ``cutoff``; (events, conversations).

    An event goes when it is older than the cutoff and either its whole conversation has been
    quiet since the cutoff, or a later session of that conversation has started: Rasa loads a
    conversation from its newest session start, so a session in use is never cut in half.
    """
    try:
        events = Table("events", MetaData(), autoload_with=engine)
    except NoSuchTableError:
        return 0, 0  # Rasa has not stored a conversation yet
    later = events.alias("later")
    same = later.c.sender_id == events.c.sender_id
    newest = select(func.max(later.c.timestamp)).where(same).scalar_subquery()
    session_start = (
        select(func.max(later.c.timestamp))
        .where(same, later.c.type_name == SESSION_STARTED)
        .scalar_subquery()
    )
    before = cutoff.timestamp()
    old = and_(
        events.c.timestamp < before, or_(newest < before, events.c.timestamp < session_start)
    )
    with engine.begin() as conn:
        found = conn.execute(
            select(func.count(), func.count(distinct(events.c.sender_id))).where(old)
        ).one()
        if found[0] and not dry_run:
            conn.execute(delete(events).where(old))
    return int(found[0]), int(found[1])


def purge(settings: AssistantSettings, dry_run: bool) -> dict[str, int]:
    """Purge (or count) every kind past its retention; record the counts in the audit log."""
    from backend_api.db import make_engine, make_session_factory
    from backend_api.migrate import upgrade
    from backend_api.retention.service import Purge, purge_backend, record_purge
    from backend_api.retention.settings import RetentionSettings
    from backend_api.settings import BackendSettings

    retention = RetentionSettings()
    run = Purge(dry_run=dry_run)
    cutoff = run.cutoff(retention.conversations_days)
    run.counts["conversations"] = 0
    if cutoff is not None:
        tracker = create_engine(tracker_store_url(settings))
        try:
            run.counts["conversations"], _ = purge_conversations(tracker, cutoff, dry_run)
        finally:
            tracker.dispose()
    backend = BackendSettings(data_dir=settings.data_dir)
    url = backend.resolved_database_url()
    upgrade(url)
    engine = make_engine(url)
    try:
        with make_session_factory(engine)() as session:
            purge_backend(session, run, retention, backend.attachments_dir)
            record_purge(session, run, retention)
            if dry_run:
                session.rollback()
            else:
                session.commit()
    finally:
        engine.dispose()
    logger.info("retention purge%s: %s", " (dry run)" if dry_run else "", run.counts)
    return run.counts


def report(counts: dict[str, int], dry_run: bool) -> list[str]:
    """One line per kind for the operator."""
    verb = "would purge" if dry_run else "purged"
    units = {"conversations": "conversation events"}
    return [f"{verb} {counts.get(kind, 0)} {units.get(kind, kind)}" for kind in KINDS]
