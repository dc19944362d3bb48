"""Recording staff and admin changes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from backend_api.audit.models import AuditEntry
from backend_api.users.security import Principal


def _jsonable(value: Any) -> Any:
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    return value


def snapshot(obj: object, fields: Iterable[str]) -> dict[str, Any]:
    """Copy ``fields`` of ``obj`` into a JSON-ready dict."""
    return {name: _jsonable(getattr(obj, name)) for name in fields}


def record_change(
    session: Session,
    actor: Principal,
    action: str,
    entity: str,
    entity_id: str,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
) -> None:
    """Add an audit entry in the caller's transaction: the change and its record commit together."""
    session.add(
        AuditEntry(
            actor=actor.username,
            action=action,
            entity=entity,
            entity_id=entity_id,
            before=before,
            after=after,
        )
    )


def list_entries(
    session: Session, entity: str | None, actor: str | None, limit: int, offset: int
) -> list[AuditEntry]:
    """Audit entries, newest first, optionally filtered."""
    query = select(AuditEntry).order_by(AuditEntry.id.desc())
    if entity:
        query = query.where(AuditEntry.entity == entity)
    if actor:
        query = query.where(AuditEntry.actor == actor)
    return list(session.scalars(query.limit(limit).offset(offset)))
