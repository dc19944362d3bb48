"""Recording ratings, complaints and suggestions."""

from __future__ import annotations

import logging

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from backend_api.audit.service import record_change
from backend_api.catalogue.models import Service
from backend_api.catalogue.service import get_agency, get_service
from backend_api.common.codes import COMPLAINT_PREFIXES, new_tracking_code
from backend_api.common.filing import file_once
from backend_api.common.guard import LookupGuard
from backend_api.common.schemas import CitizenProof
from backend_api.errors import Conflict, MessageCatalogue, NotFound
from backend_api.feedback.models import Complaint, Rating
from backend_api.feedback.schemas import (
    ComplaintIn,
    ComplaintOut,
    ComplaintUpdate,
    RatingIn,
    RatingOut,
    RatingSummary,
)
from backend_api.requests.service import find_for_citizen
from backend_api.requests.workflow import COMPLETED
from backend_api.users.security import Principal
from nlu.identifiers import format_tracking_code
from nlu.personal_data import mask_personal_data

logger = logging.getLogger(__name__)

_COMPLAINT_FLOW = {
    "new": {"in_review", "resolved", "closed"},
    "in_review": {"resolved", "closed"},
    "resolved": {"closed", "in_review"},
    "closed": set(),
}


def rate(session: Session, data: RatingIn, guard: LookupGuard) -> RatingOut:
    """Record a rating; a request can be rated once, and only after it is completed. The
    comment is kept with personal data masked: it feeds the satisfaction reports staff read."""
    tracking_code = None
    if data.tracking_code:
        req = find_for_citizen(
            session,
            CitizenProof(
                tracking_code=data.tracking_code,
                national_code=data.national_code,
                mobile=data.mobile,
                sender_id=data.sender_id,
            ),
            guard,
        )
        if req.status != COMPLETED:
            raise Conflict("request_not_completed")
        rating = Rating(
            request_id=req.id,
            service=req.service,
            score=data.score,
            comment=mask_personal_data(data.comment.strip()),
            channel=data.channel,
        )
        tracking_code = req.tracking_code
    else:
        service = get_service(session, data.service_code or "")
        rating = Rating(
            service=service,
            score=data.score,
            comment=mask_personal_data(data.comment.strip()),
            channel=data.channel,
        )
    try:
        with session.begin_nested():  # a second rating of a request breaks a unique key
            session.add(rating)
    except IntegrityError:
        raise Conflict("already_rated") from None
    return RatingOut(
        id=rating.id,
        score=rating.score,
        comment=rating.comment,
        service_code=rating.service.code,
        tracking_code=tracking_code,
        created_at=rating.created_at,
    )


def rating_summary(session: Session) -> list[RatingSummary]:
    """Count and average score per service, best covered first."""
    rows = session.execute(
        select(Service.code, Service.title, func.count(Rating.id), func.avg(Rating.score))
        .join(Rating, Rating.service_id == Service.id)
        .group_by(Service.code, Service.title)
        .order_by(func.count(Rating.id).desc())
    )
    return [
        RatingSummary(service_code=c, service_title=t, count=n, average=round(float(a), 2))
        for c, t, n, a in rows
    ]


def complaint_out(complaint: Complaint) -> ComplaintOut:
    """The citizen's view of a complaint."""
    return ComplaintOut(
        tracking_code=complaint.tracking_code,
        tracking_code_display=format_tracking_code(complaint.tracking_code),
        kind=complaint.kind,
        status=complaint.status,  # type: ignore[arg-type]
        text=complaint.text,
        response=complaint.response,
        service_code=complaint.service.code if complaint.service else None,
        agency_code=complaint.agency.code if complaint.agency else None,
        created_at=complaint.created_at,
        updated_at=complaint.updated_at,
    )


def file_complaint(
    session: Session, data: ComplaintIn, idempotency_key: str | None
) -> tuple[Complaint, bool]:
    """File a complaint or suggestion; return it and whether it was filed now (False: a retry's
    first one)."""

    def build() -> Complaint:
        service = get_service(session, data.service_code) if data.service_code else None
        agency = get_agency(session, data.agency_code) if data.agency_code else None
        return Complaint(
            tracking_code=new_tracking_code(COMPLAINT_PREFIXES),
            kind=data.kind,
            service=service,
            agency=agency or (service.agency if service else None),
            text=data.text.strip(),
            national_code=data.national_code or "",
            mobile=data.mobile or "",
            channel=data.channel,
            sender_id=data.sender_id,
        )

    return file_once(session, Complaint, data, idempotency_key, build)


def find_complaint(session: Session, proof: CitizenProof, guard: LookupGuard) -> Complaint:
    """A complaint by tracking code and the identity it was filed with, else 404.

    Guarded as request lookups are: a wrong identity answers like an unknown code, and repeated
    wrong guesses at a code, with an identity or from a conversation are refused for a while.
    """
    keys = guard.keys(
        proof.tracking_code, proof.national_code or proof.mobile or "", proof.sender_id
    )
    guard.check(keys)
    complaint = session.scalar(
        select(Complaint).where(Complaint.tracking_code == proof.tracking_code)
    )
    matches = complaint is not None and (
        (proof.national_code and complaint.national_code == proof.national_code)
        or (proof.mobile and complaint.mobile == proof.mobile)
    )
    if not matches or complaint is None:
        guard.failed(keys)
        raise NotFound("complaint_not_found")
    return complaint


def list_complaints(
    session: Session, status: str | None, limit: int, offset: int
) -> list[Complaint]:
    """Complaints and suggestions for staff, newest first."""
    query = select(Complaint).order_by(Complaint.id.desc())
    if status:
        query = query.where(Complaint.status == status)
    return list(session.scalars(query.limit(limit).offset(offset)))


def handle_complaint(
    session: Session,
    actor: Principal,
    tracking_code: str,
    data: ComplaintUpdate,
    texts: MessageCatalogue,
) -> Complaint:
    """Move a complaint along and record the staff response."""
    complaint = session.scalar(select(Complaint).where(Complaint.tracking_code == tracking_code))
    if complaint is None:
        raise NotFound("complaint_not_found")
    if data.status != complaint.status and data.status not in _COMPLAINT_FLOW[complaint.status]:
        labels = texts.section("complaint_statuses")
        raise Conflict(
            "invalid_transition",
            current=labels.get(complaint.status, complaint.status),
            target=labels.get(data.status, data.status),
        )
    before = {"status": complaint.status, "response": complaint.response}
    complaint.status = data.status
    if data.response:
        complaint.response = data.response
    record_change(
        session,
        actor,
        "update",
        "complaint",
        tracking_code,
        before,
        {"status": complaint.status, "response": complaint.response},
    )
    session.flush()
    return complaint
