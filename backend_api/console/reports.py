"""Figures for the dashboard and the open-data page, computed in the database."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, case, func, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from backend_api.catalogue.models import Agency, Service
from backend_api.console.formatting import jalali_date
from backend_api.console.texts import Texts
from backend_api.console.worklist import OPEN_STATUSES, in_scope, today
from backend_api.feedback.models import Complaint, Rating
from backend_api.handoff.models import Handoff
from backend_api.requests import workflow
from backend_api.requests.models import RequestEvent, ServiceRequest
from backend_api.unresolved.models import UnresolvedQuestion

DAYS = 30
TOP = 10
Narrow = Callable[[Select], Select]  # a query narrowed, e.g. to the user's agencies


@dataclass
class Chart:
    """One chart: its labels and series, also what its Excel download holds."""

    key: str
    title: str
    type: str
    labels: list[str]
    series: list[dict[str, Any]]
    horizontal: bool = False
    integer: bool = True  # counts: no fractional ticks

    def spec(self) -> dict[str, Any]:
        """What the browser's chart script reads."""
        return {
            "type": self.type,
            "labels": self.labels,
            "series": self.series,
            "horizontal": self.horizontal,
            "integer": self.integer,
        }

    def rows(self) -> list[list[Any]]:
        """The chart as a table: one row per label, one column per series."""
        return [
            [label, *(s["data"][i] for s in self.series)] for i, label in enumerate(self.labels)
        ]


def _scoped_services(scope: frozenset[int] | None) -> ColumnElement[bool]:
    return Service.agency_id.in_(scope) if scope is not None else Service.id.is_not(None)


def _days(session: Session, column: Any) -> Any:
    """A day-level expression that both SQLite and PostgreSQL group by."""
    return func.date(column)


def _duration_days(session: Session, end: Any, start: Any) -> Any:
    if session.get_bind().dialect.name == "postgresql":
        return func.extract("epoch", end - start) / 86400.0
    return func.julianday(end) - func.julianday(start)


def _jalali(days: list[str]) -> list[str]:
    return [jalali_date(dt.date.fromisoformat(d)) for d in days]


def _as_is(query: Select) -> Select:
    return query


def _rows(session: Session, query: Select) -> list[tuple[Any, ...]]:
    return [tuple(r) for r in session.execute(query)]


def by_status(session: Session, scope: frozenset[int] | None, statuses: dict[str, str]) -> Chart:
    """Requests per status."""
    query = in_scope(
        select(ServiceRequest.status, func.count()).group_by(ServiceRequest.status), scope
    )
    found = dict(_rows(session, query))
    return Chart(
        "by_status",
        "",
        "doughnut",
        [statuses.get(s, s) for s in workflow.STATUSES],
        [{"label": "", "data": [found.get(s, 0) for s in workflow.STATUSES]}],
    )


def by_service(session: Session, scope: frozenset[int] | None) -> Chart:
    """The most requested services."""
    counted = (
        select(ServiceRequest.service_id, func.count().label("n"))
        .group_by(ServiceRequest.service_id)
        .order_by(func.count().desc())
        .limit(TOP)
    )
    top = in_scope(counted, scope).subquery()
    query = select(Service.title, top.c.n).join(top, top.c.service_id == Service.id)
    rows = sorted(_rows(session, query), key=lambda r: -r[1])
    return Chart(
        "by_service",
        "",
        "bar",
        [r[0] for r in rows],
        [{"label": "", "data": [r[1] for r in rows]}],
        horizontal=True,
    )


def _per_agency(session: Session, scope: frozenset[int] | None, only_overdue: bool) -> Chart:
    counted = select(ServiceRequest.service_id, func.count().label("n")).group_by(
        ServiceRequest.service_id
    )
    if only_overdue:
        counted = counted.where(
            ServiceRequest.estimated_completion < today(), ServiceRequest.status.in_(OPEN_STATUSES)
        )
    sub = in_scope(counted, scope).subquery()
    query = (
        select(Agency.name, func.sum(sub.c.n))
        .join(Service, Service.agency_id == Agency.id)
        .join(sub, sub.c.service_id == Service.id)
        .group_by(Agency.name)
        .order_by(func.sum(sub.c.n).desc())
    )
    rows = _rows(session, query)
    key = "overdue" if only_overdue else "by_agency"
    return Chart(
        key, "", "bar", [r[0] for r in rows], [{"label": "", "data": [int(r[1]) for r in rows]}]
    )


