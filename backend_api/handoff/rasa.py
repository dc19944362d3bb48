"""Pausing and resuming a conversation in Rasa, so one dialogue engine stays silent while held."""

from __future__ import annotations

import logging
from urllib.parse import quote

import httpx

from backend_api.handoff.settings import get_handoff_settings

logger = logging.getLogger(__name__)


def set_paused(conversation_id: str, paused: bool) -> bool:
    """Append Rasa's ``pause`` or ``resume`` event to the conversation; False when it failed.

    Best effort: while a handoff is open the gateway routes the citizen's messages to staff
    anyway, so a Rasa that is down delays nothing; the pause only guards against a gateway
    that could not reach the backend.
    """
    settings = get_handoff_settings()
    if not settings.rasa_url:
        return False
    # Rasa (Sanic) does not unquote path parameters: the ids' ':' must stay as it is
    sender = quote(conversation_id, safe=":")
    url = f"{settings.rasa_url.rstrip('/')}/conversations/{sender}"
    event = {"event": "pause" if paused else "resume"}
    try:
        response = httpx.post(f"{url}/tracker/events", json=event, timeout=settings.rasa_timeout)
    except httpx.HTTPError as exc:
        logger.warning("Rasa %s of a conversation failed: %s", event["event"], exc)
        return False
    if response.status_code >= 300:
        logger.warning("Rasa %s answered %s", event["event"], response.status_code)
        return False
    return True
