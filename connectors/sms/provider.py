"""What every SMS provider adapter offers: send a message, read an inbound webhook call."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class InboundSms:
    """A citizen's SMS as the provider reported it."""

    message_id: str
    sender: str
    receiver: str
    text: str


class SmsProvider(Protocol):
    """An SMS gateway's HTTP API."""

    async def send(self, receptor: str, message: str, local_id: str | None = None) -> None:
        """Send one message; ``local_id`` lets the provider drop a repeat (DeliveryFailed)."""

    def parse_inbound(self, fields: Mapping[str, str]) -> InboundSms | None:
        """Read an inbound webhook call's fields; None if they are not a message."""

    async def aclose(self) -> None:
        """Close the connections."""
