"""The one small interface every channel adapter implements."""

from __future__ import annotations

from typing import Protocol


class DeliveryFailed(Exception):
    """A message could not be delivered; ``permanent`` when retrying cannot help."""

    def __init__(self, reason: str, *, permanent: bool = False) -> None:
        super().__init__(reason)
        self.permanent = permanent


class Channel(Protocol):
    """A way to reach citizens: receives their messages (through its own routes or polling),
    relays them to the assistant, and delivers the assistant's replies and notifications."""

    name: str

    async def start(self) -> None:
        """Begin receiving (register a webhook or start polling)."""

    async def stop(self) -> None:
        """Stop receiving and finish what is in flight."""

    async def notify(self, recipient: str, text: str, outbox_id: int) -> None:
        """Deliver one notification from the backend outbox; raise DeliveryFailed on failure."""


def strip_namespace(channel: str, recipient: str) -> str:
    """The channel's own id of a citizen: ``telegram:42`` → ``42`` (bare ids pass unchanged)."""
    prefix = f"{channel}:"
    return recipient[len(prefix) :] if recipient.startswith(prefix) else recipient
