"""Opening, taking, answering and closing handoffs, and routing the citizen's words while held."""

from __future__ import annotations

import datetime as dt
import logging
from functools import partial
from typing import Any, cast

from sqlalchemy import CursorResult, func, select, update
from sqlalchemy.orm import Session

from backend_api.audit.service import record_change
from backend_api.db import after_commit, utcnow
from backend_api.errors import Conflict, MessageCatalogue, NotFound
from backend_api.handoff import rasa
from backend_api.handoff.models import Handoff, HandoffMessage
from backend_api.handoff.schemas import (
    CitizenMessage,
    HandoffClose,
    HandoffDetail,
    HandoffIn,
    HandoffMessageOut,
    HandoffOut,
    Routed,
)
from backend_api.notifications.models import OutboxMessage
from backend_api.unresolved.models import UnresolvedQuestion
from backend_api.users.security import Principal
from nlu.personal_data import mask_personal_data

logger = logging.getLogger(__name__)

HELD = ("open", "taken")
RECENT_TAKES = 20  # the waits the estimate told to a waiting citizen is based on


def _position(session: Session, handoff: Handoff) -> int:
    if handoff.status != "open":
        return 0
    ahead = session.scalar(
        select(func.count()).where(Handoff.status == "open", Handoff.id < handoff.id)
    )
    return (ahead or 0) + 1


def _out(session: Session, handoff: Handoff) -> HandoffOut:
    out = HandoffOut.model_validate(handoff)
    out.queue_position = _position(session, handoff)
    return out


def _tell_citizen(session: Session, handoff: Handoff, key: str, body: str) -> OutboxMessage:
    """Queue a message to the citizen's own channel; the outbox delivers it at least once."""
    message = OutboxMessage(
        dedupe_key=f"handoff:{handoff.id}:{key}",
        channel=handoff.channel,
        recipient=handoff.conversation_id,
        body=body,
    )
    session.add(message)
    return message


def _changed(session: Session, statement: Any) -> int:
    """Rows an UPDATE changed."""
    return cast(CursorResult[Any], session.execute(statement)).rowcount


def open_handoff(session: Session, data: HandoffIn) -> HandoffOut:
    """Queue a conversation for a person; a conversation already waiting keeps its place.

    The question and the transcript are stored with personal data masked: staff read them, and
    what a request needs travels in its own fields (see ``nlu.personal_data``).
    """
    waiting = session.scalar(
        select(Handoff).where(
            Handoff.conversation_id == data.conversation_id, Handoff.status.in_(HELD)
        )
    )
    if waiting is not None:
        return _out(session, waiting)
    handoff = Handoff(
        conversation_id=data.conversation_id,
        channel=data.channel,
        reason=data.reason,
        question=mask_personal_data(data.question.strip()),
        transcript=[
            {"who": line.who, "text": mask_personal_data(line.text)} for line in data.transcript
        ],
    )
    session.add(handoff)
    session.flush()
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


def messages(session: Session, handoff_id: int, after: int = 0) -> list[HandoffMessage]:
    """The live messages of a handoff after id ``after``, oldest first."""
    query = (
        select(HandoffMessage)
        .where(HandoffMessage.handoff_id == handoff_id, HandoffMessage.id > after)
        .order_by(HandoffMessage.id)
    )
    return list(session.scalars(query))


def detail(session: Session, handoff_id: int, after: int = 0) -> HandoffDetail:
    """The transcript so far and the messages exchanged since a person was asked for."""
    handoff = _get(session, handoff_id)
    out = HandoffDetail.model_validate(handoff)
    out.queue_position = _position(session, handoff)
    out.messages = [
        HandoffMessageOut.model_validate(m) for m in messages(session, handoff_id, after)
    ]
    return out


def take(
    session: Session, actor: Principal, handoff_id: int, texts: MessageCatalogue
) -> HandoffOut:
    """A staff member takes an open conversation; of two at once exactly one wins."""
    handoff = _get(session, handoff_id)
    # The condition on the status makes the database pick the winner, not this process.
    won = _changed(
        session,
        update(Handoff)
        .where(Handoff.id == handoff_id, Handoff.status == "open")
        .values(status="taken", taken_by=actor.username, taken_at=utcnow())
        .execution_options(synchronize_session=False),
    )
    if won != 1:
        raise Conflict("handoff_not_open")
    session.refresh(handoff)
    record_change(
        session, actor, "take", "handoff", str(handoff.id), {"status": "open"}, {"status": "taken"}
    )
    _tell_citizen(session, handoff, "taken", texts.section("notifications")["handoff_taken"])
    session.flush()
    after_commit(session, partial(rasa.set_paused, handoff.conversation_id, True))
    return _out(session, handoff)


