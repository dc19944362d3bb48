"""The worklist (کارتابل) of requests and a request's page with its actions."""

from __future__ import annotations

import logging
import math

from fastapi import APIRouter, Form, Query, Request, Response
from fastapi.responses import FileResponse
from sqlalchemy import select

from backend_api.catalogue.models import Service
from backend_api.catalogue.service import list_agencies
from backend_api.console import worklist
from backend_api.console.deps import Settings, StaffChange, StaffUser
from backend_api.console.formatting import parse_jalali
from backend_api.console.web import ConsoleRoute, redirect, render, texts
from backend_api.deps import DbSession, Messages
from backend_api.errors import NotFound
from backend_api.org.service import colleagues, list_posts
from backend_api.requests import service as requests_service
from backend_api.requests import workflow
from backend_api.requests.schemas import Transition

logger = logging.getLogger(__name__)

router = APIRouter(route_class=ConsoleRoute)


def _services(session: DbSession, scope: frozenset[int] | None) -> list[Service]:
    query = select(Service).order_by(Service.code)
    if scope is not None:
        query = query.where(Service.agency_id.in_(scope))
    return list(session.scalars(query))


@router.get("/requests")
def worklist_page(
    request: Request,
    user: StaffUser,
    session: DbSession,
    settings: Settings,
    status: str = Query("", max_length=32),
    service: str = Query("", max_length=11),
    agency: str = Query("", max_length=64),
    date_from: str = Query("", max_length=20),
    date_to: str = Query("", max_length=20),
    overdue: str = Query("", max_length=2),
    mine: str = Query("", max_length=2),
    page: int = Query(1, ge=1, le=100000),
) -> Response:
    """Requests of the user's agencies, filtered; the table alone for htmx requests."""
    error = ""
    try:
        start, end = parse_jalali(date_from), parse_jalali(date_to)
    except ValueError:
        start = end = None
        error = texts().get("errors", "invalid_date")
    filters = worklist.Filters(
        status=status if status in workflow.STATUSES else "",
        service=service,
        agency=agency,
        date_from=start,
        date_to=end,
        overdue=overdue == "1",
        referred_to=user.username if mine == "1" else "",
    )
    size = settings.page_size
    rows = worklist.search(session, user.scope, filters, size + 1, (page - 1) * size)
    context = {
        "rows": rows[:size],
        "has_next": len(rows) > size,
        "page": page,
        "counts": worklist.counts_by_status(session, user.scope, filters),
        "overdue_ids": {r.id for r in rows if worklist.is_overdue(r)},
        "referrals": worklist.latest_referrals(session, [r.id for r in rows]),
        "filters": filters,
        "raw": {"date_from": date_from, "date_to": date_to},
        "query": request.query_params,
        "services": _services(session, user.scope),
        "agencies": [a for a in list_agencies(session) if user.scope is None or a.id in user.scope],
        "error": error,
    }
    template = (
        "partials/worklist_table.html" if request.headers.get("HX-Request") else "worklist.html"
    )
    return render(request, template, context)


@router.get("/requests/{tracking_code}")
def request_page(
    tracking_code: str, request: Request, user: StaffUser, session: DbSession
) -> Response:
    """A request: the citizen's data, attachments, history, referrals and the actions."""
    req = worklist.get_visible(session, user.scope, tracking_code)
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


@router.post("/requests/{tracking_code}/transition")
def transition(
    tracking_code: str,
    user: StaffChange,
    session: DbSession,
    messages: Messages,
    status: str = Form(..., max_length=32),
    note: str = Form("", max_length=2000),
) -> Response:
    """Move the request to its next status; the citizen is notified through the outbox."""
    worklist.get_visible(session, user.scope, tracking_code)
    change = Transition.model_validate({"status": status, "note": note.strip()})
    requests_service.transition(session, user.principal, tracking_code, change, messages)
    return redirect(f"/console/requests/{tracking_code}", msg="transitioned")


@router.post("/requests/{tracking_code}/ask")
def ask_for_information(
    tracking_code: str,
    user: StaffChange,
    session: DbSession,
    messages: Messages,
    note: str = Form(..., min_length=3, max_length=2000),
) -> Response:
    """Ask the citizen for more information: «نیازمند تکمیل مدارک» with the question as note."""
    req = worklist.get_visible(session, user.scope, tracking_code)
    if req.status == workflow.SUBMITTED:
        # the workflow only reaches needs_info from review; taking it up is implied by asking
        taken_up = Transition(status="under_review", note="")
        requests_service.transition(session, user.principal, tracking_code, taken_up, messages)
    change = Transition(status="needs_info", note=note.strip())
    requests_service.transition(session, user.principal, tracking_code, change, messages)
    return redirect(f"/console/requests/{tracking_code}", msg="info_requested")


@router.post("/requests/{tracking_code}/refer")
def refer(
    tracking_code: str,
    user: StaffChange,
    session: DbSession,
    to_user: str = Form("", max_length=100),
    post_id: str = Form("", max_length=12),
    note: str = Form("", max_length=2000),
) -> Response:
    """Refer the request to a colleague or a post of its agency."""
    req = worklist.get_visible(session, user.scope, tracking_code)
    post = int(post_id) if post_id.isdigit() else None
    worklist.refer(session, user.principal, req, to_user=to_user, post_id=post, note=note.strip())
    return redirect(f"/console/requests/{tracking_code}", msg="referred")


@router.get("/requests/{tracking_code}/attachments/{attachment_id}")
def attachment(
    tracking_code: str, attachment_id: int, request: Request, user: StaffUser, session: DbSession
) -> Response:
    """Download one of the request's attachments."""
    req = worklist.get_visible(session, user.scope, tracking_code)
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
