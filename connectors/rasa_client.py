"""Typed client of Rasa's REST channel (``/webhooks/rest/webhook``)."""

from __future__ import annotations

import json
from typing import Any

import httpx

from connectors.http1 import Http1Pool, HttpError


class RasaError(Exception):
    """Base of the Rasa client's errors."""


class RasaUnavailable(RasaError):
    """Rasa could not be reached, timed out or failed."""


class RasaClient:
    """Sends a citizen's message to Rasa and returns the bot's replies.

    Talks HTTP/1.1 itself (:mod:`connectors.http1`: a sixth of httpx's CPU per message one at a
    time, a thirtieth with 50 in flight, ``bench/rasa_client.py``); with a ``transport`` (tests,
    and the benchmark's comparison) it goes through httpx instead.
    """

    def __init__(
        self, base_url: str, timeout: float, transport: httpx.AsyncBaseTransport | None = None
    ) -> None:
        self._http: httpx.AsyncClient | None = None
        self._pool: Http1Pool | None = None
        if transport is not None:
            self._http = httpx.AsyncClient(
                base_url=base_url.rstrip("/"), timeout=timeout, transport=transport
            )
        else:
            # idle connections are dropped (2 s) well before Rasa's server closes them (5 s)
            self._pool = Http1Pool(base_url, timeout, max_idle=64, idle=2.0)

    async def aclose(self) -> None:
        """Close the connections."""
        if self._http is not None:
            await self._http.aclose()
        if self._pool is not None:
            await self._pool.aclose()

    async def _request(self, method: str, path: str, body: bytes = b"") -> tuple[int, bytes]:
        if self._pool is not None:
            try:
                return await self._pool.request(method, path, body)
            except HttpError as exc:
                raise RasaUnavailable(str(exc)) from exc
        assert self._http is not None
        try:
            headers = {"Content-Type": "application/json"}
            response = await self._http.request(method, path, content=body, headers=headers)
        except httpx.HTTPError as exc:
            raise RasaUnavailable(exc.__class__.__name__) from exc
        return response.status_code, response.content

    async def send(
        self, sender: str, message: str, metadata: dict[str, Any] | None = None
    ) -> list[dict[str, Any]]:
        """Deliver one message; return Rasa's replies (text, buttons, custom payloads)."""
        body = {"sender": sender, "message": message, "metadata": metadata or {}}
        status, content = await self._request(
            "POST", "/webhooks/rest/webhook", json.dumps(body, ensure_ascii=False).encode()
        )
        if status != 200:
            raise RasaUnavailable(f"Rasa answered {status}")
        try:
            replies = json.loads(content)
        except ValueError as exc:
            raise RasaUnavailable("Rasa answered with invalid JSON") from exc
        return replies if isinstance(replies, list) else []

    async def healthy(self) -> bool:
        """Tell whether Rasa answers."""
        try:
            status, _ = await self._request("GET", "/")
        except RasaUnavailable:
            return False
        return status == 200
