"""Unresolved question endpoints: the assistant logs, staff review."""

from __future__ import annotations

from fastapi import APIRouter

from backend_api.common.fields import RowId
from backend_api.common.paging import StaffSlice
from backend_api.deps import DbSession
from backend_api.unresolved import service
from backend_api.unresolved.schemas import AnswerIn, UnresolvedIn, UnresolvedOut, UnresolvedStatus
from backend_api.users.deps import Assistant, Staff

router = APIRouter(tags=["unresolved"])


@router.post("/unresolved", response_model=UnresolvedOut, status_code=201)
def log_question(*, body: UnresolvedIn, _: Assistant, session: DbSession) -> UnresolvedOut:
    """Record a question the assistant could not answer."""
    return UnresolvedOut.model_validate(service.log_question(session, body))


@router.get("/staff/unresolved", response_model=list[UnresolvedOut])
def queue(
    *,
    status: UnresolvedStatus | None = "new",
    window: StaffSlice,
    _: Staff,
    session: DbSession,
) -> list[UnresolvedOut]:
    """The review queue."""
    rows = service.list_questions(session, status, window.limit, window.offset)
    return [UnresolvedOut.model_validate(r) for r in rows]


@router.post("/staff/unresolved/{item_id}/answer", response_model=UnresolvedOut)
def answer(*, item_id: RowId, body: AnswerIn, actor: Staff, session: DbSession) -> UnresolvedOut:
    """Answer a question, optionally into a new FAQ."""
    return UnresolvedOut.model_validate(service.answer(session, actor, item_id, body))


@router.post("/staff/unresolved/{item_id}/dismiss", response_model=UnresolvedOut)
def dismiss(*, item_id: RowId, actor: Staff, session: DbSession) -> UnresolvedOut:
    """Dismiss a question."""
    return UnresolvedOut.model_validate(service.dismiss(session, actor, item_id))
