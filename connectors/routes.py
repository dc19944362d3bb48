"""The gateway's own pages: health, the demo page and the widget script."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import FileResponse, Response

from connectors.deps import GatewayDep
from connectors.web.widget import STATIC

router = APIRouter()


@router.get("/static/widget.js", include_in_schema=False)
def widget(gateway: GatewayDep) -> Response:
    """The embeddable widget, with its texts and limits built in."""
    return Response(
        gateway.widget_script,
        media_type="text/javascript; charset=utf-8",
        headers={"Cache-Control": "no-cache"},
    )


@router.get("/", include_in_schema=False)
def index() -> FileResponse:
    """The demo page with the chat widget."""
    return FileResponse(STATIC / "index.html")


@router.get("/health")
async def health(gateway: GatewayDep) -> dict[str, Any]:
    """The gateway is up; Rasa's and each bot's state are reported beside it."""
    rasa = "ok" if await gateway.conversation.rasa.healthy() else "down"
    channels = {channel.name: getattr(channel, "status", "ok") for channel in gateway.channels}
    return {"status": "ok", "rasa": rasa, "channels": channels}
