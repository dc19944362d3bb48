"""The web gateway: serves the chat page and relays messages to Rasa's REST channel."""

from __future__ import annotations

import logging
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import yaml
from fastapi import FastAPI
from fastapi.responses import FileResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel, Field

from connectors.rasa_client import RasaClient, RasaUnavailable
from connectors.settings import GatewaySettings, get_settings
from nlu.digits import to_persian_digits

logger = logging.getLogger(__name__)

STATIC = Path(__file__).resolve().parent / "static"
_SENDER = re.compile(r"^[A-Za-z0-9_.:-]{1,100}$")


class ChatIn(BaseModel):
    """A message from the web widget."""

    sender: str = Field(pattern=_SENDER.pattern)
    message: str = Field(max_length=20000)


class ChatOut(BaseModel):
    """The assistant's replies."""

    messages: list[dict[str, Any]]


def _texts(path: Path) -> dict[str, str]:
    return {str(k): str(v) for k, v in (yaml.safe_load(path.read_text("utf-8")) or {}).items()}


def create_app(settings: GatewaySettings | None = None, rasa: RasaClient | None = None) -> FastAPI:
    """Build the gateway app."""
    settings = settings or get_settings()
    texts = _texts(settings.texts_file)
    client = rasa or RasaClient(settings.rasa_url, settings.rasa_timeout)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        await client.aclose()

    app = FastAPI(title="Dastyar gateway", lifespan=lifespan)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    def notice(key: str, status: int = 200, **params: Any) -> JSONResponse:
        text = texts[key].format(**params)
        return JSONResponse({"messages": [{"text": text, "notice": key}]}, status_code=status)

    @app.get("/", include_in_schema=False)
    def index() -> FileResponse:
        """The demo page with the chat widget."""
        return FileResponse(STATIC / "index.html")

    @app.get("/health")
    async def health() -> dict[str, str]:
        """The gateway is up (Rasa's health is reported separately)."""
        return {"status": "ok", "rasa": "ok" if await client.healthy() else "down"}

    @app.post("/api/chat", response_model=ChatOut)
    async def chat(body: ChatIn) -> Any:
        """Relay one message to the assistant and return its replies."""
        text = body.message.strip()
        if not text:
            return notice("empty_message")
        if len(text) > settings.max_message_chars:
            return notice(
                "message_too_long", limit=to_persian_digits(str(settings.max_message_chars))
            )
        try:
            replies = await client.send(f"web:{body.sender}", text, {"channel": "web"})
        except RasaUnavailable as exc:
            logger.warning("Rasa unavailable: %s", exc)
            return notice("assistant_unavailable", status=503)
        return {"messages": replies}

    return app
