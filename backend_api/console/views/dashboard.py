"""The dashboard: charts of requests, satisfaction, complaints and unresolved questions."""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from fastapi import APIRouter, Request, Response
from sqlalchemy import func, select

from backend_api.console import reports
from backend_api.console.deps import Settings, StaffUser
from backend_api.console.excel import XLSX_TYPE, workbook
from backend_api.console.grouping import group_cache
from backend_api.console.web import ConsoleRoute, api_messages, render, texts
from backend_api.deps import DbSession
from backend_api.errors import NotFound
from backend_api.handoff.models import Handoff
from backend_api.unresolved.models import UnresolvedQuestion

logger = logging.getLogger(__name__)

router = APIRouter(route_class=ConsoleRoute)
CACHE_SECONDS = 30.0  # the dashboard's figures may be this old; a busy day's queries cost more


class _Cache:
    """Charts per agency scope, kept for a few seconds (many people open the dashboard)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.entries: dict[Any, tuple[float, list[reports.Chart]]] = {}


def _charts(
    request: Request, session: DbSession, scope: frozenset[int] | None, limit: int
) -> list[reports.Chart]:
    state = request.app.state
    cache = getattr(state, "console_dashboard", None)
    if cache is None:
        cache = state.console_dashboard = _Cache()
    key = tuple(sorted(scope)) if scope is not None else None
    now = time.monotonic()
    with cache.lock:
        hit = cache.entries.get(key)
    if hit and now - hit[0] < CACHE_SECONDS:
        return hit[1]
    groups = group_cache(state).groups(session, limit)
    charts = reports.dashboard(
        session, scope, texts(), api_messages(request).section("statuses"), groups
    )
    with cache.lock:
        cache.entries[key] = (now, charts)
    return charts


@router.get("/")
def dashboard(
    request: Request, user: StaffUser, session: DbSession, settings: Settings
) -> Response:
    """Headline figures and every chart for the user's agencies."""
    charts = _charts(request, session, user.scope, settings.cluster_limit)
    by_status = next(c for c in charts if c.key == "by_status")
    figures = {
        "requests": sum(by_status.series[0]["data"]),
        "overdue": reports.overdue_count(session, user.scope),
        "unresolved": session.scalar(
            select(func.count()).where(UnresolvedQuestion.status == "new")
        ),
        "handoffs": session.scalar(select(func.count()).where(Handoff.status == "open")),
    }
    return render(request, "dashboard.html", {"charts": charts, "figures": figures})


@router.get("/dashboard/{key}.xlsx")
def chart_download(
    key: str, request: Request, user: StaffUser, session: DbSession, settings: Settings
) -> Response:
    """One chart's data as an Excel file."""
    chart = next(
        (c for c in _charts(request, session, user.scope, settings.cluster_limit) if c.key == key),
        None,
    )
    if chart is None:
        raise NotFound("not_found")
    header = [texts().get("columns", "label"), *(s["label"] for s in chart.series)]
    content = workbook([(chart.title[:31], header, chart.rows())])
    return Response(
        content,
        media_type=XLSX_TYPE,
        headers={"Content-Disposition": f'attachment; filename="dastyar-{key}.xlsx"'},
    )
