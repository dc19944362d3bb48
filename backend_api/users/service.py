"""Account management: bootstrap, authentication, admin changes."""

from __future__ import annotations

import logging
import threading
import time

from argon2 import PasswordHasher
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from backend_api.audit.service import record_change, snapshot
from backend_api.errors import ApiError, Conflict, NotFound
from backend_api.users.models import User
from backend_api.users.schemas import UserCreate, UserUpdate
from backend_api.users.security import Principal, verify_password

logger = logging.getLogger(__name__)

USER_FIELDS = ("username", "role", "full_name", "active")


def ensure_account(
    session: Session, username: str, password: str, role: str, *, hasher: PasswordHasher
) -> None:
    """Create the account if it does not exist; keep its password in step with configuration."""
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        session.add(User(username=username, password_hash=hasher.hash(password), role=role))
        logger.info("created %s account %r", role, username)
    elif not verify_password(user.password_hash, password):
        user.password_hash = hasher.hash(password)
        logger.info("updated the configured password of %r", username)


def authenticate(session: Session, username: str, password: str) -> Principal:
    """Return the principal for valid credentials of an active account, else raise 401."""
    user = session.scalar(select(User).where(User.username == username))
    if user is None or not user.active or not verify_password(user.password_hash, password):
        raise ApiError(401, "bad_credentials")
    return Principal(username=user.username, role=user.role)


def list_users(session: Session) -> list[User]:
    """All accounts, by name."""
    return list(session.scalars(select(User).order_by(User.username)))


def create_user(
    session: Session, actor: Principal, data: UserCreate, *, hasher: PasswordHasher
) -> User:
    """Create an account (admin only)."""
    if session.scalar(select(User.id).where(User.username == data.username)) is not None:
        raise Conflict("username_taken")
    user = User(
        username=data.username,
        password_hash=hasher.hash(data.password),
        role=data.role,
        full_name=data.full_name,
    )
    session.add(user)
    session.flush()
    record_change(
        session, actor, "create", "user", user.username, None, snapshot(user, USER_FIELDS)
    )
    return user


def update_user(
    session: Session, actor: Principal, username: str, data: UserUpdate, *, hasher: PasswordHasher
) -> User:
    """Change an account's role, name, activity or password (admin only)."""
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        raise NotFound("user_not_found")
    before = snapshot(user, USER_FIELDS)
    changes = data.model_dump(exclude_unset=True, exclude={"password"})
    for key, value in changes.items():
        setattr(user, key, value)
    if data.password:
        user.password_hash = hasher.hash(data.password)
    after = snapshot(user, USER_FIELDS)
    if data.password:
        after["password"] = "changed"
    record_change(session, actor, "update", "user", user.username, before, after)
    return user


class ActiveUsers:
    """Answers "which role does this account have now?" with a short cache, so a disabled or
    demoted account loses its rights within ``ttl`` seconds (at once in the process that made
    the change) without a database query on every call."""

    def __init__(self, factory: sessionmaker[Session], ttl: float = 30.0) -> None:
        self._factory = factory
        self._ttl = ttl
        self._lock = threading.Lock()
        self._cache: dict[str, tuple[str | None, float]] = {}

    def current_role(self, username: str) -> str | None:
        """The role of an active account, or None if it does not exist or is disabled."""
        now = time.monotonic()
        with self._lock:
            hit = self._cache.get(username)
        if hit and now - hit[1] < self._ttl:
            return hit[0]
        with self._factory() as session:
            row = session.execute(
                select(User.role, User.active).where(User.username == username)
            ).first()
        role = row.role if row is not None and row.active else None
        with self._lock:
            self._cache[username] = (role, now)
        return role

    def forget(self, username: str) -> None:
        """Drop a cached answer (after the account changed in this process)."""
        with self._lock:
            self._cache.pop(username, None)
