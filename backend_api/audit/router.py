"""Audit log endpoint (admins)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, ConfigDict

from backend_api.audit import service
from backend_api.deps import DbSession
from backend_api.users.deps import ADMIN
from backend_api.users.security import Principal

router = APIRouter(tags=["audit"])


class AuditOut(BaseModel):
    """One audit entry."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    actor: str
    action: str
    entity: str
    entity_id: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    at: dt.datetime


@router.get("/admin/audit", response_model=list[AuditOut])
def audit_log(
    *,
    entity: str | None = None,
    actor: str | None = None,
    limit: int = Query(50, ge=1, le=500),
    offset: int = Query(0, ge=0),
    _: Principal = Depends(ADMIN),
    session: DbSession,
) -> list[AuditOut]:
    """Read the audit log, newest first."""
    entries = service.list_entries(session, entity, actor, limit, offset)
    return [AuditOut.model_validate(e) for e in entries]
