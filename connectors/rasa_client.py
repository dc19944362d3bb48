"""Typed client of Rasa's REST channel (``/webhooks/rest/webhook``), over one or more replicas.

A message goes to the sender's replica (:mod:`connectors.replicas`); when that replica cannot be
reached it goes to the next one. Rasa's REST channel is not idempotent, so a message is sent
again elsewhere only when it certainly never arrived (no connection could be made). A timeout, a
broken connection or a 5xx after the request went out may come after Rasa received the message
(and ran its actions, e.g. filed a request): that message is not resent, the citizen gets the
"assistant unavailable" apology and may say it again; the replica is left alone for a while and
the sender's next messages go to the next replica. A message is thus never answered twice; at
worst it is answered once with the apology.
"""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

import httpx

from connectors.http1 import Http1Pool, HttpError, NotSent
from connectors.replicas import ReplicaSet
from shared.settings import rasa_urls

logger = logging.getLogger(__name__)

WEBHOOK = "/webhooks/rest/webhook"
PROBE_TIMEOUT = 2.0  # a replica believed down must answer its health check this fast


class RasaError(Exception):
    """Base of the Rasa client's errors."""


class RasaUnavailable(RasaError):
    """Rasa could not be reached, timed out or failed."""


class _NotDelivered(RasaUnavailable):
    """The request certainly did not reach this replica: another one may take it."""


class _Origin:
    """One replica: the measured HTTP/1 pool, or httpx on a given transport (tests, benchmark)."""

    def __init__(
        self, url: str, timeout: float, transport: httpx.AsyncBaseTransport | None
    ) -> None:
        self.url = url
        self._http: httpx.AsyncClient | None = None
        self._pool: Http1Pool | None = None
        if transport is not None:
            self._http = httpx.AsyncClient(base_url=url, timeout=timeout, transport=transport)
        else:
            # idle connections are dropped (2 s) well before Rasa's server closes them (5 s)
            self._pool = Http1Pool(url, timeout, max_idle=64, idle=2.0)

    async def request(self, method: str, path: str, body: bytes = b"") -> tuple[int, bytes]:
        if self._pool is not None:
            try:
                return await self._pool.request(method, path, body)
            except NotSent as exc:
                raise _NotDelivered(str(exc)) from exc
            except HttpError as exc:
                raise RasaUnavailable(str(exc)) from exc
        assert self._http is not None
        try:
            headers = {"Content-Type": "application/json"}
            response = await self._http.request(method, path, content=body, headers=headers)
        except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
            raise _NotDelivered(exc.__class__.__name__) from exc
        except httpx.HTTPError as exc:
            raise RasaUnavailable(exc.__class__.__name__) from exc
        return response.status_code, response.content

    async def healthy(self, timeout: float | None = None) -> bool:
        try:
            async with asyncio.timeout(timeout):
                status, _ = await self.request("GET", "/")
        except (RasaUnavailable, TimeoutError):
            return False
        return status == 200

    async def aclose(self) -> None:
        if self._http is not None:
            await self._http.aclose()
        if self._pool is not None:
            await self._pool.aclose()


class RasaClient:
    """Sends a citizen's message to Rasa and returns the bot's replies.

    ``base_url`` is one Rasa or several replicas, comma-separated (``DASTYAR_RASA_URL``).
    Talks HTTP/1.1 itself (:mod:`connectors.http1`: a sixth of httpx's CPU per message one at a
    time, a thirtieth with 50 in flight, ``bench/rasa_client.py``); with a ``transport`` (tests,
    and the benchmark's comparison) it goes through httpx instead.
    """

    def __init__(
        self,
        base_url: str,
        timeout: float,
        transport: httpx.AsyncBaseTransport | None = None,
        retry_after: float = 5.0,
    ) -> None:
        urls = rasa_urls(base_url)
        self.replicas = ReplicaSet(urls, retry_after)
        self._origins = {url: _Origin(url, timeout, transport) for url in urls}

    async def aclose(self) -> None:
        """Close the connections."""
        for origin in self._origins.values():
            await origin.aclose()

    async def send(
        self, sender: str, message: str, metadata: dict[str, Any] | None = None
    ) -> list[dict[str, Any]]:
        """Deliver one message to ``sender``'s replica; return Rasa's replies (text, buttons,
        custom payloads). Sent elsewhere only when it certainly did not arrive (module doc)."""
        body = {"sender": sender, "message": message, "metadata": metadata or {}}
        data = json.dumps(body, ensure_ascii=False).encode()
        for step in self.replicas.plan(sender):
            origin = self._origins[step.url]
            if step.probe and not await origin.healthy(PROBE_TIMEOUT):
                self.replicas.down(step.url)
                continue
            try:
                status, content = await origin.request("POST", WEBHOOK, data)
            except _NotDelivered as exc:
                self._lost(step.url, exc)
                continue
            except RasaUnavailable as exc:
                self._lost(step.url, exc)
                raise
            if status >= 500:
                self._lost(step.url, f"answered {status}")
                raise RasaUnavailable(f"Rasa answered {status}")
            self.replicas.up(step.url)
            if status != 200:
                raise RasaUnavailable(f"Rasa answered {status}")
            try:
                replies = json.loads(content)
            except ValueError as exc:
                raise RasaUnavailable("Rasa answered with invalid JSON") from exc
            return replies if isinstance(replies, list) else []
        raise RasaUnavailable("no Rasa replica could be reached")

    def _lost(self, url: str, reason: object) -> None:
        if not self.replicas.is_down(url):
            logger.warning("Rasa replica %s is down: %s", url, reason)
        self.replicas.down(url)

    async def healthy(self) -> bool:
        """Tell whether Rasa answers (one replica is enough); note each replica's state."""
        origins = list(self._origins.values())
        states = await asyncio.gather(*(origin.healthy() for origin in origins))
        for origin, ok in zip(origins, states, strict=True):
            if ok:
                self.replicas.up(origin.url)
            elif not self.replicas.is_down(origin.url):
                self.replicas.down(origin.url)
        return any(states)
