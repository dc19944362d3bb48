"""A Kavenegar-style SMS gateway: ``POST /v1/{api_key}/sms/send.json`` and an inbound webhook
calling us with ``messageid``, ``from``, ``to`` and ``message``."""

from __future__ import annotations

import logging
from collections.abc import Mapping

import httpx

from connectors.channel import DeliveryFailed
from connectors.sms.provider import InboundSms

logger = logging.getLogger(__name__)

# Statuses after which sending the same message again cannot succeed.
_PERMANENT = {400, 401, 403, 404, 405, 406, 407, 411, 412, 413, 414, 417, 422, 426, 428, 431}


class KavenegarProvider:
    """Sends through the provider's REST API (the API key travels in the path, never logged)."""

    def __init__(
        self,
        base_url: str,
        api_key: str,
        sender: str,
        timeout: float = 10.0,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self._http = httpx.AsyncClient(
            base_url=base_url.rstrip("/"), timeout=timeout, transport=transport
        )
        self._api_key = api_key
        self._sender = sender

    async def aclose(self) -> None:
        """Close the connections."""
        await self._http.aclose()

    async def send(self, receptor: str, message: str, local_id: str | None = None) -> None:
        """Send one message (the provider joins long ones into a multi-part SMS)."""
        form = {"receptor": receptor, "message": message}
        if self._sender:
            form["sender"] = self._sender
        if local_id:
            form["localid"] = local_id
        try:
            response = await self._http.post(f"/v1/{self._api_key}/sms/send.json", data=form)
        except httpx.HTTPError as exc:
            raise DeliveryFailed(f"sms provider unreachable: {exc.__class__.__name__}") from exc
        try:
            status = int(response.json().get("return", {}).get("status", response.status_code))
        except (ValueError, AttributeError):
            status = response.status_code
        if status == 200:
            return
        raise DeliveryFailed(f"sms provider status {status}", permanent=status in _PERMANENT)

    def parse_inbound(self, fields: Mapping[str, str]) -> InboundSms | None:
        """The provider calls us with messageid, from, to and message."""
        message_id = str(fields.get("messageid") or "").strip()
        sender = str(fields.get("from") or "").strip()
        if not message_id or not sender:
            return None
        return InboundSms(
            message_id=message_id[:100],
            sender=sender,
            receiver=str(fields.get("to") or ""),
            text=str(fields.get("message") or ""),
        )
