"""Who is asking, for the rate limit on the API's and the console's state-changing requests.

A valid bearer token names its account: the assistant's service account gets its own budget
(unlimited by default: the action server and the gateway relay every citizen, and the citizens
are limited at the gateway), staff and admins theirs, per account. A console request with a live
session cookie counts against its account too. Anyone else, a forged or expired token included,
counts against their IP address. The counting itself is shared with the gateway
(shared/rate_limit.py); the refusal is the API's one error shape, in Persian.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool
from starlette.requests import HTTPConnection

from backend_api.console import auth
from backend_api.errors import MessageCatalogue, error_body
from backend_api.settings import BackendSettings
from backend_api.users.security import read_token
from nlu.digits import to_persian_digits
from shared.rate_limit import Classify, RateLimit, Scope, client_address, make_windows

SERVICE_ROLE = "assistant"


def classifier(settings: BackendSettings, factory: sessionmaker[Session]) -> Classify:
    """The backend's answer to "who is this, and how much may they change a minute?"."""
    secret = settings.jwt_secret.get_secret_value()

    def console_owner(token: str) -> str | None:
        with factory() as session:
            return auth.session_owner(session, token)

    async def classify(scope: Scope) -> tuple[str, int] | None:
        connection = HTTPConnection(scope)
        scheme, _, token = connection.headers.get("authorization", "").partition(" ")
        principal = read_token(token, secret) if scheme.lower() == "bearer" and token else None
        if principal is not None:
            if principal.role == SERVICE_ROLE:
                return f"service:{principal.username}", settings.rate_limit_service_per_minute
            return f"user:{principal.username}", settings.rate_limit_staff_per_minute
        cookie = connection.cookies.get(auth.COOKIE)
        owner = await run_in_threadpool(console_owner, cookie) if cookie else None
        if owner is not None:
            return f"user:{owner}", settings.rate_limit_staff_per_minute
        return f"ip:{client_address(scope)}", settings.rate_limit_per_minute

    return classify


def install_rate_limit(
    app: FastAPI,
    settings: BackendSettings,
    factory: sessionmaker[Session],
    messages: MessageCatalogue,
) -> None:
    """Limit every state-changing request of ``app`` per client."""

    def refusal(seconds: int) -> dict[str, Any]:
        return error_body(messages, "rate_limited", seconds=to_persian_digits(str(seconds)))

    app.add_middleware(
        RateLimit,
        windows=make_windows(settings.redis_url.get_secret_value()),
        classify=classifier(settings, factory),
        refusal=refusal,
    )
