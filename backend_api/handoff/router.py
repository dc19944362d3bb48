"""Handoff endpoints: the assistant opens, the gateway routes the citizen's words, staff answer."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Query

from backend_api.common.paging import StaffLimit
from backend_api.deps import DbSession, Messages
from backend_api.handoff import service
from backend_api.handoff.schemas import (
    MAX_ID,
    CitizenMessage,
    Expired,
    HandoffClose,
    HandoffDetail,
    HandoffId,
    HandoffIn,
    HandoffMessageOut,
    HandoffOut,
    HandoffStatus,
    Routed,
    StaffReply,
)
from backend_api.handoff.settings import get_handoff_settings
from backend_api.users.deps import Assistant, Staff

router = APIRouter(tags=["handoff"])


@router.post("/handoffs", response_model=HandoffOut, status_code=201)
def open_handoff(*, body: HandoffIn, _: Assistant, session: DbSession) -> HandoffOut:
    """Ask for a person to take the conversation."""
    return service.open_handoff(session, body)


@router.post("/handoffs/messages", response_model=Routed)
def route_message(*, body: CitizenMessage, _: Assistant, session: DbSession) -> Routed:
    """A citizen's message: kept for staff when a handoff holds the conversation."""
    return service.route_citizen(session, body)


@router.post("/handoffs/expire", response_model=Expired)
def expire(*, _: Assistant, session: DbSession, texts: Messages) -> Expired:
    """Hand back conversations that waited too long, their questions left for staff."""
    wait = dt.timedelta(minutes=get_handoff_settings().max_wait_minutes)
    return Expired(closed=service.expire(session, wait, texts))


@router.get("/staff/handoffs", response_model=list[HandoffOut])
def queue(
    *,
    status: HandoffStatus | None = "open",
    limit: StaffLimit,
    _: Staff,
    session: DbSession,
) -> list[HandoffOut]:
    """Conversations waiting for a person."""
    return service.list_handoffs(session, status, limit)


@router.get("/staff/handoffs/{handoff_id}", response_model=HandoffDetail)
def get_handoff(
    *,
    handoff_id: HandoffId,
    after: int = Query(0, ge=0, le=MAX_ID),
    _: Staff,
    session: DbSession,
) -> HandoffDetail:
    """The transcript so far and the live messages after message id ``after``."""
    return service.detail(session, handoff_id, after)


@router.post("/staff/handoffs/{handoff_id}/take", response_model=HandoffOut)
def take(*, handoff_id: HandoffId, actor: Staff, session: DbSession, texts: Messages) -> HandoffOut:
    """Take a conversation (of two staff at once, exactly one wins)."""
    return service.take(session, actor, handoff_id, texts)


@router.post(
    "/staff/handoffs/{handoff_id}/messages", response_model=HandoffMessageOut, status_code=201
)
def reply(
    *, handoff_id: HandoffId, body: StaffReply, actor: Staff, session: DbSession, texts: Messages
) -> HandoffMessageOut:
    """Reply to the citizen on their own channel (through the outbox)."""
    return service.reply(session, actor, handoff_id, body.text, texts)


@router.post("/staff/handoffs/{handoff_id}/close", response_model=HandoffOut)
def close(
    *, handoff_id: HandoffId, body: HandoffClose, actor: Staff, session: DbSession, texts: Messages
) -> HandoffOut:
    """Close a conversation with a note and an outcome; the assistant answers again."""
    return service.close(session, actor, handoff_id, body, texts)
