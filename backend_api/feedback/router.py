"""Feedback endpoints: ratings, complaints and suggestions."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Depends, Header, Query, Response

from backend_api.deps import DbSession, Guard, Messages
from backend_api.feedback import service
from backend_api.feedback.schemas import (
    ComplaintIn,
    ComplaintLookup,
    ComplaintOut,
    ComplaintUpdate,
    RatingIn,
    RatingOut,
    RatingSummary,
)
from backend_api.users.deps import ASSISTANT, STAFF
from backend_api.users.security import Principal

router = APIRouter(tags=["feedback"])


@router.post("/ratings", response_model=RatingOut, status_code=201)
def rate(
    *, body: RatingIn, _: Principal = Depends(ASSISTANT), session: DbSession, guard: Guard
) -> RatingOut:
    """Rate a completed request (once) or a service."""
    return service.rate(session, body, guard)


@router.get("/staff/ratings", response_model=list[RatingSummary])
def ratings(*, _: Principal = Depends(STAFF), session: DbSession) -> list[RatingSummary]:
    """Satisfaction per service."""
    return service.rating_summary(session)


@router.post("/complaints", response_model=ComplaintOut, status_code=201)
def complain(
    *,
    body: ComplaintIn,
    response: Response,
    idempotency_key: str | None = Header(None, max_length=128),
    _: Principal = Depends(ASSISTANT),
    session: DbSession,
) -> ComplaintOut:
    """File a complaint or a suggestion; returns its tracking code."""
    complaint, created = service.file_complaint(session, body, idempotency_key)
    if not created:
        response.status_code = 200
    return service.complaint_out(complaint)


@router.post("/complaints/lookup", response_model=ComplaintOut)
def lookup(
    *, body: ComplaintLookup, _: Principal = Depends(ASSISTANT), session: DbSession
) -> ComplaintOut:
    """A complaint's status, given its tracking code and the identity it was filed with."""
    return service.complaint_out(service.find_complaint(session, body))


@router.get("/staff/complaints", response_model=list[ComplaintOut])
def staff_list(
    *,
    status: Literal["new", "in_review", "resolved", "closed"] | None = None,
    limit: int = Query(50, ge=1, le=500),
    offset: int = Query(0, ge=0),
    _: Principal = Depends(STAFF),
    session: DbSession,
) -> list[ComplaintOut]:
    """Complaints and suggestions, newest first."""
    rows = service.list_complaints(session, status, limit, offset)
    return [service.complaint_out(c) for c in rows]


@router.post("/staff/complaints/{tracking_code}", response_model=ComplaintOut)
def staff_handle(
    *,
    tracking_code: str,
    body: ComplaintUpdate,
    actor: Principal = Depends(STAFF),
    session: DbSession,
    texts: Messages,
) -> ComplaintOut:
    """Change a complaint's status and write the response the citizen will see."""
    complaint = service.handle_complaint(session, actor, tracking_code, body, texts)
    return service.complaint_out(complaint)
