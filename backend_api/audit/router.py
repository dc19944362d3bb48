"""Audit log endpoint (admins)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter

from backend_api.audit import service
from backend_api.common.paging import StaffSlice
from backend_api.common.schemas import RowModel
from backend_api.deps import DbSession
from backend_api.users.deps import Admin

router = APIRouter(tags=["audit"])


class AuditOut(RowModel):
    """One audit entry."""

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
    window: StaffSlice,
    _: Admin,
    session: DbSession,
) -> list[AuditOut]:
    """Read the audit log, newest first."""
    entries = service.list_entries(session, entity, actor, window.limit, window.offset)
    return [AuditOut.model_validate(e) for e in entries]
