"""Purging the backend's personal data past its retention period, and recording what went.

Each kind is one small function that counts (dry run) or removes what is older than its cutoff,
in the caller's transaction; the caller commits (``python -m assistant purge``). Attachment
files are removed from disk only once the rows' deletion has committed.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from sqlalchemy import String, cast, delete, exists, func, or_, select, update
from sqlalchemy.orm import Session

from backend_api.audit.service import record_change
from backend_api.db import after_commit, utcnow
from backend_api.handoff.models import Handoff, HandoffMessage
from backend_api.notifications.models import OutboxMessage
from backend_api.requests.models import Attachment, ServiceRequest
from backend_api.requests.workflow import CLOSED
from backend_api.retention.settings import RetentionSettings
from backend_api.unresolved.models import UnresolvedQuestion
from backend_api.users.security import Principal

logger = logging.getLogger(__name__)

ACTOR = Principal("retention", "system")  # who the audit log says purged
BATCH = 500  # ids per statement: well inside every database's limit on bound parameters


@dataclass
class Purge:
    """One run: the cutoff of each kind, and what was (or, in a dry run, would be) purged."""

    dry_run: bool
    now: dt.datetime = field(default_factory=utcnow)
    counts: dict[str, int] = field(default_factory=dict)

    def cutoff(self, days: int) -> dt.datetime | None:
        """The moment before which a kind kept ``days`` is purged (None: kept forever)."""
        return self.now - dt.timedelta(days=days) if days > 0 else None


def _batches(ids: Sequence[int]) -> Iterator[Sequence[int]]:
    for start in range(0, len(ids), BATCH):
        yield ids[start : start + BATCH]


def purge_transcripts(session: Session, run: Purge, cutoff: dt.datetime, _files: Path) -> int:
    """Closed handoffs' question, transcript and live messages; the row stays for the reports."""
    has_words = or_(
        Handoff.question != "",
        cast(Handoff.transcript, String) != "[]",
        exists().where(HandoffMessage.handoff_id == Handoff.id),
    )
    ids = list(
        session.scalars(
            select(Handoff.id).where(
                Handoff.status == "closed", Handoff.closed_at < cutoff, has_words
            )
        )
    )
    if not run.dry_run:
        for batch in _batches(ids):
            session.execute(delete(HandoffMessage).where(HandoffMessage.handoff_id.in_(batch)))
            session.execute(
                update(Handoff)
                .where(Handoff.id.in_(batch))
                .values(question="", transcript=[])
                .execution_options(synchronize_session=False)
            )
    return len(ids)


def purge_unresolved(session: Session, run: Purge, cutoff: dt.datetime, _files: Path) -> int:
    """Unresolved questions answered or dismissed before the cutoff (waiting ones stay)."""
    old = (UnresolvedQuestion.status != "new", UnresolvedQuestion.updated_at < cutoff)
    return _count_or_delete(session, run, UnresolvedQuestion, old)


def purge_notifications(session: Session, run: Purge, cutoff: dt.datetime, _files: Path) -> int:
    """Outbox messages delivered before the cutoff."""
    old = (OutboxMessage.status == "sent", OutboxMessage.sent_at < cutoff)
    return _count_or_delete(session, run, OutboxMessage, old)


def purge_attachments(session: Session, run: Purge, cutoff: dt.datetime, files: Path) -> int:
    """Files of requests closed (completed or rejected) before the cutoff: rows, then bytes."""
    rows = session.execute(
        select(Attachment.id, Attachment.stored_name)
        .join(ServiceRequest, ServiceRequest.id == Attachment.request_id)
        .where(ServiceRequest.status.in_(CLOSED), ServiceRequest.updated_at < cutoff)
    ).all()
    if not run.dry_run and rows:
        ids = [row.id for row in rows]
        for batch in _batches(ids):
            session.execute(delete(Attachment).where(Attachment.id.in_(batch)))
        paths = [files / row.stored_name for row in rows]
        after_commit(session, partial(_remove_files, paths))
    return len(rows)


def _count_or_delete(session: Session, run: Purge, model: Any, where: tuple[Any, ...]) -> int:
    count = session.scalar(select(func.count()).select_from(model).where(*where)) or 0
    if count and not run.dry_run:
        session.execute(delete(model).where(*where))
    return count


def _remove_files(paths: list[Path]) -> None:
    for path in paths:
        path.unlink(missing_ok=True)
    logger.info("removed %d attachment files past their retention", len(paths))


Purger = Callable[[Session, Purge, dt.datetime, Path], int]

# kind → (its setting in RetentionSettings, its purge); conversations live in Rasa's store
BACKEND_KINDS: dict[str, tuple[str, Purger]] = {
    "transcripts": ("transcripts_days", purge_transcripts),
    "unresolved": ("unresolved_days", purge_unresolved),
    "notifications": ("notifications_days", purge_notifications),
    "attachments": ("attachments_days", purge_attachments),
}


def purge_backend(
    session: Session, run: Purge, settings: RetentionSettings, attachments_dir: Path
) -> dict[str, int]:
    """Purge (or count) every backend kind past its retention; the counts by kind."""
    for kind, (setting, purge) in BACKEND_KINDS.items():
        cutoff = run.cutoff(getattr(settings, setting))
        run.counts[kind] = purge(session, run, cutoff, attachments_dir) if cutoff else 0
    return run.counts


def record_purge(session: Session, run: Purge, settings: RetentionSettings) -> None:
    """Count what a run purged in the audit log (nothing purged, nothing recorded)."""
    if run.dry_run or not any(run.counts.values()):
        return
    days = {kind: getattr(settings, f"{kind}_days") for kind in run.counts}
    after = {"purged": dict(run.counts), "days": days}
    record_change(session, ACTOR, "purge", "retention", run.now.date().isoformat(), None, after)
