"""Feedback schemas."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, Field, model_validator
from pydantic_core import PydanticCustomError

from backend_api.common.fields import Channel, Mobile, NationalCode, SenderId, TrackingCode
from backend_api.common.schemas import InputModel, require_identity

ComplaintStatus = Literal["new", "in_review", "resolved", "closed"]


class RatingIn(InputModel):
    """A satisfaction score for a completed request (with proof of identity) or for a service."""

    score: int = Field(ge=1, le=5)
    comment: str = Field(default="", max_length=1000)
    tracking_code: TrackingCode | None = None
    national_code: NationalCode | None = None
    mobile: Mobile | None = None
    service_code: str | None = Field(default=None, pattern=r"^\d{11}$")
    channel: Channel = "web"
    sender_id: SenderId = ""

    @model_validator(mode="after")
    def _target(self) -> RatingIn:
        if not self.tracking_code and not self.service_code:
            raise PydanticCustomError("rating_target_required", "tracking code or service needed")
        if self.tracking_code:
            require_identity(self.national_code, self.mobile)
        return self


class RatingOut(BaseModel):
    """A recorded rating."""

    id: int
    score: int
    comment: str
    service_code: str
    tracking_code: str | None
    created_at: dt.datetime


class RatingSummary(BaseModel):
    """Satisfaction of one service."""

    service_code: str
    service_title: str
    count: int
    average: float


class ComplaintIn(InputModel):
    """A complaint or a suggestion."""

    kind: Literal["complaint", "suggestion"]
    text: str = Field(min_length=5, max_length=4000)
    service_code: str | None = Field(default=None, pattern=r"^\d{11}$")
    agency_code: str | None = Field(default=None, max_length=64)
    national_code: NationalCode | None = None
    mobile: Mobile | None = None
    channel: Channel = "web"
    sender_id: SenderId = ""

    @model_validator(mode="after")
    def _contact(self) -> ComplaintIn:
        if self.kind == "complaint":
            require_identity(self.national_code, self.mobile)
        return self


class ComplaintOut(BaseModel):
    """A complaint as the citizen sees it."""

    tracking_code: str
    tracking_code_display: str
    kind: str
    status: ComplaintStatus
    text: str
    response: str
    service_code: str | None
    agency_code: str | None
    created_at: dt.datetime
    updated_at: dt.datetime


class ComplaintUpdate(InputModel):
    """A staff member's handling of a complaint."""

    status: ComplaintStatus
    response: str = Field(default="", max_length=4000)
