"""Sign-in and sign-out pages."""

from __future__ import annotations

import logging
import secrets

from fastapi import APIRouter, Form, Request, Response

from backend_api.console import auth
from backend_api.console.deps import CSRF_FIELD, Settings, StaffChange
from backend_api.console.web import ConsoleRoute, redirect, render, texts
from backend_api.deps import DbSession

logger = logging.getLogger(__name__)

router = APIRouter(route_class=ConsoleRoute)


def _safe_next(target: str | None) -> str:
    # only a path inside the console: never another site (open redirect)
    if target and target.startswith("/console") and not target.startswith("//"):
        return target
    return "/console/"


def _form(request: Request, *, error: str = "", username: str = "", status: int = 200) -> Response:
    token = request.cookies.get(auth.PRE_COOKIE) or secrets.token_urlsafe(32)
    response = render(
        request,
        "login.html",
        {
            "form_token": token,
            "error": error,
            "username": username,
            "next": _safe_next(request.query_params.get("next")),
        },
        status,
    )
    response.set_cookie(
        auth.PRE_COOKIE,
        token,
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
        path="/console",
    )
    return response


@router.get("/login")
def login_page(request: Request, session: DbSession, settings: Settings) -> Response:
    """The sign-in form (or the dashboard for someone already signed in)."""
    if auth.load_session(session, request.cookies.get(auth.COOKIE), settings):
        return redirect("/console/")
    return _form(request)


@router.post("/login")
def login(
    request: Request,
    session: DbSession,
    settings: Settings,
    username: str = Form("", max_length=100),
    password: str = Form("", max_length=200),
    csrf_token: str = Form("", alias=CSRF_FIELD, max_length=100),
    next_url: str = Form("/console/", alias="next", max_length=500),
) -> Response:
    """Check the password; on success set the session cookie and go where the visitor was going."""
    expected = request.cookies.get(auth.PRE_COOKIE) or ""
    if not expected or not auth.tokens_match(expected, csrf_token):
        return _form(request, error=texts().get("errors", "csrf"), username=username, status=403)
    try:
        token, _info = auth.sign_in(session, username, password, settings)
    except auth.SignInRefused as exc:
        message = texts().get("sign_in", exc.code, **exc.params)
        status = 429 if exc.code == "locked" else 401 if exc.code == "bad_credentials" else 403
        return _form(request, error=message, username=username, status=status)
    response = redirect(_safe_next(next_url))
    response.set_cookie(
        auth.COOKIE,
        token,
        max_age=settings.max_hours * 3600,
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
        path="/",
    )
    response.delete_cookie(auth.PRE_COOKIE, path="/console")
    logger.info("console sign-in of %r", username)
    return response


@router.post("/logout")
def logout(request: Request, user: StaffChange, session: DbSession) -> Response:
    """End the session and go back to the sign-in form."""
    auth.sign_out(session, request.cookies.get(auth.COOKIE), user.principal)
    response = redirect("/console/login", msg="signed_out")
    response.delete_cookie(auth.COOKIE, path="/")
    return response
