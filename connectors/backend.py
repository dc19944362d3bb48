"""The backend calls only the channels make: attachments, the notification outbox, handoffs."""

from __future__ import annotations

from typing import Any

from backend_api.client import BackendClient
from connectors.messages import Proof


class GatewayBackend(BackendClient):
    """The typed backend client, plus the outbox and attachment calls of the gateway."""

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
        self, proof: Proof, filename: str, content_type: str, content: bytes
    ) -> dict[str, Any]:
        """Attach a file to the request ``proof`` identifies."""
        form = {"tracking_code": proof.tracking_code}
        if proof.mobile:
            form["mobile"] = proof.mobile
        elif proof.national_code:
            form["national_code"] = proof.national_code
        files = {"file": (filename, content, content_type)}
        return await self._call("POST", "/requests/attachments", data=form, files=files)
