"""FastAPI dependencies shared by every router, as typed aliases: the request's database session
and the app-wide collaborators the domain services take as arguments."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Annotated, TypeVar

from fastapi import Depends, Header, Request, Response
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from backend_api.citizens.policy import CodePolicy
from backend_api.common.guard import LookupGuard
from backend_api.db import finish_session
from backend_api.errors import ApiError, MessageCatalogue
from backend_api.settings import BackendSettings

T = TypeVar("T")


async def get_session(request: Request) -> AsyncIterator[Session]:
    """One session (and transaction) per HTTP request, committed before the response goes out."""
    # Async on purpose: opening a session does no I/O, and a sync generator dependency would
    # cost two thread hops per request (enter and exit) on top of the endpoint's own; the
    # commit, which does I/O, runs in the thread pool in one hop.
    session = request.app.state.session_factory()
    failed = False
    try:
        yield session
    except ApiError as exc:
        failed = not exc.keeps_changes
        raise
    except BaseException:
        failed = True
        raise
    finally:
        await run_in_threadpool(finish_session, session, failed=failed)


async def get_app_settings(request: Request) -> BackendSettings:
    """The settings the app was created with."""
    return request.app.state.settings


async def get_messages(request: Request) -> MessageCatalogue:
    """The backend's Persian texts (errors, status labels, notifications)."""
    return request.app.state.messages


async def get_lookup_guard(request: Request) -> LookupGuard:
    """The limiter of wrong guesses at what citizens prove (tracking codes, one-time codes)."""
    return request.app.state.lookup_guard


async def get_code_policy(request: Request) -> CodePolicy:
    """Lifetimes and limits of one-time codes, and the key they are hashed with."""
    return request.app.state.code_policy


# The unit of work: services flush, this dependency commits (see backend_api/README.md).
# scope="function": the commit runs before the response is sent, so nothing is acknowledged
# that was not stored.
DbSession = Annotated[Session, Depends(get_session, scope="function")]
AppSettings = Annotated[BackendSettings, Depends(get_app_settings)]
Messages = Annotated[MessageCatalogue, Depends(get_messages)]
Guard = Annotated[LookupGuard, Depends(get_lookup_guard)]
Codes = Annotated[CodePolicy, Depends(get_code_policy)]


@dataclass(frozen=True)
class Filing:
    """A citizen's filing (request, complaint) that a retry with the same key must not repeat."""

    key: str | None
    response: Response

    def answered(self, filed: tuple[T, bool]) -> T:
        """The filed row; answer 201 for a new filing, 200 when it replays an earlier one with
        the same key (``filed``: the row and whether it was created, as ``file_once`` gives)."""
        row, created = filed
        if not created:
            self.response.status_code = 200
        return row


async def get_filing(
    response: Response, idempotency_key: str | None = Header(None, max_length=128)
) -> Filing:
    """The ``Idempotency-Key`` header a retry repeats, and the response whose status it sets."""
    return Filing(idempotency_key, response)


Idempotent = Annotated[Filing, Depends(get_filing)]
