"""Collecting a satisfaction rating for a completed request or for a service."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.backend import backend
from actions.common import channel_of, means_none, parse_identity
from actions.forms import accepted, checked_slot, skipped_when
from actions.service_lookup import ServiceCodeValidation
from backend_client import BackendRejected, BackendUnavailable
from nlu.numbers import small_number


def _score(text: str) -> float | None:
    """One number from 1 to 5, in digits or words (never 0, so a score is always truthy)."""
    score = small_number(text, 1, 5)
    return None if score is None else float(score)


class ValidateRatingForm(ServiceCodeValidation, FormValidationAction):
    """Asks which service (unless a completed request is being rated), the score and a comment."""

    def name(self) -> str:
        return "validate_rating_form"

    required_slots = skipped_when(
        "rated_tracking_code", "service_code", "A completed request already names its service."
    )

    validate_rating = checked_slot("rating", _score, "utter_invalid_rating")

    def validate_rating_comment(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """Any comment, or none."""
        text = str(value or "").strip()
        return accepted("rating_comment", "" if means_none(text, domain) else text[:1000])


class ActionSubmitRating(Action):
    """Records the rating."""

    def name(self) -> str:
        return "action_submit_rating"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        score = tracker.get_slot("rating")
        if score is None:
            return []
        payload: dict[str, Any] = {
            "score": int(score),
            "comment": tracker.get_slot("rating_comment") or "",
            "channel": channel_of(tracker),
        }
        tracking = tracker.get_slot("rated_tracking_code")
        identity = parse_identity(str(tracker.get_slot("identity") or ""))
        if tracking and identity:
            payload.update(tracking_code=tracking, sender_id=tracker.sender_id, **identity)
        else:
            payload["service_code"] = tracker.get_slot("service_code")
        reset: list[EventType] = [
            SlotSet("rating", None),
            SlotSet("rating_comment", None),
            SlotSet("rated_tracking_code", None),
        ]
        try:
            await backend().rate(payload)
        except BackendRejected as exc:
            if exc.code == "already_rated":
                dispatcher.utter_message(response="utter_already_rated")
            else:
                dispatcher.utter_message(text=exc.message)
            return reset
        except BackendUnavailable:
            dispatcher.utter_message(response="utter_backend_down")
            return []
        dispatcher.utter_message(response="utter_rating_thanks")
        return reset
