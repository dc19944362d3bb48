"""The web channel's rate limit: messages and uploads per address a minute.

Counting is shared with the backend (shared/rate_limit.py). The refusal has the backend's error
shape and, beside it, the notice the widget shows in the conversation, in Persian.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

from connectors.settings import GatewaySettings
from connectors.texts import Texts
from connectors.web.router import router as web_router
from shared.rate_limit import RateLimit, Scope, client_address, make_windows

CODE = "rate_limited"


def install_web_limit(app: FastAPI, settings: GatewaySettings, texts: Texts) -> None:
    """Limit the web channel's state-changing requests per client address."""
    prefix = f"{web_router.prefix}/"

    async def classify(scope: Scope) -> tuple[str, int] | None:
        if not scope["path"].startswith(prefix):
            return None  # bot webhooks and SMS come from the platforms' few addresses
        return f"web:{client_address(scope)}", settings.rate_limit_per_minute

    def refusal(seconds: int) -> dict[str, Any]:
        text = texts.get(f"gateway.{CODE}", seconds=seconds)
        return {
            "error": {"code": CODE, "message": text},
            "messages": [{"text": text, "notice": CODE}],
        }

    app.add_middleware(
        RateLimit,
        windows=make_windows(settings.redis_url.get_secret_value()),
        classify=classify,
        refusal=refusal,
    )
