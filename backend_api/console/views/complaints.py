"""Complaints and suggestions: list, reply (the citizen is notified), status."""

from __future__ import annotations

import hashlib
from typing import Annotated, Literal, get_args

from fastapi import APIRouter, Depends, Form, Query, Request, Response
from sqlalchemy import func, or_, select

from backend_api.console.deps import ConsoleUser, StaffChange, StaffUser
from backend_api.console.paging import Paged
from backend_api.console.web import ConsoleRoute, redirect, render, texts
from backend_api.deps import DbSession, Messages
from backend_api.errors import NotFound
from backend_api.feedback.models import Complaint
from backend_api.feedback.schemas import ComplaintStatus, ComplaintUpdate
from backend_api.feedback.service import handle_complaint
from backend_api.notifications.service import notify_citizen
from nlu.identifiers import format_tracking_code

router = APIRouter(route_class=ConsoleRoute)
STATUSES = get_args(ComplaintStatus)


def _visible(query, user: ConsoleUser):  # type: ignore[no-untyped-def]
    # a complaint about no particular agency is everyone's; others belong to their agency
    if user.scope is None:
        return query
    return query.where(or_(Complaint.agency_id.is_(None), Complaint.agency_id.in_(user.scope)))


def visible_complaint(tracking_code: str, user: StaffUser, session: DbSession) -> Complaint:
    """The complaint named in the path, if the user may see it (404 otherwise)."""
    found = session.scalar(
        _visible(select(Complaint), user).where(Complaint.tracking_code == tracking_code)
    )
    if found is None:
        raise NotFound("complaint_not_found")
    return found


VisibleComplaint = Annotated[Complaint, Depends(visible_complaint)]


@router.get("/complaints")
def complaints(
    request: Request,
    user: StaffUser,
    session: DbSession,
    paged: Paged,
    status: Literal["", ComplaintStatus] = Query(""),
    kind: str = Query("", pattern="^(|complaint|suggestion)$"),
) -> Response:
    """Complaints and suggestions of the user's agencies, newest first."""
    query = _visible(select(Complaint), user)
    counted = _visible(select(Complaint.status, func.count()).group_by(Complaint.status), user)
    if kind:
        query, counted = query.where(Complaint.kind == kind), counted.where(Complaint.kind == kind)
    if status:
        query = query.where(Complaint.status == status)
    query = query.order_by(Complaint.id.desc()).limit(paged.probe).offset(paged.offset)
    rows = list(session.scalars(query))
    return render(
        request,
        "complaints.html",
        {
            **paged.context(rows),
            "counts": dict(session.execute(counted).all()),
            "status": status,
            "kind": kind,
        },
    )


@router.get("/complaints/{tracking_code}")
def complaint(request: Request, user: StaffUser, found: VisibleComplaint) -> Response:
    """One complaint or suggestion with the reply form."""
    own = found.agency_id is not None and found.agency_id in user.agency_ids
    return render(request, "complaint.html", {"c": found, "full_identity": own, "all": STATUSES})


@router.post("/complaints/{tracking_code}")
def reply(
    user: StaffChange,
    found: VisibleComplaint,
    session: DbSession,
    messages: Messages,
    status: ComplaintStatus = Form(...),
    response: str = Form("", max_length=4000),
) -> Response:
    """Record the status and the reply; a new reply is sent to the citizen."""
    tracking_code = found.tracking_code
    previous = found.response
    handle_complaint(
        session,
        user.principal,
        tracking_code,
        ComplaintUpdate(status=status, response=response.strip()),
        messages,
    )
    sent = False
    if found.response and found.response != previous:
        kind = texts().get("complaint_kinds", found.kind)
        body = texts().get(
            "notifications",
            "complaint_reply",
            kind=kind,
            code=format_tracking_code(found.tracking_code),
            response=found.response,
        )
        digest = hashlib.sha256(found.response.encode()).hexdigest()[:16]
        sent = notify_citizen(
            session,
            dedupe_key=f"complaint-reply:{found.id}:{digest}",  # the same reply is sent once
            channel=found.channel,
            sender_id=found.sender_id,
            mobile=found.mobile,
            body=body,
        )
    return redirect(
        f"/console/complaints/{tracking_code}",
        msg="complaint_saved" if sent else "complaint_status",
    )
