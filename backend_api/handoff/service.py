"""Opening, taking and closing handoffs."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from backend_api.audit.service import record_change
from backend_api.errors import Conflict, NotFound
from backend_api.handoff.models import Handoff
from backend_api.handoff.schemas import HandoffIn, HandoffOut
from backend_api.users.security import Principal


def _out(session: Session, handoff: Handoff) -> HandoffOut:
    ahead = 0
    if handoff.status == "open":
        ahead = (
            session.scalar(
                select(func.count()).where(Handoff.status == "open", Handoff.id < handoff.id)
            )
            or 0
        )
    out = HandoffOut.model_validate(handoff)
    out.queue_position = ahead + 1 if handoff.status == "open" else 0
    return out


def open_handoff(session: Session, data: HandoffIn) -> HandoffOut:
    """Queue a conversation for a person; a conversation already waiting keeps its place."""
    waiting = session.scalar(
        select(Handoff).where(
            Handoff.conversation_id == data.conversation_id, Handoff.status == "open"
        )
    )
    if waiting is not None:
        return _out(session, waiting)
    handoff = Handoff(
        conversation_id=data.conversation_id,
        channel=data.channel,
        reason=data.reason,
        question=data.question.strip(),
        transcript=[line.model_dump() for line in data.transcript],
    )
    session.add(handoff)
    session.commit()
    return _out(session, handoff)


def list_handoffs(session: Session, status: str | None, limit: int) -> list[HandoffOut]:
    """The queue, oldest first."""
    query = select(Handoff).order_by(Handoff.id).limit(limit)
    if status:
        query = query.where(Handoff.status == status)
    return [_out(session, h) for h in session.scalars(query)]


def _get(session: Session, handoff_id: int) -> Handoff:
    handoff = session.get(Handoff, handoff_id)
    if handoff is None:
        raise NotFound("handoff_not_found")
    return handoff


def take(session: Session, actor: Principal, handoff_id: int) -> HandoffOut:
    """A staff member takes an open conversation."""
    handoff = _get(session, handoff_id)
    if handoff.status != "open":
        raise Conflict("handoff_not_open")
    handoff.status = "taken"
    handoff.taken_by = actor.username
    record_change(
        session, actor, "take", "handoff", str(handoff.id), {"status": "open"}, {"status": "taken"}
    )
    session.commit()
    return _out(session, handoff)


def close(session: Session, actor: Principal, handoff_id: int, note: str) -> HandoffOut:
    """Close a handoff with a note."""
    handoff = _get(session, handoff_id)
    if handoff.status == "closed":
        raise Conflict("handoff_not_open")
    before = {"status": handoff.status}
    handoff.status = "closed"
    handoff.note = note
    record_change(
        session,
        actor,
        "close",
        "handoff",
        str(handoff.id),
        before,
        {"status": "closed", "note": note},
    )
    session.commit()
    return _out(session, handoff)
