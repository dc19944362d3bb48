"""Helpers shared by the actions: domain phrases, channel, transcript, identity parsing."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker

from nlu.identifiers import normalize_mobile, normalize_national_code

MAX_FAILED_ATTEMPTS = 3
TRANSCRIPT_LINES = 12


def phrase(domain: dict[str, Any], name: str, **values: Any) -> str:
    """A short phrase from the domain's responses, filled with ``values``."""
    text = domain["responses"][name][0]["text"]
    return text.format(**values) if values else text


def channel_of(tracker: Tracker) -> str:
    """The channel the citizen writes from (gateway metadata, else the sender id's prefix)."""
    latest = (tracker.latest_message or {}).get("metadata") or {}
    if latest.get("channel"):
        return str(latest["channel"])
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            channel = (event.get("metadata") or {}).get("channel")
            if channel:
                return str(channel)
    prefix = tracker.sender_id.split(":", 1)[0]
    return prefix if prefix in ("web", "telegram", "bale", "sms") else "web"


def transcript(tracker: Tracker) -> list[dict[str, str]]:
    """The last messages of the conversation, for a person taking it over."""
    lines = []
    for event in tracker.events:
        if event.get("event") in ("user", "bot") and event.get("text"):
            lines.append({"who": event["event"], "text": str(event["text"])[:4000]})
    return lines[-TRANSCRIPT_LINES:]


def parse_identity(text: str) -> dict[str, str] | None:
    """A national code or a mobile number in ``text``, as lookup fields, else None."""
    if code := normalize_national_code(text):
        return {"national_code": code}
    if mobile := normalize_mobile(text):
        return {"mobile": mobile}
    return None


def means_none(text: str, domain: dict[str, Any]) -> bool:
    """Whether the citizen answered "nothing to add" (the words listed in ``phrase_none``)."""
    clean = text.strip().strip(".!").lower()
    return clean == "" or clean in phrase(domain, "phrase_none").split("|")
