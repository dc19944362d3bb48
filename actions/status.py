"""Reporting a request's status and history, and offering a rating once it is completed."""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.backend import backend
from actions.common import parse_identity, phrase
from actions.forms import checked_slot
from backend_client import BackendRejected, BackendUnavailable, NotFoundError
from nlu.digits import to_persian_digits
from nlu.identifiers import format_tracking_code, is_complaint_code, normalize_tracking_code
from nlu.jalali import format_jalali


def _identity_text(text: str) -> str | None:
    """The national code or the mobile the request was filed with, kept as typed."""
    return text if parse_identity(text) else None


class ValidateStatusForm(FormValidationAction):
    """Checks the tracking code and the proof of identity."""

    def name(self) -> str:
        return "validate_status_form"

    validate_tracking_code = checked_slot(
        "tracking_code", normalize_tracking_code, "utter_invalid_tracking_code"
    )
    validate_identity = checked_slot("identity", _identity_text, "utter_invalid_identity")

    async def extract_identity(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """A national code or mobile said earlier in the conversation counts as the identity."""
        if tracker.get_slot("identity") or tracker.get_slot("requested_slot") == "identity":
            return {}
        known = tracker.get_slot("national_code") or tracker.get_slot("mobile")
        return {"identity": known} if known else {}


def _history(domain: dict[str, Any], events: list[dict[str, Any]]) -> str:
    lines = []
    for event in events:
        day = format_jalali(dt.datetime.fromisoformat(event["at"]).date())
        label = phrase(domain, f"phrase_status_{event['status']}")
        note = f" — {event['note']}" if event.get("note") else ""
        lines.append(f"• {day}: {label}{note}")
    return "\n".join(lines)


class ActionCheckStatus(Action):
    """Looks the request up and reports its status and history."""

    def name(self) -> str:
        return "action_check_status"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        code = tracker.get_slot("tracking_code")
        identity = parse_identity(str(tracker.get_slot("identity") or ""))
        if not code or not identity:
            return []
        return await report_status(dispatcher, tracker, domain, code, identity)


async def report_status(
    dispatcher: CollectingDispatcher,
    tracker: Tracker,
    domain: dict[str, Any],
    code: str,
    identity: dict[str, str],
) -> list[EventType]:
    """Look a request or complaint up by its code and the identity, and report it with its
    history (a completed request is offered a rating)."""
    client = backend()
    lookup = client.complaint_status if is_complaint_code(code) else client.request_status
    view, failed = await _look_up(dispatcher, lookup(code, sender_id=tracker.sender_id, **identity))
    if view is None:
        return failed
    if is_complaint_code(code):
        return _report_complaint(dispatcher, domain, view)
    dispatcher.utter_message(
        response="utter_status",
        service_title=view["service_title"],
        tracking_code=to_persian_digits(format_tracking_code(view["tracking_code"])),
        status=phrase(domain, f"phrase_status_{view['status']}"),
        eta=view["estimated_completion_jalali"],
        history=_history(domain, view["events"]),
    )
    # The code is forgotten once reported, so the next «پیگیری» asks for a code instead of
    # repeating this one; the identity stays, as it is the same citizen.
    events: list[EventType] = [
        SlotSet("tracking_code", None),
        SlotSet("service_code", view["service_code"]),
        SlotSet("service_title", view["service_title"]),
    ]
    if view["status"] == "completed":
        dispatcher.utter_message(response="utter_offer_rating")
        events.append(SlotSet("rated_tracking_code", view["tracking_code"]))
    return events


async def _look_up(
    dispatcher: CollectingDispatcher, call: Awaitable[dict[str, Any]]
) -> tuple[dict[str, Any] | None, list[EventType]]:
    """The backend's view of a request or complaint, or None and the events of the failure."""
    try:
        return await call, []
    except NotFoundError:
        dispatcher.utter_message(response="utter_status_not_found")
    except BackendRejected as exc:
        # Too many wrong guesses (429): the backend's Persian message says when to retry.
        dispatcher.utter_message(text=exc.message)
    except BackendUnavailable:
        dispatcher.utter_message(response="utter_backend_down")
        return None, []  # kept, so a retry needs nothing typed again
    return None, [SlotSet("tracking_code", None), SlotSet("identity", None)]


def _report_complaint(
    dispatcher: CollectingDispatcher, domain: dict[str, Any], view: dict[str, Any]
) -> list[EventType]:
    """Report a complaint's or suggestion's status and the response staff wrote, if any."""
    answer = view.get("response") or ""
    dispatcher.utter_message(
        response="utter_complaint_status",
        kind_label=phrase(domain, f"phrase_{view['kind']}"),
        tracking_code=to_persian_digits(format_tracking_code(view["tracking_code"])),
        status=phrase(domain, f"phrase_complaint_status_{view['status']}"),
        answer=phrase(domain, "phrase_staff_answer", text=answer) if answer else "",
    )
    return [SlotSet("tracking_code", None)]