def reply(
    session: Session, actor: Principal, handoff_id: int, text: str, texts: MessageCatalogue
) -> HandoffMessageOut:
    """A staff reply: stored, and queued to the citizen's channel in the same transaction."""
    handoff = _get(session, handoff_id)
    if handoff.status != "taken":
        raise Conflict("handoff_not_taken")
    if handoff.taken_by != actor.username and actor.role != "admin":
        raise Conflict("handoff_not_yours")
    message = HandoffMessage(
        handoff_id=handoff.id, who="staff", author=actor.username, text=text.strip()
    )
    session.add(message)
    session.flush()
    body = texts.section("notifications")["staff_reply"].format(text=message.text)
    _tell_citizen(session, handoff, f"message:{message.id}", body)
    record_change(
        session, actor, "reply", "handoff", str(handoff.id), None, {"message_id": message.id}
    )
    session.flush()
    return HandoffMessageOut.model_validate(message)


def _hand_back(session: Session, handoff: Handoff, outcome: str, note: str) -> bool:
    """Close a held handoff unless someone closed it first; True when this call closed it."""
    closed = _changed(
        session,
        update(Handoff)
        .where(Handoff.id == handoff.id, Handoff.status.in_(HELD))
        .values(status="closed", outcome=outcome, note=note, closed_at=utcnow())
        .execution_options(synchronize_session=False),
    )
    if closed != 1:
        return False
    session.refresh(handoff)
    return True


def close(
    session: Session,
    actor: Principal,
    handoff_id: int,
    data: HandoffClose,
    texts: MessageCatalogue,
) -> HandoffOut:
    """Close a handoff with a note and an outcome; the assistant has the conversation again."""
    handoff = _get(session, handoff_id)
    before = {"status": handoff.status}
    note = data.note.strip()
    if not _hand_back(session, handoff, data.outcome, note):
        raise Conflict("handoff_not_open")
    record_change(
        session,
        actor,
        "close",
        "handoff",
        str(handoff.id),
        before,
        {"status": "closed", "note": note, "outcome": data.outcome},
    )
    _tell_citizen(session, handoff, "closed", texts.section("notifications")["handoff_closed"])
    session.flush()
    after_commit(session, partial(rasa.set_paused, handoff.conversation_id, False))
    return _out(session, handoff)


def expected_wait_minutes(session: Session, position: int) -> int | None:
    """An honest estimate for the citizen at ``position``: the recent waits until a person took
    a conversation, averaged, times the position; None while there is nothing to go by."""
    if position < 1:
        return None
    recent = session.execute(
        select(Handoff.created_at, Handoff.taken_at)
        .where(Handoff.taken_at.is_not(None))
        .order_by(Handoff.id.desc())
        .limit(RECENT_TAKES)
    ).all()
    if not recent:
        return None
    seconds = [(taken - created).total_seconds() for created, taken in recent if taken]
    if not seconds:
        return None
    return max(1, round(sum(seconds) / len(seconds) * position / 60))


def route_citizen(session: Session, data: CitizenMessage) -> Routed:
    """Keep the citizen's message for the person holding the conversation, if anyone does."""
    handoff = session.scalar(
        select(Handoff)
        .where(Handoff.conversation_id == data.conversation_id, Handoff.status.in_(HELD))
        .order_by(Handoff.id.desc())
        .limit(1)
    )
    if handoff is None:
        return Routed(held=False)
    text = mask_personal_data(data.text.strip())
    session.add(HandoffMessage(handoff_id=handoff.id, who="citizen", text=text))
    session.flush()
    position = _position(session, handoff)
    return Routed(
        held=True,
        handoff_id=handoff.id,
        status=handoff.status,
        queue_position=position,
        expected_wait_minutes=expected_wait_minutes(session, position),
    )


def expire(session: Session, max_wait: dt.timedelta, texts: MessageCatalogue) -> list[int]:
    """Give up on handoffs nobody took in time: tell the citizen honestly, keep the question.

    The question goes to the unresolved queue with the conversation's id; the closed handoff
    keeps the transcript and the citizen's later words.
    """
    cutoff = utcnow() - max_wait
    stale = list(
        session.scalars(
            select(Handoff).where(Handoff.status == "open", Handoff.created_at < cutoff)
        )
    )
    closed: list[int] = []
    for handoff in stale:
        if not _hand_back(session, handoff, "expired", ""):
            continue  # taken or closed meanwhile
        words = [m.text for m in messages(session, handoff.id) if m.who == "citizen"]
        question = "\n".join([handoff.question, *words]).strip()
        if question:
            session.add(
                UnresolvedQuestion(
                    question=question[:2000],
                    channel=handoff.channel,
                    conversation_id=handoff.conversation_id,
                )
            )
        notice = texts.section("notifications")["handoff_expired"]
        _tell_citizen(session, handoff, "expired", notice)
        after_commit(session, partial(rasa.set_paused, handoff.conversation_id, False))
        closed.append(handoff.id)
        logger.info("handoff %s waited too long; left as an unresolved question", handoff.id)
    session.flush()
    return closed
