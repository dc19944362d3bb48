"""Service request schemas."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, Field

from backend_api.common.fields import Channel, Mobile, NationalCode, SenderId
from backend_api.common.schemas import InputModel, RowModel
from backend_api.requests.workflow import Status


class RequestCreate(InputModel):
    """A citizen's request for a service."""

    service_code: str = Field(pattern=r"^\d{11}$")
    full_name: str = Field(min_length=2, max_length=200)
    national_code: NationalCode
    mobile: Mobile
    description: str = Field(default="", max_length=2000)
    channel: Channel = "web"
    sender_id: SenderId = ""


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


class EventOut(RowModel):
    """One workflow step."""

    status: Status
    actor: str
    note: str
    at: dt.datetime


class AttachmentOut(RowModel):
    """An attachment's metadata."""

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


class Transition(InputModel):
    """A staff decision moving a request to another status."""

    status: Status
    note: str = Field(default="", max_length=2000)
