"""Form plumbing shared by every form: counting failures, giving up, cancelling."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import MAX_FAILED_ATTEMPTS

FORM_SLOTS = {
    "request_form": ["service_code", "full_name", "national_code", "mobile", "description",
                     "request_confirmed", "submission_key", "submission_pending"],
    "status_form": ["tracking_code", "identity"],
    "rating_form": ["rating", "rating_comment", "rated_tracking_code"],
    "feedback_form": ["feedback_text", "contact", "feedback_kind", "feedback_key"],
    "my_requests_form": ["otp_mobile", "otp_code"],
}  # fmt: skip


def rejected(
    dispatcher: CollectingDispatcher, tracker: Tracker, slot: str, response: str
) -> dict[str, Any]:
    """Explain why a value was refused and ask again; after repeated failures, give up politely.

    Giving up ends the form (``requested_slot`` None) but keeps every value already accepted,
    so a fresh start does not ask for them again.
    """
    failures = int(tracker.get_slot("failed_attempts") or 0) + 1
    if failures >= MAX_FAILED_ATTEMPTS:
        dispatcher.utter_message(response="utter_give_up")
        return {slot: None, "failed_attempts": 0, "requested_slot": None}
    dispatcher.utter_message(response=response)
    return {slot: None, "failed_attempts": failures}


def accepted(slot: str, value: Any, **more: Any) -> dict[str, Any]:
    """Accept a value and reset the failure count."""
    return {slot: value, "failed_attempts": 0, **more}


SlotValidator = Callable[[Any, Any, CollectingDispatcher, Tracker, DomainDict], dict[str, Any]]


def checked_slot(slot: str, check: Callable[[str], Any], response: str) -> SlotValidator:
    """A form's ``validate_<slot>`` method: the answer's text through ``check``, whose empty or
    None result refuses it with ``response``."""

    def validate(
        self: Any,
        value: Any,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> dict[str, Any]:
        checked = check(str(value or ""))
        if checked:
            return accepted(slot, checked)
        return rejected(dispatcher, tracker, slot, response)

    validate.__doc__ = check.__doc__
    return validate


RequiredSlots = Callable[
    [Any, list[str], CollectingDispatcher, Tracker, DomainDict], Awaitable[list[str]]
]


def skipped_when(known: str, skipped: str, why: str) -> RequiredSlots:
    """A form's ``required_slots`` method: the domain's slots, less ``skipped`` once the slot
    ``known`` is set (``why`` becomes its docstring)."""

    async def required_slots(
        self: Any,
        domain_slots: list[str],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> list[str]:
        if tracker.get_slot(known):
            return [slot for slot in domain_slots if slot != skipped]
        return domain_slots

    required_slots.__doc__ = why
    return required_slots


class ActionCancelForm(Action):
    """Cancels the active form and forgets what it had collected."""

    def name(self) -> str:
        return "action_cancel_form"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        form = tracker.active_loop.get("name") if tracker.active_loop else None
        if tracker.latest_message.get("intent", {}).get("name") == "cancel":
            dispatcher.utter_message(response="utter_cancelled")
        events: list[EventType] = [
            ActiveLoop(None),
            SlotSet("requested_slot", None),
            SlotSet("failed_attempts", 0),
        ]
        events += [SlotSet(slot, None) for slot in FORM_SLOTS.get(form or "", [])]
        return events


class ActionChangeValue(Action):
    """Clears the value the citizen wants to correct, so the form asks for it again."""

    def name(self) -> str:
        return "action_change_value"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        field = next(tracker.get_latest_entity_values("field_to_change"), None)
        events: list[EventType] = [SlotSet("request_confirmed", None)]
        if field in FORM_SLOTS["request_form"][:5]:
            events.append(SlotSet(field, None))
        else:  # «میخوام یه چیزی رو اصلاح کنم»: ask which one
            dispatcher.utter_message(response="utter_which_field_to_change")
        return events
