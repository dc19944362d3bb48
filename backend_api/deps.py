"""FastAPI dependencies shared by every router: database session and settings."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from backend_api.db import session_scope
from backend_api.settings import BackendSettings


def get_session(request: Request) -> Iterator[Session]:
    """One session (and transaction) per HTTP request."""
    yield from session_scope(request.app.state.session_factory)


def get_app_settings(request: Request) -> BackendSettings:
    """The settings the app was created with."""
    return request.app.state.settings


# scope="function": the commit runs before the response is sent, so nothing is acknowledged
# that was not stored.
DbSession = Annotated[Session, Depends(get_session, scope="function")]
