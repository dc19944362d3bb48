"""Typed async HTTP client of the backend API, for the action server, the gateway and tests.

Imports neither FastAPI nor SQLAlchemy, so it also runs in the Rasa env (old pydantic, Python 3.11).
Every failure is one of the typed errors of :mod:`backend_client.errors`; callers never see an
httpx exception.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Sequence
from typing import Any

import httpx

from backend_client.errors import BackendRejected, BackendUnavailable, NotFoundError
from backend_client.results import SearchHit, SearchResult


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
        self,
        tracking_code: str,
        *,
        national_code: str | None = None,
        mobile: str | None = None,
        sender_id: str = "",
    ) -> dict[str, Any]:
        """A request and its history (``sender_id``: the conversation asking, whose wrong
        guesses the backend counts too)."""
        body = _proof(tracking_code, national_code, mobile, sender_id)
        return await self._call("POST", "/requests/lookup", json=body)

    async def complaint_status(
        self,
        tracking_code: str,
        *,
        national_code: str | None = None,
        mobile: str | None = None,
        sender_id: str = "",
    ) -> dict[str, Any]:
        """A complaint or suggestion, with the response staff wrote."""
        body = _proof(tracking_code, national_code, mobile, sender_id)
        return await self._call("POST", "/complaints/lookup", json=body)

    # --- a mobile proven by a one-time code, and what was filed with it ---
    async def send_code(self, mobile: str, sender_id: str, channel: str) -> dict[str, Any]:
        """Have a one-time code sent by SMS to ``mobile`` for this conversation: ``status`` is
        ``sent``, or ``verified`` when the conversation has already proved the mobile."""
        body = {"mobile": mobile, "sender_id": sender_id, "channel": channel}
        return await self._call("POST", "/citizens/codes", json=body)

    async def verify_code(self, mobile: str, sender_id: str, code: str) -> dict[str, Any]:
        """Check the code the citizen typed; a wrong or expired one is a BackendRejected whose
        Persian message says what to do."""
        body = {"mobile": mobile, "sender_id": sender_id, "code": code}
        return await self._call("POST", "/citizens/codes/verify", json=body)

    async def trust_contact(self, mobile: str, sender_id: str, channel: str) -> dict[str, Any]:
        """Verify the conversation for the user's own number shared on Telegram or Bale."""
        body = {"mobile": mobile, "sender_id": sender_id, "channel": channel}
        return await self._call("POST", "/citizens/contacts", json=body)

    async def filings(self, mobile: str, sender_id: str) -> list[dict[str, Any]]:
        """The requests and complaints filed with the mobile this conversation proved."""
        body = {"mobile": mobile, "sender_id": sender_id}
        return list((await self._call("POST", "/citizens/filings", json=body))["items"])

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

    # --- the gateway's calls: the notification outbox, live handoffs, attachments ---
    async def claim_outbox(
        self, channel: str, limit: int, lease_seconds: int
    ) -> list[dict[str, Any]]:
        """Lease due outbox messages of one channel."""
        body = {"channel": channel, "limit": limit, "lease_seconds": lease_seconds}
        return list(await self._call("POST", "/outbox/claim", json=body) or [])

    async def outbox_sent(self, message_id: int) -> None:
        """Acknowledge a delivery (repeating it is harmless)."""
        await self._call("POST", f"/outbox/{message_id}/sent")

    async def outbox_failed(self, message_id: int, error: str, *, permanent: bool = False) -> None:
        """Report a failed delivery: the backend retries it later, or gives up when permanent."""
        body = {"error": error[:1000], "permanent": permanent}
        await self._call("POST", f"/outbox/{message_id}/failed", json=body)

    async def route_to_handoff(self, conversation_id: str, text: str) -> dict[str, Any]:
        """Give the citizen's message to the handoff holding the conversation, if one does."""
        body = {"conversation_id": conversation_id, "text": text[:4000]}
        return dict(await self._call("POST", "/handoffs/messages", json=body))

    async def expire_handoffs(self) -> list[int]:
        """Hand back conversations that waited too long for a person."""
        return list((await self._call("POST", "/handoffs/expire"))["closed"])

    async def attach(
        self,
        tracking_code: str,
        file: tuple[str, bytes, str],
        *,
        mobile: str | None = None,
        national_code: str | None = None,
    ) -> dict[str, Any]:
        """Attach ``file`` (name, content, content type) to a request, proven by the citizen's
        mobile or else national code."""
        form = {"tracking_code": tracking_code}
        if mobile:
            form["mobile"] = mobile
        elif national_code:
            form["national_code"] = national_code
        return await self._call("POST", "/requests/attachments", data=form, files={"file": file})


def _proof(
    tracking_code: str, national_code: str | None, mobile: str | None, sender_id: str
) -> dict[str, Any]:
    """The body of a lookup: the tracking code, the identity and the conversation asking."""
    body: dict[str, Any] = {
        "tracking_code": tracking_code,
        "national_code": national_code,
        "mobile": mobile,
    }
    if sender_id:
        body["sender_id"] = sender_id
    return body
