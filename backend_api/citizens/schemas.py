"""What the assistant sends to prove a mobile, and what a verified conversation sees."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, Field
from pydantic_core import PydanticCustomError

from backend_api.citizens.policy import CODE_DIGITS
from backend_api.common.fields import Channel, Mobile
from backend_api.common.schemas import InputModel
from nlu.digits import only_digits


def _one_time_code(value: str) -> str:
    code = only_digits(value)
    if len(code) != CODE_DIGITS or len(value.strip()) > 2 * CODE_DIGITS:
        raise PydanticCustomError("invalid_one_time_code", "a one-time code has six digits")
    return code


OneTimeCode = Annotated[str, Field(max_length=30), AfterValidator(_one_time_code)]
# the conversation a code is sent for: required here, as the verification belongs to it
Conversation = Annotated[str, Field(min_length=1, max_length=200)]


class CodeAsk(InputModel):
    """Send a one-time code to ``mobile`` for this conversation."""

    mobile: Mobile
    sender_id: Conversation
    channel: Channel = "web"


class CodeSent(BaseModel):
    """``sent``: a code is on its way and valid until ``valid_until``; ``verified``: the
    conversation has already proved this mobile, until ``valid_until``."""

    status: Literal["sent", "verified"]
    valid_until: dt.datetime


class CodeCheck(InputModel):
    """The code the citizen typed, for the mobile and conversation it was sent for."""

    mobile: Mobile
    sender_id: Conversation
    code: OneTimeCode


class ContactIn(InputModel):
    """A contact the citizen shared on a platform that proves it is their own number."""

    mobile: Mobile
    sender_id: Conversation
    channel: Channel


class Verification(BaseModel):
    """The conversation may see the mobile's filings until ``verified_until``."""

    verified_until: dt.datetime


class MobileOfConversation(InputModel):
    """A mobile, and the conversation that proved it."""

    mobile: Mobile
    sender_id: Conversation


class Filing(BaseModel):
    """One request, complaint or suggestion filed with the mobile, as a line of a list."""

    kind: Literal["request", "complaint", "suggestion"]
    tracking_code: str
    tracking_code_display: str
    title: str
    status: str
    created_at: dt.datetime


class Filings(BaseModel):
    """The mobile's filings, newest first."""

    items: list[Filing]