def _daily_line(session: Session, key: str, series: list[tuple[str, Any, Narrow]]) -> Chart:
    """A line chart of the last 30 days: per series its label, the time column it counts by,
    and a function narrowing the query (to the user's agencies, say)."""
    start = dt.datetime.now(dt.UTC) - dt.timedelta(days=DAYS - 1)
    days = [(start.date() + dt.timedelta(days=i)).isoformat() for i in range(DAYS)]
    lines = []
    for label, column, narrow in series:
        day = _days(session, column)
        query = narrow(select(day, func.count()).where(column >= start).group_by(day))
        found = {str(d): n for d, n in _rows(session, query)}
        lines.append({"label": label, "data": [found.get(d, 0) for d in days]})
    return Chart(key, "", "line", _jalali(days), lines)


def per_day(session: Session, scope: frozenset[int] | None, columns: dict[str, str]) -> Chart:
    """Requests filed and questions left unanswered per day, last 30 days."""
    return _daily_line(
        session,
        "per_day",
        [
            (columns["requests"], ServiceRequest.created_at, lambda q: in_scope(q, scope)),
            (columns["unresolved"], UnresolvedQuestion.created_at, _as_is),
        ],
    )


def processing_time(
    session: Session, scope: frozenset[int] | None, columns: dict[str, str]
) -> Chart:
    """Mean days from filing to completion, against the days promised, per service."""
    took = _duration_days(session, RequestEvent.at, ServiceRequest.created_at)
    query = (
        select(Service.title, func.avg(took), func.max(Service.max_days))
        .select_from(RequestEvent)
        .join(ServiceRequest, ServiceRequest.id == RequestEvent.request_id)
        .join(Service, Service.id == ServiceRequest.service_id)
        .where(RequestEvent.status == workflow.COMPLETED, _scoped_services(scope))
        .group_by(Service.title)
        .order_by(func.count().desc())
        .limit(TOP)
    )
    rows = _rows(session, query)
    return Chart(
        "processing",
        "",
        "bar",
        [r[0] for r in rows],
        [
            {"label": columns["average_days"], "data": [round(float(r[1] or 0), 1) for r in rows]},
            {"label": columns["promised_days"], "data": [int(r[2] or 0) for r in rows]},
        ],
        horizontal=True,
        integer=False,
    )


def ratings(session: Session, scope: frozenset[int] | None) -> Chart:
    """How many ratings of each score."""
    query = (
        select(Rating.score, func.count())
        .join(Service, Service.id == Rating.service_id)
        .where(_scoped_services(scope))
        .group_by(Rating.score)
    )
    found = dict(_rows(session, query))
    scores = [1, 2, 3, 4, 5]
    return Chart(
        "ratings",
        "",
        "bar",
        [str(s) for s in scores],
        [{"label": "", "data": [found.get(s, 0) for s in scores]}],
    )


def rating_by(session: Session, scope: frozenset[int] | None, per: str) -> Chart:
    """Mean rating per service (most rated first) or per agency."""
    name = Service.title if per == "service" else Agency.name
    query = (
        select(name, func.avg(Rating.score), func.count())
        .select_from(Rating)
        .join(Service, Service.id == Rating.service_id)
        .join(Agency, Agency.id == Service.agency_id)
        .where(_scoped_services(scope))
        .group_by(name)
        .order_by(func.count().desc())
        .limit(TOP)
    )
    rows = _rows(session, query)
    return Chart(
        f"rating_by_{per}",
        "",
        "bar",
        [r[0] for r in rows],
        [{"label": "", "data": [round(float(r[1]), 2) for r in rows]}],
        horizontal=per == "service",
        integer=False,
    )


def complaints_by_agency(
    session: Session, scope: frozenset[int] | None, kinds: dict[str, str]
) -> Chart:
    """Complaints and suggestions per agency."""
    query = (
        select(
            Agency.name,
            func.sum(case((Complaint.kind == "complaint", 1), else_=0)),
            func.sum(case((Complaint.kind == "suggestion", 1), else_=0)),
        )
        .join(Agency, Agency.id == Complaint.agency_id)
        .group_by(Agency.name)
        .order_by(func.count().desc())
    )
    if scope is not None:
        query = query.where(Complaint.agency_id.in_(scope))
    rows = _rows(session, query)
    return Chart(
        "complaints_by_agency",
        "",
        "bar",
        [r[0] for r in rows],
        [
            {"label": kinds["complaint"], "data": [int(r[1] or 0) for r in rows]},
            {"label": kinds["suggestion"], "data": [int(r[2] or 0) for r in rows]},
        ],
    )


