"""Who is signed in to the console, what they may see, and CSRF checks on every change."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request

from backend_api.console import auth
from backend_api.console.settings import ConsoleSettings, get_console_settings
from backend_api.console.web import Forbidden, SignInRequired
from backend_api.deps import DbSession
from backend_api.org.service import agency_ids_of
from backend_api.users.security import Principal

CSRF_HEADER = "X-CSRF-Token"
CSRF_FIELD = "csrf_token"


@dataclass(frozen=True)
class ConsoleUser:
    """A signed-in staff member or admin."""

    username: str
    role: str
    csrf_token: str
    agency_ids: frozenset[int]  # the agencies the account belongs to

    @property
    def is_admin(self) -> bool:
        """Admins see every agency."""
        return self.role == "admin"

    @property
    def scope(self) -> frozenset[int] | None:
        """The agencies whose work this user sees; None means all of them."""
        return None if self.is_admin else self.agency_ids

    @property
    def principal(self) -> Principal:
        """The user as the domain services' actor."""
        return Principal(self.username, self.role)


async def console_settings() -> ConsoleSettings:
    """The console's settings."""
    return get_console_settings()


Settings = Annotated[ConsoleSettings, Depends(console_settings)]


async def signed_in(request: Request, session: DbSession, settings: Settings) -> ConsoleUser:
    """The user behind the session cookie; otherwise the visitor is sent to sign in."""
    info = auth.load_session(session, request.cookies.get(auth.COOKIE), settings)
    if info is None:
        raise SignInRequired()
    # The role is the account's role now: a disabled or demoted account loses the console
    # within the active-users cache's few seconds, whatever its cookie says.
    role = request.app.state.active_users.current_role(info.username)
    if role not in ("staff", "admin"):
        raise SignInRequired()
    user = ConsoleUser(
        username=info.username,
        role=role,
        csrf_token=info.csrf_token,
        agency_ids=agency_ids_of(session, info.username),
    )
    request.state.console_user = user
    return user


async def staff(user: ConsoleUser = Depends(signed_in)) -> ConsoleUser:
    """Staff and admins."""
    return user


async def admin(user: ConsoleUser = Depends(signed_in)) -> ConsoleUser:
    """Admins only (403 page for staff)."""
    if not user.is_admin:
        raise Forbidden()
    return user


async def _check_csrf(request: Request, user: ConsoleUser) -> None:
    given = request.headers.get(CSRF_HEADER)
    if not given:
        form = await request.form()
        value = form.get(CSRF_FIELD)
        given = value if isinstance(value, str) else None
    if not auth.tokens_match(user.csrf_token, given):
        raise Forbidden("csrf")


async def staff_change(request: Request, user: ConsoleUser = Depends(staff)) -> ConsoleUser:
    """Staff or admin submitting a change with the session's CSRF token."""
    await _check_csrf(request, user)
    return user


async def admin_change(request: Request, user: ConsoleUser = Depends(admin)) -> ConsoleUser:
    """Admin submitting a change with the session's CSRF token."""
    await _check_csrf(request, user)
    return user


StaffUser = Annotated[ConsoleUser, Depends(staff)]
AdminUser = Annotated[ConsoleUser, Depends(admin)]
StaffChange = Annotated[ConsoleUser, Depends(staff_change)]
AdminChange = Annotated[ConsoleUser, Depends(admin_change)]
