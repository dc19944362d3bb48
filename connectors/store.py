"""The gateway's own small database: seen inbound ids, web history and inbox, delivered outbox ids,
the last options offered per sender, request proofs and long button payloads.

SQLite in the data dir by default (WAL); any SQLAlchemy URL (PostgreSQL) when several gateway
replicas must share it. Every method is synchronous and short; async callers go through
:meth:`Store.run`: on SQLite the call runs right away on the event loop (a fraction of a
millisecond; handing it to a thread costs more, in GIL hand-overs, than it saves), on a database
server it runs in a worker thread so the event loop never waits on the network.

The one write of every web message, :meth:`Store.add_history`, is the gateway's largest CPU cost
after the HTTP work: on SQLite it is one ``INSERT … RETURNING`` on a DB-API connection kept for it
(~50 µs instead of ~250 µs through SQLAlchemy's statement building), elsewhere one executemany.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import json
import logging
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    Engine,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    create_engine,
    delete,
    event,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError

from connectors.messages import Proof

logger = logging.getLogger(__name__)

AUTOCHECKPOINT_PAGES = 20_000  # a safety net only: see Store.checkpoint
TRIM_EVERY = 32  # trim a session's history when the row ids cross a multiple of this
_SQLITE_TIME = "%Y-%m-%d %H:%M:%S.%f"  # how SQLAlchemy stores a DateTime in SQLite
_SQLITE_TRIM = (
    "DELETE FROM gw_history WHERE session = ? AND id <= (SELECT id FROM gw_history"
    " WHERE session = ? ORDER BY id DESC LIMIT 1 OFFSET ?)"
)

P = ParamSpec("P")
T = TypeVar("T")

metadata = MetaData()

seen = Table(
    "gw_seen",
    metadata,
    Column("channel", String(32), primary_key=True),
    Column("key", String(200), primary_key=True),
    Column("at", DateTime, nullable=False, index=True),
)
# Inbound messages acknowledged to the platform but not yet answered: kept until handled, so a
# gateway that dies in between answers them after it comes back (or another replica does).
inbox = Table(
    "gw_inbox",
    metadata,
    Column("channel", String(32), primary_key=True),
    Column("key", String(200), primary_key=True),
    Column("payload", Text, nullable=False),
    Column("attempts", Integer, nullable=False, default=0),
    Column("at", DateTime, nullable=False, index=True),
)
history = Table(
    "gw_history",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("session", String(120), nullable=False, index=True),
    Column("entry", Text, nullable=False),
    Column("outbox_id", Integer, unique=True, nullable=True),
    Column("at", DateTime, nullable=False, index=True),
)
_INSERT_HISTORY = insert(history).returning(history.c.id, sort_by_parameter_order=True)
delivered = Table(
    "gw_delivered",
    metadata,
    Column("channel", String(32), primary_key=True),
    Column("outbox_id", Integer, primary_key=True),
    Column("at", DateTime, nullable=False, index=True),
)
options = Table(
    "gw_options",
    metadata,
    Column("sender", String(200), primary_key=True),
    Column("options", Text, nullable=False),
    Column("at", DateTime, nullable=False, index=True),
)
proofs = Table(
    "gw_proofs",
    metadata,
    Column("sender", String(200), primary_key=True),
    Column("tracking_code", String(30), primary_key=True),
    Column("mobile", String(20), nullable=True),
    Column("national_code", String(20), nullable=True),
    Column("accepts_attachments", Boolean, nullable=False, default=True),
    Column("at", DateTime, nullable=False, index=True),
)
payloads = Table(
    "gw_payloads",
    metadata,
    Column("key", String(40), primary_key=True),
    Column("payload", Text, nullable=False),
    Column("at", DateTime, nullable=False, index=True),
)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    # The WAL is copied back by Store.checkpoint in a worker thread (the app calls it every
    # second), not by whichever write crosses 1,000 pages: that one would fsync on the event loop.
    cursor.execute(f"PRAGMA wal_autocheckpoint={AUTOCHECKPOINT_PAGES}")
    cursor.close()


class Store:
    """The gateway's tables and the few operations the channels need."""

    def __init__(self, url: str) -> None:
        # SQLite has one writer at a time and makes the others sleep and retry; writers of this
        # process take turns on a lock instead (much faster under a burst). PostgreSQL needs none.
        self._write_lock: threading.Lock | None = None
        self._raw: Any = None  # SQLite: the DB-API connection of add_history
        if url.startswith("sqlite:///"):
            self._write_lock = threading.Lock()
            Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
            self.engine: Engine = create_engine(
                url, connect_args={"check_same_thread": False, "timeout": 10}
            )
            event.listen(self.engine, "connect", _sqlite_pragmas)
        else:
            self.engine = create_engine(url, pool_pre_ping=True)
        metadata.create_all(self.engine)
        if self._write_lock is not None:
            self._raw = self.engine.raw_connection()

    @contextlib.contextmanager
    def _write(self) -> Iterator[Any]:
        """A write transaction."""
        if self._write_lock is None:
            with self.engine.begin() as conn:
                yield conn
            return
        with self._write_lock, self.engine.begin() as conn:
            yield conn

    def close(self) -> None:
        """Release the connections."""
        if self._raw is not None:
            self._raw.close()
            self._raw = None
        self.engine.dispose()

    @property
    def is_sqlite(self) -> bool:
        """Whether this store is a SQLite file (one gateway process)."""
        return self._write_lock is not None

    def checkpoint(self) -> None:
        """Copy SQLite's write-ahead log back into the database (call it off the event loop)."""
        if self.is_sqlite:
            with self.engine.connect() as conn:
                conn.exec_driver_sql("PRAGMA wal_checkpoint(PASSIVE)")

    async def run(self, function: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        """Run one store method: inline on SQLite, in a worker thread on a database server."""
        if self._write_lock is not None:
            return function(*args, **kwargs)
        return await asyncio.to_thread(function, *args, **kwargs)

    # --- inbound de-duplication ---
    def first_seen(self, channel: str, key: str, payload: str | None = None) -> bool:
        """Record an inbound message id; False if it was already recorded (a retry).

        With ``payload``, the message is also kept in the inbox, in the same transaction, until
        ``inbox_done`` says it was handled.
        """
        now = _now()
        try:
            with self._write() as conn:
                conn.execute(insert(seen).values(channel=channel, key=key[:200], at=now))
                if payload is not None:
                    conn.execute(
                        insert(inbox).values(
                            channel=channel, key=key[:200], payload=payload, attempts=0, at=now
                        )
                    )
        except IntegrityError:
            return False
        return True

    def inbox_done(self, channel: str, key: str) -> None:
        """Forget an inbound message that has been handled."""
        with self._write() as conn:
            conn.execute(delete(inbox).where(inbox.c.channel == channel, inbox.c.key == key[:200]))

    def claim_unhandled(
        self, channel: str, older_than_s: float, max_attempts: int
    ) -> list[tuple[str, str]]:
        """Take the inbox messages left unhandled for ``older_than_s``: (key, payload) pairs.

        Each is claimed by moving its time to now, on the condition that nobody moved it first, so
        two replicas never take the same one; one tried ``max_attempts`` times is dropped.
        """
        now = _now()
        cutoff = now - dt.timedelta(seconds=older_than_s)
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(inbox.c.key, inbox.c.payload, inbox.c.attempts, inbox.c.at).where(
                    inbox.c.channel == channel, inbox.c.at < cutoff
                )
            ).all()
        claimed: list[tuple[str, str]] = []
        for key, payload, attempts, at in rows:
            mine = (inbox.c.channel == channel) & (inbox.c.key == key) & (inbox.c.at == at)
            with self._write() as conn:
                if attempts >= max_attempts:
                    conn.execute(delete(inbox).where(mine))
                    logger.error(
                        "%s: inbound message %s dropped after %d tries", channel, key, attempts
                    )
                    continue
                taken = conn.execute(
                    update(inbox).where(mine).values(attempts=attempts + 1, at=now)
                ).rowcount
            if taken == 1:
                claimed.append((key, payload))
        return claimed

    # --- web history and inbox ---
    def add_history(self, session: str, entries: list[dict[str, Any]], limit: int) -> list[int]:
        """Append entries to a web session's history (keeping about the last ``limit``)."""
        if not entries:
            return []
        now = _now()
        texts = [json.dumps(entry, ensure_ascii=False) for entry in entries]
        if self._raw is not None and self._write_lock is not None:
            return self._add_history_sqlite(session, texts, now, limit)
        rows = [{"session": session, "entry": text, "at": now} for text in texts]
        with self._write() as conn:
            ids = [int(i) for i in conn.execute(_INSERT_HISTORY, rows).scalars()]
            if ids[0] // TRIM_EVERY != ids[-1] // TRIM_EVERY:
                self._trim(conn, session, limit)  # now and then: reads return the last ``limit``
        return ids

    def _add_history_sqlite(
        self, session: str, texts: list[str], now: dt.datetime, limit: int
    ) -> list[int]:
        assert self._write_lock is not None
        at = now.strftime(_SQLITE_TIME)
        values = ", ".join(["(?, ?, ?)"] * len(texts))
        params = [value for text in texts for value in (session, text, at)]
        with self._write_lock:
            cursor = self._raw.cursor()
            try:
                cursor.execute(
                    f"INSERT INTO gw_history (session, entry, at) VALUES {values} RETURNING id",
                    params,
                )
                ids = sorted(int(row[0]) for row in cursor.fetchall())
                if ids[0] // TRIM_EVERY != ids[-1] // TRIM_EVERY:
                    cursor.execute(_SQLITE_TRIM, (session, session, limit))
                self._raw.commit()
            except BaseException:
                self._raw.rollback()
                raise
            finally:
                cursor.close()
        return ids

    @staticmethod
    def _trim(conn: Any, session: str, limit: int) -> None:
        cutoff = conn.execute(
            select(history.c.id)
            .where(history.c.session == session)
            .order_by(history.c.id.desc())
            .offset(limit)
            .limit(1)
        ).scalar()
        if cutoff is not None:
            conn.execute(
                delete(history).where(history.c.session == session, history.c.id <= cutoff)
            )

    def add_notice(self, session: str, outbox_id: int, entry: dict[str, Any], limit: int) -> bool:
        """Put a notification in a web session's inbox once; False if it is already there."""
        try:
            with self._write() as conn:
                conn.execute(
                    insert(history).values(
                        session=session,
                        entry=json.dumps(entry, ensure_ascii=False),
                        outbox_id=outbox_id,
                        at=_now(),
                    )
                )
        except IntegrityError:
            return False
        return True

    def history(self, session: str, after: int = 0, limit: int = 200) -> list[dict[str, Any]]:
        """A web session's entries after ``after``, oldest first, each with its ``seq``."""
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(history.c.id, history.c.entry)
                .where(history.c.session == session, history.c.id > after)
                .order_by(history.c.id.desc())
                .limit(limit)
            ).all()
        return [{**json.loads(entry), "seq": seq} for seq, entry in reversed(rows)]

    # --- outbox deliveries ---
    def was_delivered(self, channel: str, outbox_id: int) -> bool:
        """Whether this outbox message already reached the citizen on this channel."""
        with self.engine.connect() as conn:
            found = conn.execute(
                select(delivered.c.outbox_id).where(
                    delivered.c.channel == channel, delivered.c.outbox_id == outbox_id
                )
            ).first()
        return found is not None

    def mark_delivered(self, channel: str, outbox_id: int) -> None:
        """Remember that this outbox message reached the citizen."""
        try:
            with self._write() as conn:
                conn.execute(
                    insert(delivered).values(channel=channel, outbox_id=outbox_id, at=_now())
                )
        except IntegrityError:
            pass

    # --- numbered options / reply keyboards ---
    def set_options(self, sender: str, choices: list[dict[str, str]]) -> None:
        """Remember the options last offered to a sender (an empty list forgets them)."""
        with self._write() as conn:
            conn.execute(delete(options).where(options.c.sender == sender))
            if choices:
                conn.execute(
                    insert(options).values(
                        sender=sender, options=json.dumps(choices, ensure_ascii=False), at=_now()
                    )
                )

    def get_options(self, sender: str) -> list[dict[str, str]]:
        """The options last offered to a sender."""
        with self.engine.connect() as conn:
            raw = conn.execute(select(options.c.options).where(options.c.sender == sender)).scalar()
        return json.loads(raw) if raw else []

    # --- request proofs (for attachments) ---
    def save_proof(self, sender: str, proof: Proof) -> None:
        """Remember the identity a request of this conversation was filed with."""
        with self._write() as conn:
            conn.execute(
                delete(proofs).where(
                    proofs.c.sender == sender, proofs.c.tracking_code == proof.tracking_code
                )
            )
            conn.execute(
                insert(proofs).values(
                    sender=sender,
                    tracking_code=proof.tracking_code,
                    mobile=proof.mobile,
                    national_code=proof.national_code,
                    accepts_attachments=proof.accepts_attachments,
                    at=_now(),
                )
            )

    def get_proof(self, sender: str, tracking_code: str | None = None) -> Proof | None:
        """The proof of one request of this conversation, or of its latest one."""
        query = select(proofs).where(proofs.c.sender == sender)
        if tracking_code:
            query = query.where(proofs.c.tracking_code == tracking_code)
        with self.engine.connect() as conn:
            row = conn.execute(query.order_by(proofs.c.at.desc()).limit(1)).first()
        if row is None:
            return None
        return Proof(row.tracking_code, row.mobile, row.national_code, row.accepts_attachments)

    # --- long button payloads (Telegram callback data is at most 64 bytes) ---
    def put_payload(self, key: str, payload: str) -> None:
        """Keep a payload under a short key (the key is derived from the payload)."""
        try:
            with self._write() as conn:
                conn.execute(insert(payloads).values(key=key, payload=payload, at=_now()))
        except IntegrityError:
            with self._write() as conn:
                conn.execute(update(payloads).where(payloads.c.key == key).values(at=_now()))

    def get_payload(self, key: str) -> str | None:
        """The payload kept under ``key``."""
        with self.engine.connect() as conn:
            return conn.execute(select(payloads.c.payload).where(payloads.c.key == key)).scalar()

    # --- housekeeping ---
    def prune(self, history_days: int, keep_days: int = 30) -> None:
        """Forget idle web sessions, old inbound ids, deliveries, options, proofs and payloads."""
        now = _now()
        old = now - dt.timedelta(days=keep_days)
        idle = now - dt.timedelta(days=history_days)
        with self._write() as conn:
            active = (
                select(history.c.session)
                .group_by(history.c.session)
                .having(func.max(history.c.at) >= idle)
            )
            conn.execute(delete(history).where(history.c.session.not_in(active)))
            for table in (seen, delivered, options, proofs, payloads):
                conn.execute(delete(table).where(table.c.at < old))