def handoffs_per_day(session: Session) -> Chart:
    """Conversations handed to a person per day, last 30 days."""
    return _daily_line(session, "handoffs_per_day", [("", Handoff.created_at, _as_is)])


def unresolved_groups(groups: list[Any]) -> Chart:
    """The biggest groups of unanswered questions."""
    top = groups[:TOP]
    return Chart(
        "unresolved_groups",
        "",
        "bar",
        [g.title for g in top],
        [{"label": "", "data": [g.size for g in top]}],
        horizontal=True,
    )


def dashboard(
    session: Session,
    scope: frozenset[int] | None,
    texts: Texts,
    statuses: dict[str, str],
    groups: list[Any],
) -> list[Chart]:
    """Every chart of the dashboard, titled, for the user's agencies."""
    columns = texts.section("columns")
    charts = [
        by_status(session, scope, statuses),
        by_service(session, scope),
        _per_agency(session, scope, only_overdue=False),
        _per_agency(session, scope, only_overdue=True),
        per_day(session, scope, columns),
        processing_time(session, scope, columns),
        ratings(session, scope),
        rating_by(session, scope, "service"),
        rating_by(session, scope, "agency"),
        complaints_by_agency(session, scope, texts.section("complaint_kinds")),
        unresolved_groups(groups),
        handoffs_per_day(session),
    ]
    for chart in charts:
        chart.title = texts.get("charts", chart.key)
        for serie in chart.series:
            serie["label"] = serie["label"] or chart.title
    return charts


def overdue_count(session: Session, scope: frozenset[int] | None) -> int:
    """Open requests past their estimated completion."""
    query = in_scope(
        select(func.count()).where(
            ServiceRequest.estimated_completion < today(), ServiceRequest.status.in_(OPEN_STATUSES)
        ),
        scope,
    )
    return session.scalar(query) or 0


def open_data(session: Session) -> list[dict[str, Any]]:
    """Per-service figures with no personal data: requests, completions on time, mean rating."""
    done = (
        select(
            ServiceRequest.service_id.label("service_id"),
            func.count().label("completed"),
            func.sum(
                case(
                    (func.date(RequestEvent.at) <= ServiceRequest.estimated_completion, 1), else_=0
                )
            ).label("on_time"),
        )
        .join(RequestEvent, RequestEvent.request_id == ServiceRequest.id)
        .where(RequestEvent.status == workflow.COMPLETED)
        .group_by(ServiceRequest.service_id)
        .subquery()
    )
    filed = (
        select(ServiceRequest.service_id.label("service_id"), func.count().label("n"))
        .group_by(ServiceRequest.service_id)
        .subquery()
    )
    rated = (
        select(
            Rating.service_id.label("service_id"),
            func.avg(Rating.score).label("mean"),
            func.count().label("n"),
        )
        .group_by(Rating.service_id)
        .subquery()
    )
    query = (
        select(
            Service.code,
            Service.title,
            Agency.name,
            filed.c.n,
            done.c.completed,
            done.c.on_time,
            rated.c.mean,
            rated.c.n,
        )
        .join(Agency, Agency.id == Service.agency_id)
        .outerjoin(filed, filed.c.service_id == Service.id)
        .outerjoin(done, done.c.service_id == Service.id)
        .outerjoin(rated, rated.c.service_id == Service.id)
        .where(Service.active.is_(True))
        .order_by(Service.code)
    )
    out = []
    for code, title, agency, n, completed, on_time, mean, ratings_n in session.execute(query):
        out.append(
            {
                "service_code": code,
                "service_title": title,
                "agency": agency,
                "requests": int(n or 0),
                "completed": int(completed or 0),
                "on_time_rate": round(int(on_time or 0) / completed, 3) if completed else None,
                "mean_rating": round(float(mean), 2) if mean is not None else None,
                "ratings": int(ratings_n or 0),
            }
        )
    return out
