"""The web channel's side of notifications: a per-session inbox in the history."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterator

from connectors.channel import strip_namespace
from connectors.store import Store

SESSION_PATTERN = r"^[A-Za-z0-9_.:-]{1,100}$"


class WebChannel:
    """Delivers notifications to a web session's history and wakes the session's open streams."""

    name = "web"

    def __init__(self, store: Store, history_limit: int) -> None:
        self.store = store
        self.history_limit = history_limit
        self._listeners: dict[str, set[asyncio.Event]] = {}

    async def start(self) -> None:
        """Nothing to start: the widget calls the gateway."""

    async def stop(self) -> None:
        """Nothing to stop."""

    async def notify(self, recipient: str, text: str, outbox_id: int) -> None:
        """Put the notification in the session's inbox (once per outbox id)."""
        session = strip_namespace(self.name, recipient)
        entry = {"who": "bot", "notice": True, "text": text}
        await self.store.run(self.store.add_notice, session, outbox_id, entry, self.history_limit)
        for event in self._listeners.get(session, ()):
            event.set()

    @contextlib.contextmanager
    def listening(self, session: str) -> Iterator[asyncio.Event]:
        """An event set whenever a notification for ``session`` is delivered by this process.

        Registered before the caller reads the history, so nothing delivered in between is
        missed; a delivery by another replica is seen when the caller re-reads on its own.
        """
        event = asyncio.Event()
        self._listeners.setdefault(session, set()).add(event)
        try:
            yield event
        finally:
            waiting = self._listeners.get(session)
            if waiting is not None:
                waiting.discard(event)
                if not waiting:
                    del self._listeners[session]
