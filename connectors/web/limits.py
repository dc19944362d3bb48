"""The web channel's rate limits: messages and uploads a minute per conversation, and a higher
ceiling per address.

Many citizens reach the portal through one address (a mobile carrier's NAT, an office), so the
address alone cannot carry a citizen's limit: the widget names its conversation in a header
(``SESSION_HEADER``), each conversation gets ``rate_limit_per_minute``, and one address
``rate_limit_per_address_per_minute`` whatever conversations it names (a client that invents a
new conversation for every message meets the ceiling). A request without the header counts as a
conversation of its own address. Counting is shared with the backend (shared/rate_limit.py). The
refusal has the backend's error shape and, beside it, the notice the widget shows in the
conversation, in Persian.
"""

from __future__ import annotations

import re
from typing import Any

from fastapi import FastAPI

from connectors.settings import GatewaySettings
from connectors.texts import Texts
from connectors.web.channel import SESSION_PATTERN
from connectors.web.router import router as web_router
from shared.rate_limit import RateLimit, Scope, client_address, make_windows

CODE = "rate_limited"
SESSION_HEADER = "x-dastyar-session"  # the widget's conversation (connectors/static/widget.js)
_SESSION = re.compile(SESSION_PATTERN)


def conversation_of(scope: Scope) -> str:
    """The conversation a request names in its header, else its address."""
    for name, value in scope.get("headers") or ():
        if name == SESSION_HEADER.encode():
            session = value.decode("latin-1")
            if _SESSION.fullmatch(session):
                return f"session:{session}"
    return f"address:{client_address(scope)}"


def install_web_limit(app: FastAPI, settings: GatewaySettings, texts: Texts) -> None:
    """Limit the web channel's state-changing requests per conversation and per address."""
    prefix = f"{web_router.prefix}/"
    windows = make_windows(settings.redis_url.get_secret_value())

    def web(scope: Scope) -> bool:
        # bot webhooks and SMS come from the platforms' few addresses: not counted here
        return bool(scope["path"].startswith(prefix))

    async def per_conversation(scope: Scope) -> tuple[str, int] | None:
        return (
            (f"web:{conversation_of(scope)}", settings.rate_limit_per_minute)
            if web(scope)
            else None
        )

    async def per_address(scope: Scope) -> tuple[str, int] | None:
        if not web(scope):
            return None
        return f"web-address:{client_address(scope)}", settings.rate_limit_per_address_per_minute

    def refusal(seconds: int) -> dict[str, Any]:
        text = texts.get(f"gateway.{CODE}", seconds=seconds)
        return {
            "error": {"code": CODE, "message": text},
            "messages": [{"text": text, "notice": CODE}],
        }

    for classify in (per_conversation, per_address):
        app.add_middleware(RateLimit, windows=windows, classify=classify, refusal=refusal)
