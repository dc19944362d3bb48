"""Filing a citizen's record exactly once: the one rule for idempotent submission.

A record filed through the assistant (a service request, a complaint) carries the client's
``Idempotency-Key`` and a hash of the submission. A retry with the same key and the same content
gets the first record back; other content under the same key is refused, so a reused key never
reveals someone else's record. Each record gets a fresh random tracking code; the rare collision
with an existing code is retried with another.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import TypeVar

from pydantic import BaseModel
from sqlalchemy import String, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column

from backend_api.errors import ApiError, Conflict

CODE_ATTEMPTS = 8  # a collision of ten random digits is rare; eight in a row means trouble


class FiledOnce:
    """Columns of a record that a retried submission must not file twice."""

    idempotency_key: Mapped[str | None] = mapped_column(String(128), unique=True)
    payload_hash: Mapped[str] = mapped_column(String(64), default="")


Record = TypeVar("Record", bound=FiledOnce)


def payload_hash(submission: BaseModel) -> str:
    """A stable fingerprint of a submission, to tell a retry from a different one."""
    canonical = json.dumps(submission.model_dump(mode="json"), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def file_once(
    session: Session,
    model: type[Record],
    submission: BaseModel,
    idempotency_key: str | None,
    build: Callable[[], Record],
) -> tuple[Record, bool]:
    """Add the record ``build`` makes (a new tracking code on each call) and flush it; return it
    and True, or the record an earlier submission with the same key filed and False.

    Each attempt runs in a savepoint, so a collision undoes only that attempt, not the caller's
    transaction.
    """
    fingerprint = payload_hash(submission)
    if idempotency_key:
        existing = _filed_under(session, model, idempotency_key)
        if existing is not None:
            return _replay(existing, fingerprint), False
    for _attempt in range(CODE_ATTEMPTS):
        record = build()
        record.idempotency_key = idempotency_key or None
        record.payload_hash = fingerprint
        try:
            with session.begin_nested():
                session.add(record)
        except IntegrityError:
            if idempotency_key:
                # A concurrent retry won the race: answer with its record.
                existing = _filed_under(session, model, idempotency_key)
                if existing is not None:
                    return _replay(existing, fingerprint), False
            continue  # tracking code collision: draw another
        return record, True
    raise ApiError(503, "try_again")


def _filed_under(session: Session, model: type[Record], key: str) -> Record | None:
    return session.scalar(select(model).where(model.idempotency_key == key))


def _replay(existing: Record, fingerprint: str) -> Record:
    if existing.payload_hash != fingerprint:
        raise Conflict("idempotency_key_reused")
    return existing
