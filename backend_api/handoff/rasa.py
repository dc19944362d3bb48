"""Pausing and resuming a conversation in Rasa, so one dialogue engine stays silent while held."""

from __future__ import annotations

import logging
from urllib.parse import quote

import httpx

from backend_api.handoff.settings import get_handoff_settings
from shared.settings import rasa_urls

logger = logging.getLogger(__name__)


def set_paused(conversation_id: str, paused: bool) -> bool:
    """Append Rasa's ``pause`` or ``resume`` event to the conversation; False when it failed.

    Best effort: while a handoff is open the gateway routes the citizen's messages to staff
    anyway, so a Rasa that is down delays nothing; the pause only guards against a gateway
    that could not reach the backend.
    """
    settings = get_handoff_settings()
    # Rasa (Sanic) does not unquote path parameters: the ids' ':' must stay as it is
    path = f"/conversations/{quote(conversation_id, safe=':')}/tracker/events"
    event = {"event": "pause" if paused else "resume"}
    # Replicas share the tracker store, so any one of them may append the event; unlike a
    # citizen's message, a pause or resume sent twice changes nothing, so the next is tried on
    # any failure.
    for url in rasa_urls(settings.rasa_url):
        try:
            response = httpx.post(f"{url}{path}", json=event, timeout=settings.rasa_timeout)
        except httpx.HTTPError as exc:
            logger.warning("Rasa %s of a conversation failed at %s: %s", event["event"], url, exc)
            continue
        if response.status_code < 300:
            return True
        logger.warning("Rasa %s answered %s at %s", event["event"], response.status_code, url)
    return False
