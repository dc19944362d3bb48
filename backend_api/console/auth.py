"""Console sign-in: password check with lock-out, server-side sessions, CSRF tokens."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import logging
import secrets
from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from backend_api.audit.service import record_change
from backend_api.console.models import ConsoleSession, LoginFailures
from backend_api.console.settings import ConsoleSettings
from backend_api.db import utcnow
from backend_api.users.models import User
from backend_api.users.security import Principal, verify_password

logger = logging.getLogger(__name__)

COOKIE = "dastyar_console"
PRE_COOKIE = "dastyar_console_pre"  # CSRF token of the sign-in form, before any session
_TOUCH_EVERY = dt.timedelta(seconds=60)  # at most one write per minute per session


class SignInRefused(Exception):
    """The sign-in failed; ``code`` names the Persian text to show."""

    def __init__(self, code: str, **params: object) -> None:
        super().__init__(code)
        self.code = code
        self.params = params


@dataclass(frozen=True)
class SessionInfo:
    """A live console session."""

    username: str
    csrf_token: str


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def tokens_match(expected: str, given: str | None) -> bool:
    """Constant-time comparison of CSRF tokens."""
    return bool(given) and hmac.compare_digest(expected.encode(), (given or "").encode())


def _locked_minutes(row: LoginFailures | None, now: dt.datetime) -> int:
    if row is None or row.locked_until is None or row.locked_until <= now:
        return 0
    return max(1, int((row.locked_until - now).total_seconds() // 60) + 1)


def _note_failure(
    session: Session, row: LoginFailures | None, username: str, settings: ConsoleSettings
) -> None:
    now = utcnow()
    window = dt.timedelta(minutes=settings.failure_window_minutes)
    if row is None:
        row = LoginFailures(username=username[:100], failures=0, first_failure_at=now)
        session.add(row)
    if now - row.first_failure_at > window:
        row.failures, row.first_failure_at, row.locked_until = 0, now, None
    row.failures += 1
    if row.failures >= settings.max_failures:
        row.locked_until = now + dt.timedelta(minutes=settings.lockout_minutes)
        row.failures, row.first_failure_at = 0, now
        logger.warning("console sign-in locked for %r after repeated failures", username)


def sign_in(
    session: Session, username: str, password: str, settings: ConsoleSettings
) -> tuple[str, SessionInfo]:
    """Check the password and open a session; return the cookie token and the session.

    Unknown names count failures too, so a lock-out does not tell which names exist.
    """
    username = username.strip()
    now = utcnow()
    row = session.scalar(select(LoginFailures).where(LoginFailures.username == username[:100]))
    minutes = _locked_minutes(row, now)
    if minutes:
        raise SignInRefused("locked", minutes=minutes)
    user = session.scalar(select(User).where(User.username == username))
    if user is None or not user.active or not verify_password(user.password_hash, password):
        _note_failure(session, row, username, settings)
        session.flush()
        row = session.scalar(select(LoginFailures).where(LoginFailures.username == username[:100]))
        minutes = _locked_minutes(row, utcnow())
        raise (
            SignInRefused("locked", minutes=minutes)
            if minutes
            else SignInRefused("bad_credentials")
        )
    if user.role not in ("staff", "admin"):
        raise SignInRefused("service_account")
    if row is not None:
        session.delete(row)
    token = secrets.token_urlsafe(32)
    info = SessionInfo(username=user.username, csrf_token=secrets.token_urlsafe(32))
    session.add(
        ConsoleSession(
            token_hash=_hash(token),
            username=user.username,
            csrf_token=info.csrf_token,
            created_at=now,
            last_seen_at=now,
            expires_at=now + dt.timedelta(hours=settings.max_hours),
        )
    )
    # Expired sessions of anyone are swept here, the one write path that runs regularly.
    session.execute(delete(ConsoleSession).where(ConsoleSession.expires_at < now))
    record_change(
        session, Principal(user.username, user.role), "sign_in", "console", "", None, None
    )
    session.flush()
    return token, info


def load_session(
    session: Session, token: str | None, settings: ConsoleSettings
) -> SessionInfo | None:
    """The live session behind a cookie token, or None when unknown, idle too long or expired."""
    if not token:
        return None
    row = session.scalar(select(ConsoleSession).where(ConsoleSession.token_hash == _hash(token)))
    if row is None:
        return None
    now = utcnow()
    idle = dt.timedelta(minutes=settings.idle_minutes)
    if row.expires_at <= now or now - row.last_seen_at > idle:
        session.delete(row)
        return None
    if now - row.last_seen_at > _TOUCH_EVERY:
        row.last_seen_at = now
    return SessionInfo(username=row.username, csrf_token=row.csrf_token)


def session_owner(session: Session, token: str | None) -> str | None:
    """The account behind a live cookie token, read only (for the rate limit: who is asking)."""
    if not token:
        return None
    row = session.scalar(select(ConsoleSession).where(ConsoleSession.token_hash == _hash(token)))
    return row.username if row is not None and row.expires_at > utcnow() else None


def sign_out(session: Session, token: str | None, actor: Principal | None) -> None:
    """End the session behind a cookie token."""
    if token:
        session.execute(delete(ConsoleSession).where(ConsoleSession.token_hash == _hash(token)))
    if actor is not None:
        record_change(session, actor, "sign_out", "console", "", None, None)


def end_sessions_of(session: Session, username: str) -> None:
    """End every session of an account (it was disabled or its password changed)."""
    session.execute(delete(ConsoleSession).where(ConsoleSession.username == username))
