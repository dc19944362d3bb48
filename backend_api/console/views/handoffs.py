"""The queue of conversations handed to a person: list, transcript, wait time, take, live reply,
the citizen's new messages as they arrive, saved short replies, close with a note and outcome.

The queue and the live messages refresh themselves with htmx polling (declared in the templates,
so the strict Content-Security-Policy holds); every form works without JavaScript too.
"""

from __future__ import annotations

from typing import Annotated, get_args

from fastapi import APIRouter, Depends, Form, Query, Request, Response
from sqlalchemy import func, select

from backend_api.console.deps import StaffChange, StaffUser
from backend_api.console.web import ConsoleRoute, redirect, render, texts
from backend_api.deps import DbSession, Messages
from backend_api.errors import ApiError, NotFound
from backend_api.handoff import service as handoff_service
from backend_api.handoff.models import Handoff
from backend_api.handoff.schemas import HandoffClose, HandoffId, HandoffStatus, Outcome

router = APIRouter(route_class=ConsoleRoute)
STATUSES = get_args(HandoffStatus)
POLL_QUEUE = "every 5s"  # new waiting conversations appear without a reload
POLL_LIVE = "every 3s"  # the citizen's new messages


def _queue_context(session: DbSession, status: str) -> dict[str, object]:
    # Handoffs carry no agency yet, so every staff member sees the one queue.
    rows = handoff_service.list_handoffs(session, status, 200)
    counts = dict(
        session.execute(select(Handoff.status, func.count()).group_by(Handoff.status)).all()
    )
    return {"rows": rows, "status": status, "counts": counts, "statuses": STATUSES}


@router.get("/handoffs")
def queue(
    request: Request,
    user: StaffUser,
    session: DbSession,
    status: HandoffStatus = Query("open"),
) -> Response:
    """Waiting conversations, the longest-waiting first."""
    context = {**_queue_context(session, status), "poll": POLL_QUEUE}
    return render(request, "handoffs.html", context)


@router.get("/handoffs/rows")
def queue_rows(
    request: Request,
    user: StaffUser,
    session: DbSession,
    status: HandoffStatus = Query("open"),
) -> Response:
    """The queue's table body alone, for the page's polling."""
    return render(request, "partials/handoff_rows.html", _queue_context(session, status))


def handoff_in_path(handoff_id: HandoffId, session: DbSession) -> Handoff:
    """The handoff named in the path (404 when there is none)."""
    handoff = session.get(Handoff, handoff_id)
    if handoff is None:
        raise NotFound("handoff_not_found")
    return handoff


HandoffInPath = Annotated[Handoff, Depends(handoff_in_path)]


def _live_context(session: DbSession, handoff: Handoff) -> dict[str, object]:
    return {
        "h": handoff,
        "live": handoff_service.messages(session, handoff.id),
        "poll": POLL_LIVE if handoff.status != "closed" else "",
    }


@router.get("/handoffs/{handoff_id}")
def conversation(
    request: Request, user: StaffUser, handoff: HandoffInPath, session: DbSession
) -> Response:
    """One conversation: its transcript, the live messages and how long the citizen has waited."""
    return render(request, "handoff.html", _live_context(session, handoff))


@router.get("/handoffs/{handoff_id}/live")
def live(request: Request, user: StaffUser, handoff: HandoffInPath, session: DbSession) -> Response:
    """The live messages alone, for the page's polling."""
    return render(request, "partials/handoff_live.html", _live_context(session, handoff))


@router.post("/handoffs/{handoff_id}/take")
def take(
    handoff_id: HandoffId, user: StaffChange, session: DbSession, messages: Messages
) -> Response:
    """Take the conversation."""
    handoff_service.take(session, user.principal, handoff_id, messages)
    return redirect(f"/console/handoffs/{handoff_id}", msg="handoff_taken")


@router.post("/handoffs/{handoff_id}/reply")
def reply(
    handoff_id: HandoffId,
    request: Request,
    user: StaffChange,
    session: DbSession,
    messages: Messages,
    text: str = Form("", max_length=2000),
    saved: str = Form("", max_length=50),
) -> Response:
    """Send the written reply, or a saved short reply, to the citizen's channel."""
    chosen = texts().section("handoff_saved_replies").get(saved, "") if saved else ""
    body = (chosen or text).strip()
    if not body:
        raise ApiError(422, "validation_error")
    handoff_service.reply(session, user.principal, handoff_id, body, messages)
    return redirect(f"/console/handoffs/{handoff_id}", msg="handoff_replied")


@router.post("/handoffs/{handoff_id}/close")
def close(
    handoff_id: HandoffId,
    user: StaffChange,
    session: DbSession,
    messages: Messages,
    note: str = Form("", max_length=2000),
    outcome: Outcome = Form("answered"),
) -> Response:
    """Close the conversation with a note and an outcome; the assistant answers again."""
    data = HandoffClose(note=note, outcome=outcome)
    handoff_service.close(session, user.principal, handoff_id, data, messages)
    return redirect("/console/handoffs", msg="handoff_closed")
