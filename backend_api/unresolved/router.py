"""Unresolved question endpoints: the assistant logs, staff review."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Depends, Query

from backend_api.deps import DbSession
from backend_api.unresolved import service
from backend_api.unresolved.schemas import AnswerIn, UnresolvedIn, UnresolvedOut
from backend_api.users.deps import ASSISTANT, STAFF
from backend_api.users.security import Principal

router = APIRouter(tags=["unresolved"])


@router.post("/unresolved", response_model=UnresolvedOut, status_code=201)
def log_question(
    *, body: UnresolvedIn, _: Principal = Depends(ASSISTANT), session: DbSession
) -> UnresolvedOut:
    """Record a question the assistant could not answer."""
    return UnresolvedOut.model_validate(service.log_question(session, body))


@router.get("/staff/unresolved", response_model=list[UnresolvedOut])
def queue(
    *,
    status: Literal["new", "answered", "dismissed"] | None = "new",
    limit: int = Query(50, ge=1, le=500),
    offset: int = Query(0, ge=0),
    _: Principal = Depends(STAFF),
    session: DbSession,
) -> list[UnresolvedOut]:
    """The review queue."""
    rows = service.list_questions(session, status, limit, offset)
    return [UnresolvedOut.model_validate(r) for r in rows]


@router.post("/staff/unresolved/{item_id}/answer", response_model=UnresolvedOut)
def answer(
    *,
    item_id: int,
    body: AnswerIn,
    actor: Principal = Depends(STAFF),
    session: DbSession,
) -> UnresolvedOut:
    """Answer a question, optionally into a new FAQ."""
    return UnresolvedOut.model_validate(service.answer(session, actor, item_id, body))


@router.post("/staff/unresolved/{item_id}/dismiss", response_model=UnresolvedOut)
def dismiss(
    *, item_id: int, actor: Principal = Depends(STAFF), session: DbSession
) -> UnresolvedOut:
    """Dismiss a question."""
    return UnresolvedOut.model_validate(service.dismiss(session, actor, item_id))
