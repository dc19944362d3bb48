"""Admin: accounts and roles, agencies' posts and staff memberships (the org chart)."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from fastapi import APIRouter, Form, Request, Response
from pydantic import ValidationError

from backend_api.catalogue.service import list_agencies
from backend_api.console.auth import end_sessions_of
from backend_api.console.deps import AdminChange, AdminUser
from backend_api.console.forms import optional_int, refusal
from backend_api.console.web import ConsoleRoute, api_messages, redirect, render
from backend_api.deps import DbSession
from backend_api.errors import ApiError
from backend_api.org import service as org
from backend_api.users.deps import Hasher
from backend_api.users.schemas import UserCreate, UserUpdate
from backend_api.users.service import create_user, list_users, update_user

router = APIRouter(route_class=ConsoleRoute)


def _page(
    request: Request, session: DbSession, errors: list[str] | None = None, status: int = 200
) -> Response:
    posts = org.list_posts(session)
    context: dict[str, Any] = {
        "users": list_users(session),
        "agencies": list_agencies(session),
        "posts": posts,
        "post_titles": {p.id: p.title for p in posts},
        "memberships": org.list_memberships(session),
        "errors": errors or [],
    }
    return render(request, "accounts.html", context, status)


def _apply(
    request: Request, session: DbSession, change: Callable[[], object], msg: str
) -> Response:
    """Make ``change`` and go back to the page with ``msg``; when it is refused, show why."""
    try:
        change()
    except (ValidationError, ApiError) as exc:
        errors, status = refusal(exc, api_messages(request))
        return _page(request, session, errors, status)
    return redirect("/console/accounts", msg=msg)


@router.get("/accounts")
def accounts(request: Request, user: AdminUser, session: DbSession) -> Response:
    """Accounts, posts and memberships."""
    return _page(request, session)


@router.post("/accounts/users")
def add_user(
    request: Request,
    user: AdminChange,
    session: DbSession,
    hasher: Hasher,
    username: str = Form("", max_length=100),
    password: str = Form("", max_length=200),
    role: str = Form("staff", max_length=16),
    full_name: str = Form("", max_length=200),
) -> Response:
    """Create an account."""
    data = {
        "username": username.strip(),
        "password": password,
        "role": role,
        "full_name": full_name.strip(),
    }

    def create() -> None:
        create_user(session, user.principal, UserCreate.model_validate(data), hasher=hasher)

    return _apply(request, session, create, "user_created")


@router.post("/accounts/users/{username}")
def change_user(
    username: str,
    request: Request,
    user: AdminChange,
    session: DbSession,
    hasher: Hasher,
    role: str = Form(..., max_length=16),
    full_name: str = Form("", max_length=200),
    active: str = Form("", max_length=2),
    password: str = Form("", max_length=200),
) -> Response:
    """Change an account's role, name, activity or password; its sessions end when it is
    disabled or its password changes."""
    changes: dict[str, Any] = {
        "role": role,
        "full_name": full_name.strip(),
        "active": active == "1",
    }
    if password:
        changes["password"] = password

    def change() -> None:
        update_user(
            session, user.principal, username, UserUpdate.model_validate(changes), hasher=hasher
        )
        if password or active != "1":
            end_sessions_of(session, username)
        request.app.state.active_users.forget(username)

    return _apply(request, session, change, "saved")


@router.post("/accounts/posts")
def add_post(
    request: Request,
    user: AdminChange,
    session: DbSession,
    agency: str = Form(..., max_length=64),
    title: str = Form(..., max_length=200),
    parent_id: str = Form("", max_length=12),
) -> Response:
    """Add a post to an agency."""
    add = partial(org.add_post, session, user.principal, agency, title, optional_int(parent_id))
    return _apply(request, session, add, "saved")


@router.post("/accounts/posts/{post_id}/delete")
def delete_post(post_id: int, user: AdminChange, session: DbSession) -> Response:
    """Remove a post."""
    org.remove_post(session, user.principal, post_id)
    return redirect("/console/accounts", msg="saved")


@router.post("/accounts/memberships")
def add_membership(
    request: Request,
    user: AdminChange,
    session: DbSession,
    username: str = Form(..., max_length=100),
    agency: str = Form(..., max_length=64),
    post_id: str = Form("", max_length=12),
) -> Response:
    """Put an account in an agency (and a post)."""
    add = partial(
        org.set_membership, session, user.principal, username, agency, optional_int(post_id)
    )
    return _apply(request, session, add, "saved")


@router.post("/accounts/memberships/{membership_id}/delete")
def delete_membership(membership_id: int, user: AdminChange, session: DbSession) -> Response:
    """Take an account out of an agency."""
    org.remove_membership(session, user.principal, membership_id)
    return redirect("/console/accounts", msg="saved")
