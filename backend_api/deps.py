"""FastAPI dependencies shared by every router: database session and settings."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from backend_api.db import finish_session
from backend_api.settings import BackendSettings


async def get_session(request: Request) -> AsyncIterator[Session]:
    """One session (and transaction) per HTTP request, committed before the response goes out."""
    # Async on purpose: opening a session does no I/O, and a sync generator dependency would
    # cost two thread hops per request (enter and exit) on top of the endpoint's own; the
    # commit, which does I/O, runs in the thread pool in one hop.
    session = request.app.state.session_factory()
    failed = False
    try:
        yield session
    except BaseException:
        failed = True
        raise
    finally:
        await run_in_threadpool(finish_session, session, failed=failed)


async def get_app_settings(request: Request) -> BackendSettings:
    """The settings the app was created with."""
    return request.app.state.settings


# scope="function": the commit runs before the response is sent, so nothing is acknowledged
# that was not stored.
DbSession = Annotated[Session, Depends(get_session, scope="function")]
