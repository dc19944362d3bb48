"""The staff worklist: requests filtered by agency scope, status, service, dates and lateness."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from backend_api.audit.service import record_change
from backend_api.catalogue.models import Agency, Service
from backend_api.common.calendar import citizen_today
from backend_api.console.formatting import TEHRAN
from backend_api.console.models import Referral
from backend_api.errors import Invalid, NotFound
from backend_api.org.service import colleagues, get_post
from backend_api.requests import workflow
from backend_api.requests.models import ServiceRequest
from backend_api.users.security import Principal

OPEN_STATUSES = tuple(s for s in workflow.STATUSES if workflow.TRANSITIONS[s])


@dataclass(frozen=True)
class Filters:
    """What the worklist is narrowed to."""

    status: str = ""
    service: str = ""
    agency: str = ""
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    overdue: bool = False
    referred_to: str = ""


def today() -> dt.date:
    """Today in Tehran (lateness is judged by the citizen's calendar)."""
    return citizen_today()


def in_scope(query: Select, scope: frozenset[int] | None) -> Select:
    """Keep requests of services of the given agencies (all when ``scope`` is None)."""
    if scope is None:
        return query
    services = select(Service.id).where(Service.agency_id.in_(scope))
    return query.where(ServiceRequest.service_id.in_(services))


def _filtered(query: Select, filters: Filters, *, with_status: bool) -> Select:
    if with_status and filters.status:
        query = query.where(ServiceRequest.status == filters.status)
    if filters.service:
        query = query.where(
            ServiceRequest.service_id.in_(select(Service.id).where(Service.code == filters.service))
        )
    if filters.agency:
        agency = select(Agency.id).where(Agency.code == filters.agency)
        query = query.where(
            ServiceRequest.service_id.in_(select(Service.id).where(Service.agency_id.in_(agency)))
        )
    if filters.date_from:
        start = dt.datetime.combine(filters.date_from, dt.time(), TEHRAN)
        query = query.where(ServiceRequest.created_at >= start)
    if filters.date_to:
        end = dt.datetime.combine(filters.date_to + dt.timedelta(days=1), dt.time(), TEHRAN)
        query = query.where(ServiceRequest.created_at < end)
    if filters.overdue:
        query = query.where(
            ServiceRequest.estimated_completion < today(),
            ServiceRequest.status.in_(OPEN_STATUSES),
        )
    if filters.referred_to:
        referred = select(Referral.request_id).where(Referral.to_user == filters.referred_to)
        query = query.where(ServiceRequest.id.in_(referred))
    return query


def search(
    session: Session, scope: frozenset[int] | None, filters: Filters, limit: int, offset: int
) -> list[ServiceRequest]:
    """One page of requests, newest first."""
    query = _filtered(in_scope(select(ServiceRequest), scope), filters, with_status=True)
    query = query.order_by(ServiceRequest.id.desc()).limit(limit).offset(offset)
    return list(session.scalars(query).unique())


def counts_by_status(
    session: Session, scope: frozenset[int] | None, filters: Filters
) -> dict[str, int]:
    """How many requests of each status match the other filters."""
    query = select(ServiceRequest.status, func.count()).group_by(ServiceRequest.status)
    query = _filtered(in_scope(query, scope), filters, with_status=False)
    found: dict[str, int] = {s: n for s, n in session.execute(query)}
    return {status: found.get(status, 0) for status in workflow.STATUSES}


def is_overdue(req: ServiceRequest) -> bool:
    """Past its estimated completion and still open."""
    return req.status in OPEN_STATUSES and req.estimated_completion < today()


def get_visible(
    session: Session, scope: frozenset[int] | None, tracking_code: str
) -> ServiceRequest:
    """A request the user may see; another agency's request is "not found", like an unknown one."""
    req = session.scalar(
        select(ServiceRequest).where(ServiceRequest.tracking_code == tracking_code)
    )
    if req is None or (scope is not None and req.service.agency_id not in scope):
        raise NotFound("request_not_found")
    return req


def referrals_of(session: Session, req: ServiceRequest) -> list[Referral]:
    """Who the request was referred to, oldest first."""
    return list(
        session.scalars(select(Referral).where(Referral.request_id == req.id).order_by(Referral.id))
    )


def latest_referrals(session: Session, request_ids: list[int]) -> dict[int, Referral]:
    """The newest referral of each of ``request_ids``."""
    if not request_ids:
        return {}
    rows = session.scalars(
        select(Referral).where(Referral.request_id.in_(request_ids)).order_by(Referral.id)
    )
    return {r.request_id: r for r in rows}


def refer(
    session: Session,
    actor: Principal,
    req: ServiceRequest,
    *,
    to_user: str,
    post_id: int | None,
    note: str,
) -> Referral:
    """Refer a request to a colleague or a post of its agency (audited, not shown to citizens)."""
    agency_id = req.service.agency_id
    if to_user and to_user not in {u.username for u in colleagues(session, frozenset({agency_id}))}:
        raise Invalid("user_not_found")
    if post_id is not None and get_post(session, post_id).agency_id != agency_id:
        raise Invalid("validation_error")
    if not to_user and post_id is None:
        raise Invalid("missing")
    referral = Referral(
        request_id=req.id, from_user=actor.username, to_user=to_user, post_id=post_id, note=note
    )
    session.add(referral)
    session.flush()
    record_change(
        session,
        actor,
        "refer",
        "request",
        req.tracking_code,
        None,
        {"to_user": to_user, "post_id": post_id, "note": note},
    )
    return referral
