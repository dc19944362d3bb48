"""The queue of conversations handed to a person: list, transcript, wait time, take, close.

The conversation page keeps a ``reply`` block empty on purpose: the live reply (its own issue)
fills it without changing this screen's routes.
"""

from __future__ import annotations

from fastapi import APIRouter, Form, Query, Request, Response
from sqlalchemy import func, select

from backend_api.console.deps import StaffChange, StaffUser
from backend_api.console.web import ConsoleRoute, redirect, render
from backend_api.deps import DbSession
from backend_api.errors import NotFound
from backend_api.handoff import service as handoff_service
from backend_api.handoff.models import Handoff

router = APIRouter(route_class=ConsoleRoute)
STATUSES = ("open", "taken", "closed")


@router.get("/handoffs")
def queue(
    request: Request,
    user: StaffUser,
    session: DbSession,
    status: str = Query("open", pattern="^(open|taken|closed)$"),
) -> Response:
    """Waiting conversations, the longest-waiting first."""
    # Handoffs carry no agency yet, so every staff member sees the one queue.
    rows = handoff_service.list_handoffs(session, status, 200)
    counts = dict(
        session.execute(select(Handoff.status, func.count()).group_by(Handoff.status)).all()
    )
    context = {"rows": rows, "status": status, "counts": counts, "statuses": STATUSES}
    return render(request, "handoffs.html", context)


@router.get("/handoffs/{handoff_id}")
def conversation(
    handoff_id: int, request: Request, user: StaffUser, session: DbSession
) -> Response:
    """One conversation: its transcript and how long the citizen has waited."""
    handoff = session.get(Handoff, handoff_id)
    if handoff is None:
        raise NotFound("handoff_not_found")
    return render(request, "handoff.html", {"h": handoff})


@router.post("/handoffs/{handoff_id}/take")
def take(handoff_id: int, user: StaffChange, session: DbSession) -> Response:
    """Take the conversation."""
    handoff_service.take(session, user.principal, handoff_id)
    return redirect(f"/console/handoffs/{handoff_id}", msg="handoff_taken")


@router.post("/handoffs/{handoff_id}/close")
def close(
    handoff_id: int, user: StaffChange, session: DbSession, note: str = Form("", max_length=2000)
) -> Response:
    """Close the conversation with a note."""
    handoff_service.close(session, user.principal, handoff_id, note.strip())
    return redirect("/console/handoffs", msg="handoff_closed")
