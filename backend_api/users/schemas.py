"""Account schemas."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from backend_api.common.schemas import RowModel

Role = Literal["admin", "staff", "assistant"]


class TokenRequest(BaseModel):
    """Credentials exchanged for an access token."""

    username: str = Field(min_length=1, max_length=100)
    password: str = Field(min_length=1, max_length=200)


class TokenOut(BaseModel):
    """An access token."""

    access_token: str
    token_type: str = "bearer"
    expires_in: int
    role: Role


class UserCreate(BaseModel):
    """A new account."""

    username: str = Field(min_length=3, max_length=100, pattern=r"^[A-Za-z0-9_.@-]+$")
    password: str = Field(min_length=10, max_length=200)
    role: Role
    full_name: str = Field(default="", max_length=200)


class UserUpdate(BaseModel):
    """Changes to an account."""

    role: Role | None = None
    full_name: str | None = Field(default=None, max_length=200)
    active: bool | None = None
    password: str | None = Field(default=None, min_length=10, max_length=200)


class UserOut(RowModel):
    """An account as shown to admins (never the hash)."""

    username: str
    role: Role
    full_name: str
    active: bool
