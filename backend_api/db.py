"""Database engine, sessions and the declarative base shared by every domain."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from typing import Any

from sqlalchemy import JSON, DateTime, MetaData, create_engine, event
from sqlalchemy.engine import Dialect, Engine
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.orm import DeclarativeBase, Session, SessionTransaction, sessionmaker
from sqlalchemy.types import TypeDecorator

PING_AFTER_IDLE_S = 5.0

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> dt.datetime:
    """Current time, timezone-aware UTC."""
    return dt.datetime.now(dt.UTC)


class UtcDateTime(TypeDecorator[dt.datetime]):
    """A timestamp that is always timezone-aware UTC, also on SQLite (which stores no offset)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        if value is not None and value.tzinfo is not None:
            value = value.astimezone(dt.UTC)
        return value

    def process_result_value(
        self, value: dt.datetime | None, dialect: Dialect
    ) -> dt.datetime | None:
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=dt.UTC)
        return value


class Base(DeclarativeBase):
    """Declarative base with a naming convention so migrations are stable across databases."""

    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {
        dict[str, Any]: JSON,
        list[str]: JSON,
        list[dict[str, Any]]: JSON,
        dt.datetime: UtcDateTime(),
    }


def make_engine(url: str, *, ping_after_idle_s: float = PING_AFTER_IDLE_S) -> Engine:
    """Create an engine; SQLite gets foreign keys, WAL and a busy timeout for concurrent writers;
    a server database's pooled connections are checked when they were idle ``ping_after_idle_s``."""
    if url.startswith("sqlite"):
        # As many pooled connections as FastAPI's worker threads (40): reopening one re-runs
        # the PRAGMAs below on the hot path.
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": 30},
            pool_size=40,
            max_overflow=10,
        )

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.close()

        return engine
    engine = create_engine(url, pool_size=20, max_overflow=20)
    _ping_connections_after_idle(engine, ping_after_idle_s)
    return engine


def _ping_connections_after_idle(engine: Engine, idle_s: float) -> None:
    # SQLAlchemy's pool_pre_ping costs a round trip on every checkout (~8 % of a status check's
    # CPU, measured). A pooled connection that went stale, after a database restart or a
    # dropped link, has nearly always sat idle first; so only those are pinged, and a dead one
    # is replaced before it is used. A connection that dies while busy raises a disconnect,
    # on which SQLAlchemy discards the whole pool.
    @event.listens_for(engine, "checkin")
    def _checked_in(_dbapi_conn: Any, record: Any) -> None:
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _ping_if_idle(dbapi_conn: Any, record: Any, _proxy: Any) -> None:
        idle_since = record.info.get("idle_since")
        if idle_since is None or time.monotonic() - idle_since < idle_s:
            return
        try:
            engine.dialect.do_ping(dbapi_conn)
        except Exception as exc:
            raise DisconnectionError("stale pooled connection") from exc


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    """Session factory bound to ``engine``; objects stay readable after commit."""
    return sessionmaker(bind=engine, expire_on_commit=False)


def finish_session(session: Session, *, failed: bool) -> None:
    """End ``session``'s transaction: commit it, or roll it back if the work ``failed``."""
    try:
        if failed:
            session.rollback()
        else:
            session.commit()
    except Exception:
        session.rollback()
        raise
    finally:
        session.close()


def after_commit(session: Session, action: Callable[[], object]) -> None:
    """Run ``action`` once ``session``'s current transaction has committed; never if it is
    rolled back. For effects outside the database (a call to Rasa) that must follow the change."""
    pending = [action]

    def run(_session: Session) -> None:
        while pending:
            pending.pop()()

    def forget(_session: Session, transaction: SessionTransaction) -> None:
        if transaction.parent is None:  # the outer transaction ended: committed or not
            pending.clear()

    # after_commit fires before after_transaction_end, so a commit runs the action first.
    event.listen(session, "after_commit", run, once=True)
    event.listen(session, "after_transaction_end", forget)
