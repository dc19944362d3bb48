"""The web channel's side of notifications: a per-session inbox in the history."""

from __future__ import annotations

from connectors.channel import strip_namespace
from connectors.store import Store

SESSION_PATTERN = r"^[A-Za-z0-9_.:-]{1,100}$"


class WebChannel:
    """Delivers notifications to a web session's history; the widget shows them on next visit."""

    name = "web"

    def __init__(self, store: Store, history_limit: int) -> None:
        self.store = store
        self.history_limit = history_limit

    async def start(self) -> None:
        """Nothing to start: the widget calls the gateway."""

    async def stop(self) -> None:
        """Nothing to stop."""

    async def notify(self, recipient: str, text: str, outbox_id: int) -> None:
        """Put the notification in the session's inbox (once per outbox id)."""
        session = strip_namespace(self.name, recipient)
        entry = {"who": "bot", "notice": True, "text": text}
        await self.store.run(self.store.add_notice, session, outbox_id, entry, self.history_limit)
