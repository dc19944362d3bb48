"""Outbox endpoints: channel workers claim and acknowledge; staff watch."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from fastapi import APIRouter
from pydantic import BaseModel, Field

from backend_api.common.fields import RowId
from backend_api.common.paging import StaffLimit
from backend_api.common.schemas import RowModel
from backend_api.deps import DbSession
from backend_api.notifications import service
from backend_api.notifications.models import OutboxMessage
from backend_api.users.deps import Assistant, Staff
from nlu.personal_data import mask_personal_data

router = APIRouter(tags=["notifications"])
HIDDEN_BODY = "••••••"  # what staff see instead of a one-time code's text


class OutboxOut(RowModel):
    """A message in the outbox."""

    id: int
    channel: str
    recipient: str
    body: str
    status: str
    attempts: int
    last_error: str
    permanent: bool
    created_at: dt.datetime
    sent_at: dt.datetime | None


class ClaimIn(BaseModel):
    """A worker's request for messages to deliver."""

    channel: str = Field(pattern=r"^[a-z_]{2,32}$")
    limit: int = Field(default=20, ge=1, le=200)
    lease_seconds: int = Field(default=60, ge=5, le=3600)


class FailureIn(BaseModel):
    """Why a delivery failed."""

    error: str = Field(default="", max_length=1000)
    permanent: bool = Field(
        default=False,
        description="The channel says this delivery can never succeed: give up, do not retry.",
    )


@router.post("/outbox/claim", response_model=list[OutboxOut])
def claim(*, body: ClaimIn, _: Assistant, session: DbSession) -> list[OutboxOut]:
    """Lease due messages of one channel."""
    rows = service.claim(session, body.channel, body.limit, body.lease_seconds)
    return [OutboxOut.model_validate(m) for m in rows]


@router.post("/outbox/{message_id}/sent", response_model=OutboxOut)
def sent(*, message_id: RowId, _: Assistant, session: DbSession) -> OutboxOut:
    """Acknowledge a delivery."""
    return OutboxOut.model_validate(service.mark_sent(session, message_id))


@router.post("/outbox/{message_id}/failed", response_model=OutboxOut)
def failed(*, message_id: RowId, body: FailureIn, _: Assistant, session: DbSession) -> OutboxOut:
    """Report a failed delivery: retried later, or given up at once when ``permanent``."""
    message = service.mark_failed(session, message_id, body.error, permanent=body.permanent)
    return OutboxOut.model_validate(message)


def staff_view(message: OutboxMessage) -> OutboxOut:
    """A message as staff see it: the recipient's number masked and a one-time code's text never
    shown (staff watch delivery; they need neither). Other texts are what staff themselves sent
    or the request's own status, shown as they are."""
    row = OutboxOut.model_validate(message)
    hidden = message.dedupe_key.startswith(service.SECRET_KEY_PREFIX)
    return row.model_copy(
        update={
            "recipient": mask_personal_data(row.recipient),
            "body": HIDDEN_BODY if hidden else row.body,
        }
    )


@router.get("/staff/outbox", response_model=list[OutboxOut])
def outbox(
    *,
    status: Literal["pending", "sent", "failed"] | None = None,
    limit: StaffLimit,
    _: Staff,
    session: DbSession,
) -> list[OutboxOut]:
    """What is waiting, sent or given up (personal data masked)."""
    return [staff_view(m) for m in service.list_messages(session, status, limit)]
