"""Authentication and account administration endpoints."""

from __future__ import annotations

from fastapi import APIRouter, Request

from backend_api.deps import DbSession
from backend_api.users import service
from backend_api.users.deps import Admin, Hasher
from backend_api.users.schemas import TokenOut, TokenRequest, UserCreate, UserOut, UserUpdate
from backend_api.users.security import issue_token

router = APIRouter(tags=["auth"])


@router.post("/auth/token", response_model=TokenOut)
def token(*, body: TokenRequest, request: Request, session: DbSession) -> TokenOut:
    """Exchange a username and password for a bearer token."""
    principal = service.authenticate(session, body.username, body.password)
    settings = request.app.state.settings
    value, ttl = issue_token(
        principal, settings.jwt_secret.get_secret_value(), settings.token_ttl_minutes
    )
    return TokenOut(access_token=value, expires_in=ttl, role=principal.role)  # type: ignore[arg-type]


@router.get("/admin/users", response_model=list[UserOut])
def list_users(*, _: Admin, session: DbSession) -> list[UserOut]:
    """List accounts."""
    return [UserOut.model_validate(u) for u in service.list_users(session)]


@router.post("/admin/users", response_model=UserOut, status_code=201)
def create_user(*, body: UserCreate, actor: Admin, session: DbSession, hasher: Hasher) -> UserOut:
    """Create a staff, admin or service account."""
    return UserOut.model_validate(service.create_user(session, actor, body, hasher=hasher))


@router.patch("/admin/users/{username}", response_model=UserOut)
def update_user(
    *,
    username: str,
    body: UserUpdate,
    request: Request,
    actor: Admin,
    session: DbSession,
    hasher: Hasher,
) -> UserOut:
    """Change an account; disabling it revokes its tokens."""
    user = service.update_user(session, actor, username, body, hasher=hasher)
    request.app.state.active_users.forget(username)
    return UserOut.model_validate(user)
