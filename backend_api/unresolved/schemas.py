"""Unresolved question schemas."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import Field

from backend_api.common.fields import Channel, SenderId
from backend_api.common.schemas import InputModel, RowModel

UnresolvedStatus = Literal["new", "answered", "dismissed"]


class Candidate(InputModel):
    """A document the assistant considered, with its score."""

    id: str = Field(max_length=200)
    title: str = Field(default="", max_length=500)
    score: float


class UnresolvedIn(InputModel):
    """A question the assistant could not answer."""

    question: str = Field(min_length=1, max_length=2000)
    channel: Channel = "web"
    conversation_id: SenderId = ""
    candidates: list[Candidate] = Field(default_factory=list, max_length=20)


class UnresolvedOut(RowModel):
    """An unresolved question as staff see it."""

    id: int
    question: str
    channel: str
    conversation_id: str
    candidates: list[Candidate]
    status: UnresolvedStatus
    answer: str
    faq_id: int | None
    handled_by: str
    created_at: dt.datetime


class AnswerIn(InputModel):
    """A staff answer; optionally published as a new FAQ."""

    answer: str = Field(min_length=2, max_length=4000)
    create_faq: bool = False
    faq_id: str | None = Field(default=None, pattern=r"^[a-z0-9][a-z0-9-]*$", max_length=120)
    question: str | None = Field(default=None, min_length=3, max_length=1000)
    service_code: str = Field(default="", pattern=r"^(\d{11})?$")
    publish: bool = True
