"""Schema bases every domain shares, and the citizen's proof of identity for a lookup."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, model_validator
from pydantic_core import PydanticCustomError

from backend_api.common.fields import Mobile, NationalCode, SenderId, TrackingCode


class InputModel(BaseModel):
    """A request body: a field the API does not know is refused, not silently dropped."""

    model_config = ConfigDict(extra="forbid")


class RowModel(BaseModel):
    """A response read from a database row's attributes."""

    model_config = ConfigDict(from_attributes=True)


def require_identity(national_code: str | None, mobile: str | None) -> None:
    """The rule for everything a citizen files or looks up: a national code or a mobile."""
    if not national_code and not mobile:
        raise PydanticCustomError("identity_required", "national code or mobile required")


class CitizenProof(InputModel):
    """A tracking code with the national code or the mobile it was filed with, and the
    conversation asking (its wrong guesses are counted too)."""

    tracking_code: TrackingCode
    national_code: NationalCode | None = None
    mobile: Mobile | None = None
    sender_id: SenderId = ""

    @model_validator(mode="after")
    def _one_identity(self) -> CitizenProof:
        require_identity(self.national_code, self.mobile)
        return self
