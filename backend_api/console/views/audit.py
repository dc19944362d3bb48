"""Admin: the audit log with filters."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Query, Request, Response
from sqlalchemy import select

from backend_api.audit.models import AuditEntry
from backend_api.console.dates import Dates
from backend_api.console.deps import AdminUser
from backend_api.console.formatting import TEHRAN
from backend_api.console.paging import Paged
from backend_api.console.web import ConsoleRoute, render
from backend_api.deps import DbSession

router = APIRouter(route_class=ConsoleRoute)


@router.get("/audit")
def audit_log(
    request: Request,
    user: AdminUser,
    session: DbSession,
    paged: Paged,
    dates: Dates,
    entity: str = Query("", max_length=64),
    actor: str = Query("", max_length=100),
    action: str = Query("", max_length=64),
) -> Response:
    """Who changed what and when, newest first."""
    query = select(AuditEntry).order_by(AuditEntry.id.desc())
    if entity:
        query = query.where(AuditEntry.entity == entity)
    if actor:
        query = query.where(AuditEntry.actor == actor)
    if action:
        query = query.where(AuditEntry.action == action)
    if dates.start:
        query = query.where(AuditEntry.at >= dt.datetime.combine(dates.start, dt.time(), TEHRAN))
    if dates.end:
        next_day = dt.datetime.combine(dates.end + dt.timedelta(days=1), dt.time(), TEHRAN)
        query = query.where(AuditEntry.at < next_day)
    rows = list(session.scalars(query.limit(paged.probe).offset(paged.offset)))
    entities = sorted(set(session.scalars(select(AuditEntry.entity).distinct())))
    return render(
        request,
        "audit.html",
        {
            **paged.context(rows),
            "entities": entities,
            "filters": {"entity": entity, "actor": actor, "action": action},
            "dates": dates,
        },
    )
