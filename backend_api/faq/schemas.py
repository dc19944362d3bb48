"""FAQ schemas."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import Field

from backend_api.common.schemas import InputModel

FaqStatus = Literal["draft", "published", "retired"]  # retired: kept, never served


class FaqIn(InputModel):
    """An FAQ as imported or written by an admin."""

    id: str = Field(min_length=2, max_length=120, pattern=r"^[a-z0-9][a-z0-9-]*$")
    service: str = Field(default="", pattern=r"^(\d{11})?$")
    question: str = Field(min_length=3, max_length=1000)
    alternatives: list[str] = Field(default_factory=list, max_length=30)
    answer: str = Field(min_length=2, max_length=4000)
    tags: list[str] = Field(default_factory=list, max_length=30)
    status: FaqStatus = "published"


class FaqOut(FaqIn):
    """An FAQ as returned."""

    service_title: str = ""
    author: str = ""
    created_at: dt.datetime
    updated_at: dt.datetime
