"""Handoff endpoints: the assistant opens, staff take and close."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Depends, Query

from backend_api.deps import DbSession
from backend_api.handoff import service
from backend_api.handoff.schemas import HandoffClose, HandoffIn, HandoffOut
from backend_api.users.deps import ASSISTANT, STAFF
from backend_api.users.security import Principal

router = APIRouter(tags=["handoff"])


@router.post("/handoffs", response_model=HandoffOut, status_code=201)
def open_handoff(
    *, body: HandoffIn, _: Principal = Depends(ASSISTANT), session: DbSession
) -> HandoffOut:
    """Ask for a person to take the conversation."""
    return service.open_handoff(session, body)


@router.get("/staff/handoffs", response_model=list[HandoffOut])
def queue(
    *,
    status: Literal["open", "taken", "closed"] | None = "open",
    limit: int = Query(50, ge=1, le=500),
    _: Principal = Depends(STAFF),
    session: DbSession,
) -> list[HandoffOut]:
    """Conversations waiting for a person."""
    return service.list_handoffs(session, status, limit)


@router.post("/staff/handoffs/{handoff_id}/take", response_model=HandoffOut)
def take(*, handoff_id: int, actor: Principal = Depends(STAFF), session: DbSession) -> HandoffOut:
    """Take a conversation."""
    return service.take(session, actor, handoff_id)


@router.post("/staff/handoffs/{handoff_id}/close", response_model=HandoffOut)
def close(
    *, handoff_id: int, body: HandoffClose, actor: Principal = Depends(STAFF), session: DbSession
) -> HandoffOut:
    """Close a conversation."""
    return service.close(session, actor, handoff_id, body.note)
