"""Validated field types for citizen identifiers, with machine error codes for the API."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path
from pydantic import AfterValidator, BeforeValidator, Field
from pydantic_core import PydanticCustomError

from nlu.identifiers import normalize_mobile, normalize_national_code, normalize_tracking_code

MAX_ROW_ID = 2**31 - 1  # ids are 32-bit in PostgreSQL; a larger one is refused (422), not a 500
RowId = Annotated[int, Path(ge=1, le=MAX_ROW_ID)]  # a table row's id in a URL path


def _as_text(value: object) -> object:
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


def _national_code(value: str) -> str:
    code = normalize_national_code(value)
    if code is None:
        raise PydanticCustomError("invalid_national_code", "invalid national code")
    return code


def _mobile(value: str) -> str:
    mobile = normalize_mobile(value)
    if mobile is None:
        raise PydanticCustomError("invalid_mobile", "invalid mobile number")
    return mobile


def _tracking_code(value: str) -> str:
    code = normalize_tracking_code(value)
    if code is None:
        raise PydanticCustomError("invalid_tracking_code", "invalid tracking code")
    return code


NationalCode = Annotated[
    str, BeforeValidator(_as_text), Field(max_length=30), AfterValidator(_national_code)
]
Mobile = Annotated[str, BeforeValidator(_as_text), Field(max_length=30), AfterValidator(_mobile)]
TrackingCode = Annotated[
    str, BeforeValidator(_as_text), Field(max_length=30), AfterValidator(_tracking_code)
]
Channel = Annotated[str, Field(default="web", pattern=r"^[a-z_]{2,32}$")]
SenderId = Annotated[str, Field(default="", max_length=200)]
