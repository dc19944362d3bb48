"""Typed client of Rasa's REST channel (``/webhooks/rest/webhook``)."""

from __future__ import annotations

from typing import Any

import httpx


class RasaError(Exception):
    """Base of the Rasa client's errors."""


class RasaUnavailable(RasaError):
    """Rasa could not be reached, timed out or failed."""


class RasaClient:
    """Sends a citizen's message to Rasa and returns the bot's replies."""

    def __init__(
        self, base_url: str, timeout: float, transport: httpx.AsyncBaseTransport | None = None
    ) -> None:
        self._http = httpx.AsyncClient(
            base_url=base_url.rstrip("/"), timeout=timeout, transport=transport
        )

    async def aclose(self) -> None:
        """Close the connection pool."""
        await self._http.aclose()

    async def send(
        self, sender: str, message: str, metadata: dict[str, Any] | None = None
    ) -> list[dict[str, Any]]:
        """Deliver one message; return Rasa's replies (text, buttons, custom payloads)."""
        body = {"sender": sender, "message": message, "metadata": metadata or {}}
        try:
            response = await self._http.post("/webhooks/rest/webhook", json=body)
        except httpx.HTTPError as exc:
            raise RasaUnavailable(exc.__class__.__name__) from exc
        if response.status_code != 200:
            raise RasaUnavailable(f"Rasa answered {response.status_code}")
        try:
            replies = response.json()
        except ValueError as exc:
            raise RasaUnavailable("Rasa answered with invalid JSON") from exc
        return replies if isinstance(replies, list) else []

    async def healthy(self) -> bool:
        """Tell whether Rasa answers."""
        try:
            return (await self._http.get("/")).status_code == 200
        except httpx.HTTPError:
            return False
