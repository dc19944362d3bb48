"""Handoff schemas."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, Field

from backend_api.common.fields import MAX_ROW_ID, Channel, RowId, SenderId
from backend_api.common.schemas import InputModel, RowModel

MAX_ID = MAX_ROW_ID
HandoffId = RowId
HandoffStatus = Literal["open", "taken", "closed"]


class TranscriptLine(InputModel):
    """One message of the conversation so far."""

    who: Literal["user", "bot"]
    text: str = Field(max_length=4000)


class HandoffIn(InputModel):
    """The assistant asks for a person to take a conversation."""

    conversation_id: SenderId
    channel: Channel = "web"
    reason: Literal["asked", "unresolved", "gave_up"] = "asked"
    question: str = Field(default="", max_length=2000)
    transcript: list[TranscriptLine] = Field(default_factory=list, max_length=50)


class HandoffOut(RowModel):
    """A handoff and the citizen's place in the queue."""

    id: int
    conversation_id: str
    channel: str
    reason: str
    question: str
    transcript: list[TranscriptLine]
    status: HandoffStatus
    taken_by: str
    note: str
    created_at: dt.datetime
    queue_position: int = 0


# how a staff member closes; "expired" is set only when nobody took the conversation in time
Outcome = Literal["answered", "referred", "no_answer", "left"]


class HandoffMessageOut(RowModel):
    """A message of the live part of the conversation."""

    id: int
    who: Literal["citizen", "staff"]
    author: str
    text: str
    created_at: dt.datetime


class HandoffDetail(HandoffOut):
    """A handoff with the messages exchanged since a person was asked for."""

    outcome: str = ""
    taken_at: dt.datetime | None = None
    closed_at: dt.datetime | None = None
    messages: list[HandoffMessageOut] = Field(default_factory=list)


class StaffReply(InputModel):
    """A staff member's reply to the citizen."""

    text: str = Field(min_length=1, max_length=2000)


class HandoffClose(InputModel):
    """Closing a handoff with an outcome; the conversation goes back to the assistant."""

    note: str = Field(default="", max_length=2000)
    outcome: Outcome = "answered"


class CitizenMessage(InputModel):
    """What the citizen wrote; the gateway asks whether a person holds the conversation."""

    conversation_id: SenderId
    text: str = Field(min_length=1, max_length=4000)


class Routed(BaseModel):
    """Whether the message went to a person, and the citizen's place while they wait."""

    held: bool
    handoff_id: int | None = None
    status: str = ""
    queue_position: int = 0
    expected_wait_minutes: int | None = None  # from recent waits; None when there are none


class Expired(BaseModel):
    """Handoffs that waited too long and were left as unresolved questions."""

    closed: list[int]
