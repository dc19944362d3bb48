"""The requests, complaints and suggestions filed with one mobile, for the citizen who proved it."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from backend_api.citizens.schemas import Filing
from backend_api.feedback.models import Complaint
from backend_api.requests.models import ServiceRequest
from nlu.identifiers import format_tracking_code

MAX_FILINGS = 20  # a chat list longer than this helps nobody; older ones are found by code


def filings_of(session: Session, mobile: str) -> list[Filing]:
    """The newest filings of ``mobile`` (requests and complaints together), newest first."""
    requests = session.scalars(
        select(ServiceRequest)
        .where(ServiceRequest.mobile == mobile)
        .order_by(ServiceRequest.id.desc())
        .limit(MAX_FILINGS)
    ).unique()
    complaints = session.scalars(
        select(Complaint)
        .where(Complaint.mobile == mobile)
        .order_by(Complaint.id.desc())
        .limit(MAX_FILINGS)
    )
    items = [
        Filing(
            kind="request",
            tracking_code=r.tracking_code,
            tracking_code_display=format_tracking_code(r.tracking_code),
            title=r.service.title,
            status=r.status,
            created_at=r.created_at,
        )
        for r in requests
    ] + [
        Filing(
            kind="suggestion" if c.kind == "suggestion" else "complaint",
            tracking_code=c.tracking_code,
            tracking_code_display=format_tracking_code(c.tracking_code),
            title=c.service.title if c.service else (c.agency.name if c.agency else ""),
            status=c.status,
            created_at=c.created_at,
        )
        for c in complaints
    ]
    items.sort(key=lambda f: f.created_at, reverse=True)
    return items[:MAX_FILINGS]
