"""Password hashing (Argon2id) and signed, expiring access tokens (JWT, HS256)."""

from __future__ import annotations

import datetime as dt
import functools
import time
from dataclasses import dataclass

import jwt
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_ALGORITHM = "HS256"


def production_hasher() -> PasswordHasher:
    """Argon2id at argon2-cffi's default cost (RFC 9106's low-memory profile)."""
    return PasswordHasher()


def verify_password(password_hash: str, password: str) -> bool:
    """Check a password against its hash without raising."""
    # An Argon2 hash carries its own cost parameters, so checking needs no configured hasher:
    # hashes made at any cost (a cheaper one in tests, an older one in production) all verify.
    try:
        return PasswordHasher().verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


@dataclass(frozen=True)
class Principal:
    """The authenticated caller."""

    username: str
    role: str


def issue_token(principal: Principal, secret: str, ttl_minutes: int) -> tuple[str, int]:
    """Return a signed token for ``principal`` and its lifetime in seconds."""
    now = dt.datetime.now(dt.UTC)
    expires = now + dt.timedelta(minutes=ttl_minutes)
    claims = {"sub": principal.username, "role": principal.role, "iat": now, "exp": expires}
    return jwt.encode(claims, secret, algorithm=_ALGORITHM), ttl_minutes * 60


def read_token(token: str, secret: str) -> Principal | None:
    """Return the principal of a valid, unexpired token, or None."""
    principal, expires_at = _verified(token, secret)
    if principal is None or _now() >= expires_at:
        return None
    return principal


def _now() -> float:
    return time.time()


@functools.lru_cache(maxsize=4096)
def _verified(token: str, secret: str) -> tuple[Principal | None, float]:
    # The assistant presents the same token on every call: checking its signature once and
    # remembering the verdict (with the expiry, checked on every use) saves that work per call.
    try:
        claims = jwt.decode(token, secret, algorithms=[_ALGORITHM], options={"require": ["exp"]})
    except jwt.PyJWTError:
        return None, 0.0
    username, role, expires = claims.get("sub"), claims.get("role"), claims.get("exp")
    if not isinstance(username, str) or not isinstance(role, str):
        return None, 0.0
    if not isinstance(expires, int | float):
        return None, 0.0
    return Principal(username=username, role=role), float(expires)
