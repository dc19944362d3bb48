"""Complaints and suggestions, each with its own tracking code."""

from __future__ import annotations

import uuid
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.backend import backend
from actions.common import channel_of, means_none, parse_identity, phrase
from actions.forms import accepted, rejected
from backend_client import BackendRejected, BackendUnavailable
from nlu.digits import to_persian_digits
from nlu.identifiers import format_tracking_code

MIN_TEXT = 10


def kind_label(tracker: Tracker, domain: dict[str, Any]) -> str:
    """«شکایت» or «پیشنهاد»."""
    kind = tracker.get_slot("feedback_kind") or "complaint"
    return phrase(domain, f"phrase_{kind}")


class ValidateFeedbackForm(FormValidationAction):
    """Checks the text and the contact (optional for suggestions)."""

    def name(self) -> str:
        return "validate_feedback_form"

    def validate_feedback_text(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """At least a short sentence."""
        text = " ".join(str(value or "").split())
        if len(text) >= MIN_TEXT:
            return accepted("feedback_text", text[:4000])
        return rejected(dispatcher, tracker, "feedback_text", "utter_too_short")

    def validate_contact(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """A national code or mobile; a suggestion may be anonymous."""
        text = str(value or "")
        if parse_identity(text):
            return accepted("contact", text)
        if tracker.get_slot("feedback_kind") == "suggestion" and means_none(text, domain):
            return accepted("contact", "-")
        return rejected(dispatcher, tracker, "contact", "utter_invalid_identity")


class ActionAskFeedbackText(Action):
    """Asks for the complaint or suggestion, naming which one it is."""

    def name(self) -> str:
        return "action_ask_feedback_text"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        dispatcher.utter_message(
            response="utter_ask_feedback_text", kind_label=kind_label(tracker, domain)
        )
        return []


class ActionSubmitFeedback(Action):
    """Files the complaint or suggestion and gives its tracking code."""

    def name(self) -> str:
        return "action_submit_feedback"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        text = tracker.get_slot("feedback_text")
        if not text or not tracker.get_slot("contact"):
            return []
        payload: dict[str, Any] = {
            "kind": tracker.get_slot("feedback_kind") or "complaint",
            "text": text,
            "channel": channel_of(tracker),
            "sender_id": tracker.sender_id,
            **(parse_identity(tracker.get_slot("contact")) or {}),
        }
        if tracker.get_slot("service_code"):
            payload["service_code"] = tracker.get_slot("service_code")
        # Its own key, not the request form's: a complaint must never take over (and then clear)
        # the key a pending request submission will be retried with.
        key = tracker.get_slot("feedback_key") or uuid.uuid4().hex
        try:
            complaint = await backend().complain(payload, idempotency_key=key)
        except BackendUnavailable:
            dispatcher.utter_message(response="utter_backend_down")
            return [SlotSet("feedback_key", key)]
        except BackendRejected as exc:
            dispatcher.utter_message(text=exc.message)
            return [
                SlotSet("feedback_text", None),
                SlotSet("contact", None),
                SlotSet("feedback_key", None),
            ]
        dispatcher.utter_message(
            response="utter_feedback_received",
            kind_label=kind_label(tracker, domain),
            tracking_code=to_persian_digits(format_tracking_code(complaint["tracking_code"])),
        )
        return [
            SlotSet("feedback_text", None),
            SlotSet("contact", None),
            SlotSet("feedback_key", None),
            SlotSet("feedback_kind", None),
        ]
