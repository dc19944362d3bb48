"""Handoff schemas."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from backend_api.common.fields import Channel, SenderId


class TranscriptLine(BaseModel):
    """One message of the conversation so far."""

    model_config = ConfigDict(extra="forbid")

    who: Literal["user", "bot"]
    text: str = Field(max_length=4000)


class HandoffIn(BaseModel):
    """The assistant asks for a person to take a conversation."""

    model_config = ConfigDict(extra="forbid")

    conversation_id: SenderId
    channel: Channel = "web"
    reason: Literal["asked", "unresolved", "gave_up"] = "asked"
    question: str = Field(default="", max_length=2000)
    transcript: list[TranscriptLine] = Field(default_factory=list, max_length=50)


class HandoffOut(BaseModel):
    """A handoff and the citizen's place in the queue."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    conversation_id: str
    channel: str
    reason: str
    question: str
    transcript: list[TranscriptLine]
    status: Literal["open", "taken", "closed"]
    taken_by: str
    note: str
    created_at: dt.datetime
    queue_position: int = 0


class HandoffClose(BaseModel):
    """Closing a handoff."""

    model_config = ConfigDict(extra="forbid")

    note: str = Field(default="", max_length=2000)
