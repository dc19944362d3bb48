"""Admin: the audit log with filters."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Query, Request, Response
from sqlalchemy import select

from backend_api.audit.models import AuditEntry
from backend_api.console.deps import AdminUser, Settings
from backend_api.console.formatting import TEHRAN, parse_jalali
from backend_api.console.web import ConsoleRoute, render, texts
from backend_api.deps import DbSession

router = APIRouter(route_class=ConsoleRoute)


@router.get("/audit")
def audit_log(
    request: Request,
    user: AdminUser,
    session: DbSession,
    settings: Settings,
    entity: str = Query("", max_length=64),
    actor: str = Query("", max_length=100),
    action: str = Query("", max_length=64),
    date_from: str = Query("", max_length=20),
    date_to: str = Query("", max_length=20),
    page: int = Query(1, ge=1, le=100000),
) -> Response:
    """Who changed what and when, newest first."""
    query = select(AuditEntry).order_by(AuditEntry.id.desc())
    if entity:
        query = query.where(AuditEntry.entity == entity)
    if actor:
        query = query.where(AuditEntry.actor == actor)
    if action:
        query = query.where(AuditEntry.action == action)
    error = ""
    try:
        start, end = parse_jalali(date_from), parse_jalali(date_to)
    except ValueError:
        start = end = None
        error = texts().get("errors", "invalid_date")
    if start:
        query = query.where(AuditEntry.at >= dt.datetime.combine(start, dt.time(), TEHRAN))
    if end:
        next_day = dt.datetime.combine(end + dt.timedelta(days=1), dt.time(), TEHRAN)
        query = query.where(AuditEntry.at < next_day)
    size = settings.page_size
    rows = list(session.scalars(query.limit(size + 1).offset((page - 1) * size)))
    entities = sorted(set(session.scalars(select(AuditEntry.entity).distinct())))
    return render(
        request,
        "audit.html",
        {
            "rows": rows[:size],
            "has_next": len(rows) > size,
            "page": page,
            "entities": entities,
            "filters": {
                "entity": entity,
                "actor": actor,
                "action": action,
                "date_from": date_from,
                "date_to": date_to,
            },
            "error": error,
            "query": request.query_params,
        },
    )
