"""Writing notifications to the outbox and handing them to channel workers."""

from __future__ import annotations

import datetime as dt
import logging

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from backend_api.db import utcnow
from backend_api.errors import MessageCatalogue, NotFound
from backend_api.notifications.models import OutboxMessage
from backend_api.requests.models import RequestEvent, ServiceRequest
from nlu.identifiers import format_tracking_code

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 20
# A message whose key starts with this carries a secret (a one-time code): delivered as any
# other, but its text is never shown to staff watching the outbox.
SECRET_KEY_PREFIX = "secret:"
_BASE_DELAY = 10
_MAX_DELAY = 3600


def notify_status_change(
    session: Session, req: ServiceRequest, event: RequestEvent, texts: MessageCatalogue
) -> None:
    """Queue a message about ``event`` to the channel the citizen used (SMS when unknown)."""
    status_label = texts.section("statuses").get(event.status, event.status)
    body = texts.section("notifications")["status_changed"].format(
        code=format_tracking_code(req.tracking_code),
        service=req.service.title,
        status=status_label,
    )
    if event.note:
        body += "\n" + texts.section("notifications")["staff_note"].format(note=event.note)
    channel, recipient = (req.channel, req.sender_id) if req.sender_id else ("sms", req.mobile)
    session.add(
        OutboxMessage(
            dedupe_key=f"request-event:{event.id}",
            request_id=req.id,
            channel=channel,
            recipient=recipient,
            body=body,
        )
    )


def claim(session: Session, channel: str, limit: int, lease_seconds: int) -> list[OutboxMessage]:
    """Lease up to ``limit`` due messages of ``channel`` to one worker.

    A leased message is not handed to another worker until the lease ends, so a worker that dies
    mid-delivery delays the message instead of losing it.
    """
    now = utcnow()
    due = (
        select(OutboxMessage.id)
        .where(
            OutboxMessage.channel == channel,
            OutboxMessage.status == "pending",
            OutboxMessage.next_attempt_at <= now,
            or_(OutboxMessage.claimed_until.is_(None), OutboxMessage.claimed_until < now),
        )
        .order_by(OutboxMessage.id)
        .limit(limit)
    )
    if session.bind is not None and session.bind.dialect.name == "postgresql":
        due = due.with_for_update(skip_locked=True)
    ids = list(session.scalars(due))
    if not ids:
        return []
    lease = now + dt.timedelta(seconds=lease_seconds)
    session.execute(
        update(OutboxMessage).where(OutboxMessage.id.in_(ids)).values(claimed_until=lease)
    )
    return list(session.scalars(select(OutboxMessage).where(OutboxMessage.id.in_(ids))))


def _get(session: Session, message_id: int) -> OutboxMessage:
    message = session.get(OutboxMessage, message_id)
    if message is None:
        raise NotFound("outbox_message_not_found")
    return message


def mark_sent(session: Session, message_id: int) -> OutboxMessage:
    """Record a delivery; repeating it is harmless."""
    message = _get(session, message_id)
    if message.status != "sent":
        message.status = "sent"
        message.sent_at = utcnow()
        message.claimed_until = None
        session.flush()
    return message


def mark_failed(
    session: Session, message_id: int, error: str, *, permanent: bool = False
) -> OutboxMessage:
    """Record a failed attempt: give up when ``permanent``, else retry with exponential back-off."""
    message = _get(session, message_id)
    if message.status != "pending":
        return message  # sent, or already given up: a late report changes nothing
    message.attempts += 1
    message.last_error = error[:1000]
    message.claimed_until = None
    if permanent:
        message.status = "failed"
        message.permanent = True
        logger.warning(
            "outbox message %s (%s) cannot be delivered; given up", message.id, message.channel
        )
    elif message.attempts >= MAX_ATTEMPTS:
        message.status = "failed"
        logger.warning("outbox message %s gave up after %s attempts", message.id, message.attempts)
    else:
        delay = min(_BASE_DELAY * 2 ** (message.attempts - 1), _MAX_DELAY)
        message.next_attempt_at = utcnow() + dt.timedelta(seconds=delay)
    session.flush()
    return message


def list_messages(session: Session, status: str | None, limit: int) -> list[OutboxMessage]:
    """Outbox messages, newest first."""
    query = select(OutboxMessage).order_by(OutboxMessage.id.desc()).limit(limit)
    if status:
        query = query.where(OutboxMessage.status == status)
    return list(session.scalars(query))


def notify_citizen(
    session: Session,
    *,
    dedupe_key: str,
    channel: str,
    sender_id: str,
    mobile: str,
    body: str,
    request_id: int | None = None,
) -> bool:
    """Queue a free-text message to a citizen on the channel they used (SMS to ``mobile`` when
    the channel is unknown); False when there is no way to reach them."""
    channel, recipient = (channel, sender_id) if sender_id else ("sms", mobile)
    if not recipient:
        return False
    session.add(
        OutboxMessage(
            dedupe_key=dedupe_key[:200],
            request_id=request_id,
            channel=channel,
            recipient=recipient,
            body=body,
        )
    )
    return True
