"""Typed async HTTP client of the backend API, for the action server and the channels.

Imports neither FastAPI nor SQLAlchemy, so it also runs in the Rasa env (old pydantic, Python 3.11).
Every failure is one of the typed errors below; callers never see an httpx exception.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import httpx

logger = logging.getLogger(__name__)


class BackendError(Exception):
    """Base of every client error."""


class BackendUnavailable(BackendError):
    """The backend could not be reached, timed out or failed (5xx): try again later."""


@dataclass
class BackendRejected(BackendError):
    """The backend refused the call (4xx) with a machine code and a Persian message."""

    status: int
    code: str
    message: str
    details: Any = None

    def __str__(self) -> str:
        return f"{self.status} {self.code}"


class NotFoundError(BackendRejected):
    """The thing asked for does not exist (404)."""


@dataclass(frozen=True)
class SearchHit:
    """A search result."""

    id: str
    kind: str
    title: str
    score: float
    service_code: str = ""
    agency: str = ""
    answer: str = ""
    url: str = ""
    field: str = ""
    service_title: str = ""
    confidence: float | None = None

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> SearchHit:
        """Build from the API's JSON, ignoring fields this client does not know."""
        known = {name: data[name] for name in cls.__dataclass_fields__ if name in data}
        return cls(**known)


@dataclass(frozen=True)
class SearchResult:
    """Search hits, best first, with the backend's verdict when it gives one
    (``answer``, ``ambiguous`` or ``unknown``)."""

    hits: list[SearchHit]
    outcome: str = "answer"
    candidates: list[dict[str, Any]] = field(default_factory=list)
    # what to tell the citizen (see the backend's DecisionOut): outcome, service_code, parts…
    decision: dict[str, Any] = field(default_factory=dict)


