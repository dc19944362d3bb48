"""Building trackers and running actions the way the action server does."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.backend import backend


def tracker(
    text: str = "",
    *,
    slots: dict[str, Any] | None = None,
    intent: str = "inform",
    entities: list[dict[str, Any]] | None = None,
    sender: str = "",
    active_loop: str | None = None,
    channel: str = "telegram",
) -> Tracker:
    """A tracker whose latest message is ``text``."""
    message = {
        "text": text,
        "intent": {"name": intent, "confidence": 0.95},
        "entities": entities or [],
        "metadata": {"channel": channel},
    }
    return Tracker(
        sender_id=sender or f"{channel}:{uuid.uuid4().hex[:8]}",
        slots=dict(slots or {}),
        latest_message=message,
        events=[{"event": "user", "text": text, "metadata": {"channel": channel}}],
        paused=False,
        followup_action=None,
        active_loop={"name": active_loop} if active_loop else {},
        latest_action_name="action_listen",
    )


def run(action: Action, t: Tracker, domain: dict) -> tuple[list[dict], list[dict]]:
    """Run an action; return (messages, events)."""
    backend.cache_clear()  # each asyncio.run has its own loop; the client's pool belongs to one
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, t, domain))
    return dispatcher.messages, events


def call(coro_or_value: Any) -> Any:
    """Await a validation method if it is async."""
    backend.cache_clear()
    if asyncio.iscoroutine(coro_or_value):
        return asyncio.run(coro_or_value)
    return coro_or_value


def slot_events(events: list[dict]) -> dict[str, Any]:
    """The slots an action set."""
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}


def responses(messages: list[dict]) -> list[str]:
    """The response names sent."""
    return [m.get("response") or m.get("text") or "custom" for m in messages]
