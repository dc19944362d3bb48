"""Logging unresolved questions and answering them into the knowledge base."""

from __future__ import annotations

import secrets
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from backend_api.audit.service import record_change
from backend_api.errors import Conflict, NotFound
from backend_api.faq.schemas import FaqIn
from backend_api.faq.service import create_faq
from backend_api.unresolved.models import UnresolvedQuestion
from backend_api.unresolved.schemas import AnswerIn, UnresolvedIn
from backend_api.users.security import Principal
from nlu.personal_data import mask_personal_data


def log_question(session: Session, data: UnresolvedIn) -> UnresolvedQuestion:
    """Record a question the assistant could not answer (its personal data masked: staff read
    the queue, and a question needs none of it)."""
    item = UnresolvedQuestion(
        question=mask_personal_data(data.question.strip()),
        channel=data.channel,
        conversation_id=data.conversation_id,
        candidates=[c.model_dump() for c in data.candidates],
    )
    session.add(item)
    session.flush()
    return item


def list_questions(
    session: Session, status: str | None, limit: int, offset: int
) -> list[UnresolvedQuestion]:
    """The review queue, oldest first (first come, first answered)."""
    query = select(UnresolvedQuestion).order_by(UnresolvedQuestion.id)
    if status:
        query = query.where(UnresolvedQuestion.status == status)
    return list(session.scalars(query.limit(limit).offset(offset)))


def _open_item(session: Session, item_id: int) -> UnresolvedQuestion:
    item = session.get(UnresolvedQuestion, item_id)
    if item is None:
        raise NotFound("unresolved_not_found")
    if item.status != "new":
        raise Conflict("unresolved_already_handled")
    return item


def answer(session: Session, actor: Principal, item_id: int, data: AnswerIn) -> UnresolvedQuestion:
    """Answer a question; with ``create_faq`` the answer becomes an FAQ in the same transaction."""
    item = _open_item(session, item_id)
    item.status = "answered"
    item.answer = data.answer
    item.handled_by = actor.username
    if data.create_faq:
        faq = create_faq(
            session,
            actor,
            FaqIn(
                id=data.faq_id or f"staff-{item.id}-{secrets.token_hex(3)}",
                service=data.service_code,
                question=data.question or item.question,
                alternatives=[item.question]
                if data.question and data.question != item.question
                else [],
                answer=data.answer,
                tags=["from-unresolved"],
                status="published" if data.publish else "draft",
            ),
        )
        item.faq_id = faq.id
    record_change(
        session,
        actor,
        "answer",
        "unresolved",
        str(item.id),
        {"status": "new"},
        {"status": "answered", "answer": data.answer, "faq_id": item.faq_id},
    )
    session.flush()
    return item


def dismiss(session: Session, actor: Principal, item_id: int) -> UnresolvedQuestion:
    """Dismiss a question that needs no answer (spam, chit-chat, duplicate)."""
    item = _open_item(session, item_id)
    item.status = "dismissed"
    item.handled_by = actor.username
    record_change(
        session,
        actor,
        "dismiss",
        "unresolved",
        str(item.id),
        {"status": "new"},
        {"status": "dismissed"},
    )
    session.flush()
    return item


def answer_many(
    session: Session, actor: Principal, item_ids: list[int], answer_text: str, faq_id: int | None
) -> int:
    """Mark every still-waiting question of ``item_ids`` answered (by the FAQ ``faq_id``), in the
    caller's transaction; return how many were marked."""
    return _close_waiting(
        session, actor, item_ids, "answer", status="answered", answer=answer_text, faq_id=faq_id
    )


def dismiss_many(session: Session, actor: Principal, item_ids: list[int]) -> int:
    """Dismiss every still-waiting question of ``item_ids`` in the caller's transaction."""
    return _close_waiting(session, actor, item_ids, "dismiss", status="dismissed")


def _close_waiting(
    session: Session, actor: Principal, item_ids: list[int], action: str, **changes: Any
) -> int:
    """Apply ``changes`` to every still-waiting question of ``item_ids``, one audit entry each."""
    items = session.scalars(
        select(UnresolvedQuestion).where(
            UnresolvedQuestion.id.in_(item_ids), UnresolvedQuestion.status == "new"
        )
    )
    audited = {k: v for k, v in changes.items() if k != "answer"}
    count = 0
    for item in items:
        for name, value in changes.items():
            setattr(item, name, value)
        item.handled_by = actor.username
        record_change(
            session, actor, action, "unresolved", str(item.id), {"status": "new"}, audited
        )
        count += 1
    return count
