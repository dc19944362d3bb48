"""Feedback endpoints: ratings, complaints and suggestions."""

from __future__ import annotations

from fastapi import APIRouter

from backend_api.common.paging import StaffSlice
from backend_api.common.schemas import CitizenProof
from backend_api.deps import DbSession, Guard, Idempotent, Messages
from backend_api.feedback import service
from backend_api.feedback.schemas import (
    ComplaintIn,
    ComplaintOut,
    ComplaintStatus,
    ComplaintUpdate,
    RatingIn,
    RatingOut,
    RatingSummary,
)
from backend_api.users.deps import Assistant, Staff

router = APIRouter(tags=["feedback"])


@router.post("/ratings", response_model=RatingOut, status_code=201)
def rate(*, body: RatingIn, _: Assistant, session: DbSession, guard: Guard) -> RatingOut:
    """Rate a completed request (once) or a service."""
    return service.rate(session, body, guard)


@router.get("/staff/ratings", response_model=list[RatingSummary])
def ratings(*, _: Staff, session: DbSession) -> list[RatingSummary]:
    """Satisfaction per service."""
    return service.rating_summary(session)


@router.post("/complaints", response_model=ComplaintOut, status_code=201)
def complain(
    *, body: ComplaintIn, filing: Idempotent, _: Assistant, session: DbSession
) -> ComplaintOut:
    """File a complaint or a suggestion; returns its tracking code."""
    complaint = filing.answered(service.file_complaint(session, body, filing.key))
    return service.complaint_out(complaint)


@router.post("/complaints/lookup", response_model=ComplaintOut)
def lookup(*, body: CitizenProof, _: Assistant, session: DbSession, guard: Guard) -> ComplaintOut:
    """A complaint's status, given its tracking code and the identity it was filed with."""
    return service.complaint_out(service.find_complaint(session, body, guard))


@router.get("/staff/complaints", response_model=list[ComplaintOut])
def staff_list(
    *, status: ComplaintStatus | None = None, window: StaffSlice, _: Staff, session: DbSession
) -> list[ComplaintOut]:
    """Complaints and suggestions, newest first."""
    rows = service.list_complaints(session, status, window.limit, window.offset)
    return [service.complaint_out(c) for c in rows]


@router.post("/staff/complaints/{tracking_code}", response_model=ComplaintOut)
def staff_handle(
    *, tracking_code: str, body: ComplaintUpdate, actor: Staff, session: DbSession, texts: Messages
) -> ComplaintOut:
    """Change a complaint's status and write the response the citizen will see."""
    complaint = service.handle_complaint(session, actor, tracking_code, body, texts)
    return service.complaint_out(complaint)
