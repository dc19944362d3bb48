"""Resolving what service the citizen means, from the backend's search and its verdict."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.backend import backend
from actions.forms import accepted, rejected
from backend_client import BackendError, BackendUnavailable, SearchResult

CHOICES = 3
_CODE = re.compile(r"^\d{11}$")


@dataclass(frozen=True)
class ServiceChoice:
    """A candidate service."""

    code: str
    title: str


def service_choices(result: SearchResult) -> list[ServiceChoice]:
    """Distinct services behind the hits and the "did you mean" candidates, best first."""
    seen: dict[str, ServiceChoice] = {}
    named = [(h.service_code, h.service_title or h.title) for h in result.hits]
    named += [(c.get("service_code", ""), c.get("label", "")) for c in result.candidates]
    for code, title in named:
        if code and code not in seen:
            seen[code] = ServiceChoice(code, title)
    return list(seen.values())


async def resolve_service(text: str) -> tuple[ServiceChoice | None, list[ServiceChoice]]:
    """The service ``text`` names (when the backend is sure) and the candidates to offer."""
    result = await backend().search(text, limit=10)
    if result.outcome == "unknown":
        return None, []
    choices = service_choices(result)
    if result.outcome == "answer" or len(choices) == 1:
        return (choices[0] if choices else None), choices
    return None, choices


def choice_buttons(choices: list[ServiceChoice], intent: str) -> list[dict[str, str]]:
    """ "Did you mean" buttons whose payload sets the service code."""
    return [
        {"title": c.title, "payload": f'/{intent}{{"service_code": "{c.code}"}}'}
        for c in choices[:CHOICES]
    ]


async def validate_service_slot(
    value: Any, dispatcher: CollectingDispatcher, tracker: Tracker
) -> dict[str, Any]:
    """Fill ``service_code`` from a button's code or a service name; offer choices when unsure."""
    text = str(value or "").strip()
    try:
        if _CODE.match(text):
            card = await backend().service(text)
            return accepted("service_code", card["code"], service_title=card["title"])
        winner, choices = await resolve_service(text) if text else (None, [])
    except BackendUnavailable:
        dispatcher.utter_message(response="utter_backend_down")
        return {"service_code": None}
    except BackendError:
        return rejected(dispatcher, tracker, "service_code", "utter_service_not_found")
    if winner is not None:
        return accepted("service_code", winner.code, service_title=winner.title)
    if not choices:
        return rejected(dispatcher, tracker, "service_code", "utter_service_not_found")
    buttons = choice_buttons(choices, "choose_service")
    dispatcher.utter_message(response="utter_did_you_mean", buttons=buttons)
    return {"service_code": None}


class ServiceCodeValidation:
    """Mixed into a form that asks which service: validates its ``service_code`` slot."""

    async def validate_service_code(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """A service code from a button, or a service name resolved through search."""
        return await validate_service_slot(value, dispatcher, tracker)
