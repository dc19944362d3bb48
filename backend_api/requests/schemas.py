"""Service request schemas."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field, model_validator
from pydantic_core import PydanticCustomError

from backend_api.common.fields import Channel, Mobile, NationalCode, SenderId, TrackingCode
from backend_api.requests.workflow import Status


class RequestCreate(BaseModel):
    """A citizen's request for a service."""

    model_config = ConfigDict(extra="forbid")

    service_code: str = Field(pattern=r"^\d{11}$")
    full_name: str = Field(min_length=2, max_length=200)
    national_code: NationalCode
    mobile: Mobile
    description: str = Field(default="", max_length=2000)
    channel: Channel = "web"
    sender_id: SenderId = ""


class CitizenProof(BaseModel):
    """A tracking code with the national code or the mobile it was filed with."""

    model_config = ConfigDict(extra="forbid")

    tracking_code: TrackingCode
    national_code: NationalCode | None = None
    mobile: Mobile | None = None

    @model_validator(mode="after")
    def _one_identity(self) -> CitizenProof:
        if not self.national_code and not self.mobile:
            raise PydanticCustomError("identity_required", "national code or mobile required")
        return self


class Receipt(BaseModel):
    """What the citizen gets back after filing."""

    tracking_code: str
    tracking_code_display: str
    service_code: str
    service_title: str
    agency_name: str
    status: Status
    created_at: dt.datetime
    estimated_completion: dt.date
    estimated_completion_jalali: str
    cost_kind: str
    cost_amount: int | None
    cost_note: str


class EventOut(BaseModel):
    """One workflow step."""

    model_config = ConfigDict(from_attributes=True)

    status: Status
    actor: str
    note: str
    at: dt.datetime


class AttachmentOut(BaseModel):
    """An attachment's metadata."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    filename: str
    content_type: str
    size: int
    created_at: dt.datetime


class RequestView(Receipt):
    """A request with its history, as the citizen (or staff) sees it."""

    full_name: str
    description: str
    channel: str
    events: list[EventOut]
    attachments: list[AttachmentOut]


class StaffRequestView(RequestView):
    """A request with the citizen's contact details, for staff."""

    national_code: str
    mobile: str
    sender_id: str


class Transition(BaseModel):
    """A staff decision moving a request to another status."""

    model_config = ConfigDict(extra="forbid")

    status: Status
    note: str = Field(default="", max_length=2000)
