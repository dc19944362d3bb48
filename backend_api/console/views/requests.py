"""The worklist (کارتابل) of requests and a request's page with its actions."""

from __future__ import annotations

import logging
import math
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Query, Request, Response
from fastapi.responses import FileResponse
from sqlalchemy.orm import Session

from backend_api.console import choices, worklist
from backend_api.console.dates import Dates
from backend_api.console.deps import ConsoleUser, StaffChange, StaffUser
from backend_api.console.forms import optional_int
from backend_api.console.paging import Paged
from backend_api.console.web import ConsoleRoute, redirect, render
from backend_api.deps import DbSession, Messages
from backend_api.errors import MessageCatalogue, NotFound
from backend_api.org.service import colleagues, list_posts
from backend_api.requests import service as requests_service
from backend_api.requests import workflow
from backend_api.requests.models import ServiceRequest
from backend_api.requests.schemas import Transition

logger = logging.getLogger(__name__)

router = APIRouter(route_class=ConsoleRoute)


def visible_request(tracking_code: str, user: StaffUser, session: DbSession) -> ServiceRequest:
    """The request named in the path, if the user's agencies handle it (404 otherwise)."""
    return worklist.get_visible(session, user.scope, tracking_code)


VisibleRequest = Annotated[ServiceRequest, Depends(visible_request)]


@router.get("/requests")
def worklist_page(
    request: Request,
    user: StaffUser,
    session: DbSession,
    paged: Paged,
    dates: Dates,
    status: str = Query("", max_length=32),
    service: str = Query("", max_length=11),
    agency: str = Query("", max_length=64),
    overdue: str = Query("", max_length=2),
    mine: str = Query("", max_length=2),
) -> Response:
    """Requests of the user's agencies, filtered; the table alone for htmx requests."""
    filters = worklist.Filters(
        status=status if status in workflow.STATUSES else "",
        service=service,
        agency=agency,
        date_from=dates.start,
        date_to=dates.end,
        overdue=overdue == "1",
        referred_to=user.username if mine == "1" else "",
    )
    rows = worklist.search(session, user.scope, filters, paged.probe, paged.offset)
    context = {
        **paged.context(rows),
        "counts": worklist.counts_by_status(session, user.scope, filters),
        "overdue_ids": {r.id for r in rows if worklist.is_overdue(r)},
        "referrals": worklist.latest_referrals(session, [r.id for r in rows]),
        "filters": filters,
        "dates": dates,
        "services": choices.services(session, user.scope),
        "agencies": choices.agencies(session, user.scope),
    }
    template = (
        "partials/worklist_table.html" if request.headers.get("HX-Request") else "worklist.html"
    )
    return render(request, template, context)


@router.get("/requests/{tracking_code}")
def request_page(
    request: Request, user: StaffUser, req: VisibleRequest, session: DbSession
) -> Response:
    """A request: the citizen's data, attachments, history, referrals and the actions."""
    agency_id = req.service.agency_id
    return render(
        request,
        "request.html",
        {
            "req": req,
            # the citizen's identity in full only for the staff of the agency handling it
            "full_identity": agency_id in user.agency_ids,
            "overdue": worklist.is_overdue(req),
            "next_statuses": sorted(workflow.TRANSITIONS[req.status], key=workflow.STATUSES.index),
            "can_ask": req.status in (workflow.SUBMITTED, workflow.UNDER_REVIEW),
            "referrals": worklist.referrals_of(session, req),
            "colleagues": colleagues(session, frozenset({agency_id})),
            "posts": list_posts(session, agency_id),
            "days_left": math.floor((req.estimated_completion - worklist.today()).days),
        },
    )


def _move(
    session: Session,
    user: ConsoleUser,
    req: ServiceRequest,
    messages: MessageCatalogue,
    change: Transition,
) -> None:
    requests_service.transition(session, user.principal, req.tracking_code, change, messages)


def _back_to(req: ServiceRequest, msg: str) -> Response:
    """The request's page again, with the flash message ``msg``."""
    return redirect(f"/console/requests/{req.tracking_code}", msg=msg)


@router.post("/requests/{tracking_code}/transition")
def transition(
    user: StaffChange,
    req: VisibleRequest,
    session: DbSession,
    messages: Messages,
    status: str = Form(..., max_length=32),
    note: str = Form("", max_length=2000),
) -> Response:
    """Move the request to its next status; the citizen is notified through the outbox."""
    change = Transition.model_validate({"status": status, "note": note.strip()})
    _move(session, user, req, messages, change)
    return _back_to(req, "transitioned")


@router.post("/requests/{tracking_code}/ask")
def ask_for_information(
    user: StaffChange,
    req: VisibleRequest,
    session: DbSession,
    messages: Messages,
    note: str = Form(..., min_length=3, max_length=2000),
) -> Response:
    """Ask the citizen for more information: «نیازمند تکمیل مدارک» with the question as note."""
    if req.status == workflow.SUBMITTED:
        # the workflow only reaches needs_info from review; taking it up is implied by asking
        _move(session, user, req, messages, Transition(status="under_review", note=""))
    _move(session, user, req, messages, Transition(status="needs_info", note=note.strip()))
    return _back_to(req, "info_requested")


@router.post("/requests/{tracking_code}/refer")
def refer(
    user: StaffChange,
    req: VisibleRequest,
    session: DbSession,
    to_user: str = Form("", max_length=100),
    post_id: str = Form("", max_length=12),
    note: str = Form("", max_length=2000),
) -> Response:
    """Refer the request to a colleague or a post of its agency."""
    post = optional_int(post_id)
    worklist.refer(session, user.principal, req, to_user=to_user, post_id=post, note=note.strip())
    return _back_to(req, "referred")


@router.get("/requests/{tracking_code}/attachments/{attachment_id}")
def attachment(attachment_id: int, request: Request, req: VisibleRequest) -> Response:
    """Download one of the request's attachments."""
    found = next((a for a in req.attachments if a.id == attachment_id), None)
    if found is None:
        raise NotFound("not_found")
    path = request.app.state.settings.attachments_dir / found.stored_name
    if not path.is_file():
        raise NotFound("not_found")
    return FileResponse(
        path,
        media_type=found.content_type,
        filename=found.filename,
        content_disposition_type="attachment",
    )
