"""Catalogue schemas: the service card as imported, edited through the API and returned."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, Field, model_validator

from backend_api.common.schemas import InputModel, RowModel

Text = Field(min_length=1, max_length=4000)
ShortList: Any = Field(default_factory=list, max_length=50)


class AgencyIn(InputModel):
    """An agency as imported or created."""

    code: str = Field(min_length=2, max_length=64, pattern=r"^[a-z0-9-]+$")
    number: str = Field(pattern=r"^\d{3}$")
    name: str = Field(min_length=2, max_length=200)
    website: str = Field(default="", max_length=300)
    phone: str = Field(default="", max_length=50)


class AgencyOut(AgencyIn, RowModel):
    """An agency."""


class ClusterIn(InputModel):
    """A cluster as imported or created."""

    code: str = Field(min_length=2, max_length=64, pattern=r"^[a-z0-9-]+$")
    name: str = Field(min_length=2, max_length=200)


class ClusterOut(ClusterIn, RowModel):
    """A cluster."""


class Cost(InputModel):
    """What the service costs: free, a fixed amount, or variable with an explanation."""

    kind: Literal["free", "fixed", "variable"]
    amount: int | None = Field(default=None, ge=0, le=10**13)
    currency: Literal["IRR"] = "IRR"
    note: str = Field(default="", max_length=2000)

    @model_validator(mode="after")
    def _consistent(self) -> Cost:
        if self.kind == "fixed" and self.amount is None:
            raise ValueError("a fixed cost needs an amount")
        if self.kind == "variable" and not self.note.strip():
            raise ValueError("a variable cost needs a note explaining it")
        return self


class ProcessingTime(InputModel):
    """How long the service takes, in days."""

    min_days: int = Field(ge=0, le=3650)
    max_days: int = Field(ge=0, le=3650)
    note: str = Field(default="", max_length=2000)

    @model_validator(mode="after")
    def _ordered(self) -> ProcessingTime:
        if self.min_days > self.max_days:
            raise ValueError("min_days is greater than max_days")
        return self


class Channels(InputModel):
    """Where the service is delivered."""

    url: str = Field(default="", max_length=300, pattern=r"^(https?://\S+)?$")
    offices: list[str] = ShortList
    phone: str = Field(default="", max_length=50)


class ServiceCard(InputModel):
    """A service ID card (شناسنامه خدمت) in the import/export and API format."""

    code: str = Field(pattern=r"^\d{11}$")
    title: str = Field(min_length=2, max_length=300)
    aliases: list[str] = ShortList
    agency: str = Field(min_length=2, max_length=64)
    cluster: str = Field(min_length=2, max_length=64)
    description: str = Text
    audience: str = Field(default="", max_length=2000)
    prerequisites: list[str] = ShortList
    documents: list[str] = Field(min_length=1, max_length=50)
    cost: Cost
    processing_time: ProcessingTime
    channels: Channels
    steps: list[str] = Field(min_length=1, max_length=50)
    inquiries: list[str] = ShortList
    legal_basis: list[str] = ShortList
    electronic: Literal["full", "partial", "none"]
    revised: dt.date


class ServiceOut(ServiceCard):
    """A service card with its agency and cluster spelled out."""

    agency_name: str
    cluster_name: str
    active: bool


class ServiceSummary(BaseModel):
    """A line in a list of services."""

    code: str
    title: str
    agency: str
    agency_name: str
    cluster: str
    cluster_name: str
    electronic: str
