"""Authorisation dependencies: who may call an endpoint."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated

from argon2 import PasswordHasher
from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from backend_api.errors import ApiError
from backend_api.users.security import Principal, read_token

_bearer = HTTPBearer(auto_error=False)


async def current_principal(
    request: Request, credentials: HTTPAuthorizationCredentials | None = Depends(_bearer)
) -> Principal:
    """The caller behind the bearer token; 401 when missing, invalid or expired."""
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise ApiError(401, "not_authenticated")
    secret = request.app.state.settings.jwt_secret.get_secret_value()
    principal = read_token(credentials.credentials, secret)
    if principal is None:
        raise ApiError(401, "invalid_token")
    # The role comes from the account as it is now, not from the token: a demoted or
    # disabled account loses its rights before its token expires.
    role = request.app.state.active_users.current_role(principal.username)
    if role is None:
        raise ApiError(401, "invalid_token")
    return Principal(username=principal.username, role=role)


def require_roles(*roles: str) -> Callable[[Principal], Awaitable[Principal]]:
    """A dependency that admits only callers with one of ``roles`` (403 otherwise)."""

    async def _check(principal: Principal = Depends(current_principal)) -> Principal:
        if principal.role not in roles:
            raise ApiError(403, "forbidden")
        return principal

    return _check


async def get_password_hasher(request: Request) -> PasswordHasher:
    """The hasher the app was created with, for new and changed passwords."""
    return request.app.state.password_hasher


Hasher = Annotated[PasswordHasher, Depends(get_password_hasher)]

ADMIN = require_roles("admin")
STAFF = require_roles("staff", "admin")
ASSISTANT = require_roles("assistant", "staff", "admin")

# the caller, admitted by role: declare ``actor: Staff`` (or ``_: Staff`` when unused)
Admin = Annotated[Principal, Depends(ADMIN)]
Staff = Annotated[Principal, Depends(STAFF)]
Assistant = Annotated[Principal, Depends(ASSISTANT)]