class BackendClient:
    """Calls the backend as the assistant's service account, renewing its token as needed."""

    def __init__(
        self,
        base_url: str,
        username: str,
        password: str,
        *,
        timeout: float = 5.0,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self._root = base_url.rstrip("/")
        self._http = httpx.AsyncClient(
            base_url=self._root + "/api/v1", timeout=timeout, transport=transport
        )
        self._username = username
        self._password = password
        self._token: str | None = None
        self._token_expires = 0.0

    async def aclose(self) -> None:
        """Close the connection pool."""
        await self._http.aclose()

    async def _send(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        try:
            return await self._http.request(method, path, **kwargs)
        except httpx.TimeoutException as exc:
            raise BackendUnavailable(f"timeout on {method} {path}") from exc
        except httpx.HTTPError as exc:
            raise BackendUnavailable(f"{exc.__class__.__name__} on {method} {path}") from exc

    @staticmethod
    def _raise_for(response: httpx.Response) -> None:
        if response.status_code >= 500:
            raise BackendUnavailable(f"backend answered {response.status_code}")
        if response.status_code >= 400:
            try:
                error = response.json().get("error", {})
            except ValueError:
                error = {}
            kind = NotFoundError if response.status_code == 404 else BackendRejected
            raise kind(
                status=response.status_code,
                code=str(error.get("code", "http_error")),
                message=str(error.get("message", "")),
                details=error.get("details"),
            )

    async def _authorization(self, renew: bool = False) -> dict[str, str]:
        if renew or self._token is None or time.monotonic() > self._token_expires:
            response = await self._send(
                "POST", "/auth/token", json={"username": self._username, "password": self._password}
            )
            self._raise_for(response)
            body = response.json()
            self._token = body["access_token"]
            # renew a minute early so a token never expires mid-call
            self._token_expires = time.monotonic() + max(float(body["expires_in"]) - 60, 10)
        return {"Authorization": f"Bearer {self._token}"}

    async def _call(self, method: str, path: str, *, auth: bool = True, **kwargs: Any) -> Any:
        headers = dict(kwargs.pop("headers", {}) or {})
        if auth:
            headers.update(await self._authorization())
        response = await self._send(method, path, headers=headers, **kwargs)
        if auth and response.status_code == 401:
            headers.update(await self._authorization(renew=True))
            response = await self._send(method, path, headers=headers, **kwargs)
        self._raise_for(response)
        return response.json() if response.content else None

    async def health(self) -> dict[str, Any]:
        """The backend's health."""
        try:
            response = await self._http.get(f"{self._root}/health")
        except httpx.HTTPError as exc:
            raise BackendUnavailable(exc.__class__.__name__) from exc
        self._raise_for(response)
        return response.json()

    async def search(
        self, question: str, limit: int = 5, *, service: str = "", fields: Sequence[str] = ()
    ) -> SearchResult:
        """Service cards and FAQs matching ``question``, best first, and the backend's decision
        (with ``service``: the answer about that service, ``fields`` of it if given)."""
        params: dict[str, Any] = {"q": question, "limit": limit}
        if service:
            params["service"] = service
        if fields:
            params["fields"] = ",".join(fields)
        body = await self._call("GET", "/search", auth=False, params=params)
        hits = [SearchHit.from_json(hit) for hit in body["hits"]]
        return SearchResult(
            hits=hits,
            outcome=body.get("outcome") or ("answer" if hits else "unknown"),
            candidates=list(body.get("candidates") or []),
            decision=dict(body.get("decision") or {}),
        )

    async def service(self, code: str) -> dict[str, Any]:
        """One service card."""
        return await self._call("GET", f"/catalogue/services/{code}", auth=False)

    async def services(self, text: str = "", limit: int = 20) -> list[dict[str, Any]]:
        """Services whose title contains ``text``."""
        params: dict[str, Any] = {"limit": limit}
        if text:
            params["q"] = text
        body = await self._call("GET", "/catalogue/services", auth=False, params=params)
        return body["items"]

    async def file_request(
        self, payload: dict[str, Any], idempotency_key: str | None = None
    ) -> dict[str, Any]:
        """File a service request; reuse ``idempotency_key`` when retrying the same submission."""
        key = idempotency_key or uuid.uuid4().hex
        return await self._call("POST", "/requests", json=payload, headers={"Idempotency-Key": key})

    async def request_status(
        self, tracking_code: str, *, national_code: str | None = None, mobile: str | None = None
    ) -> dict[str, Any]:
        """A request and its history."""
        body = {"tracking_code": tracking_code, "national_code": national_code, "mobile": mobile}
        return await self._call("POST", "/requests/lookup", json=body)

    async def complaint_status(
        self, tracking_code: str, *, national_code: str | None = None, mobile: str | None = None
    ) -> dict[str, Any]:
        """A complaint or suggestion, with the response staff wrote."""
        body = {"tracking_code": tracking_code, "national_code": national_code, "mobile": mobile}
        return await self._call("POST", "/complaints/lookup", json=body)

    async def rate(self, payload: dict[str, Any]) -> dict[str, Any]:
        """Record a satisfaction rating."""
        return await self._call("POST", "/ratings", json=payload)

    async def complain(
        self, payload: dict[str, Any], idempotency_key: str | None = None
    ) -> dict[str, Any]:
        """File a complaint or suggestion."""
        key = idempotency_key or uuid.uuid4().hex
        return await self._call(
            "POST", "/complaints", json=payload, headers={"Idempotency-Key": key}
        )

    async def log_unresolved(
        self, question: str, channel: str, conversation_id: str, candidates: list[dict[str, Any]]
    ) -> dict[str, Any]:
        """Record a question the assistant could not answer."""
        body = {
            "question": question,
            "channel": channel,
            "conversation_id": conversation_id,
            "candidates": candidates,
        }
        return await self._call("POST", "/unresolved", json=body)

    async def open_handoff(
        self,
        conversation_id: str,
        channel: str,
        reason: str,
        question: str,
        transcript: list[dict[str, str]],
    ) -> dict[str, Any]:
        """Queue the conversation for a person; returns the handoff with its queue position."""
        body = {
            "conversation_id": conversation_id,
            "channel": channel,
            "reason": reason,
            "question": question,
            "transcript": transcript,
        }
        return await self._call("POST", "/handoffs", json=body)
