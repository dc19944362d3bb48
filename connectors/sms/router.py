"""The provider's inbound webhook: ``/channels/sms/inbound`` (GET or POST; form, JSON or query).

Authenticated by an HMAC-SHA256 of the raw body in ``X-Dastyar-Signature: sha256=<hex>``, or, for
providers that can only call a fixed URL, by the shared secret in a ``secret`` query parameter.
Idempotent: a retry with the same message id is acknowledged and not answered again.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
from urllib.parse import parse_qsl

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse

from connectors.deps import GatewayDep
from connectors.settings import secret_value

logger = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Dastyar-Signature"


def signature(secret: str, body: bytes) -> str:
    """The signature header value of ``body``."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def _authentic(secret: str, request: Request, body: bytes) -> bool:
    sent = request.headers.get(SIGNATURE_HEADER)
    if sent is not None:
        return hmac.compare_digest(sent.encode(), signature(secret, body).encode())
    token = request.query_params.get("secret", "")
    return bool(token) and hmac.compare_digest(token.encode(), secret.encode())


async def _fields(request: Request, body: bytes) -> dict[str, str]:
    fields = {k: v for k, v in request.query_params.items() if k != "secret"}
    kind = request.headers.get("content-type", "")
    if body and "multipart/form-data" in kind:
        async with request.form() as form:
            fields.update({k: v for k, v in form.items() if isinstance(v, str)})
    elif body and "json" in kind:
        data = json.loads(body)
        if isinstance(data, dict):
            fields.update({str(k): str(v) for k, v in data.items()})
    elif body:
        fields.update(parse_qsl(body.decode("utf-8"), keep_blank_values=True))
    return fields


router = APIRouter(tags=["sms"])


@router.api_route("/channels/sms/inbound", methods=["GET", "POST"], include_in_schema=False)
async def inbound(request: Request, gateway: GatewayDep) -> Response:
    """One SMS from a citizen, reported by the provider; without a secret configured (or without
    the SMS channel) every call is refused."""
    body = await request.body()
    channel = gateway.sms
    secret = secret_value(gateway.settings.sms_inbound_secret)
    if channel is None or not secret or not _authentic(secret, request, body):
        logger.warning("sms webhook call with a wrong or missing signature refused")
        return Response(status_code=401)
    try:
        fields = await _fields(request, body)
    except (ValueError, UnicodeDecodeError):
        return Response(status_code=400)
    sms = channel.provider.parse_inbound(fields)
    if sms is None:
        return JSONResponse({"ok": False}, status_code=400)
    fresh = await channel.accept(sms)
    return JSONResponse({"ok": True, "duplicate": not fresh})
