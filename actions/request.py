"""Filing a service request: the form's validation, the confirmation, and the submission."""

from __future__ import annotations

import logging
import re
import uuid
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.backend import backend
from actions.common import channel_of, means_none
from actions.forms import accepted, checked_slot
from actions.service_info import describe_cost
from actions.service_lookup import ServiceCodeValidation
from backend_client import BackendError, BackendRejected, BackendUnavailable
from nlu.digits import to_persian_digits
from nlu.identifiers import format_tracking_code, normalize_mobile, normalize_national_code

logger = logging.getLogger(__name__)

_NAME = re.compile(r"^[\w\u200c\s.'-]+$")
DESCRIPTION_LIMIT = 2000


def _full_name(text: str) -> str | None:
    """Two words or more, letters only, with spacing tidied; None when it is not a name."""
    name = " ".join(text.split())
    words_only = _NAME.match(name) and not any(ch.isdigit() for ch in name)
    return name if len(name.split()) >= 2 and 4 <= len(name) <= 100 and words_only else None


class ValidateRequestForm(ServiceCodeValidation, FormValidationAction):
    """Checks each value of the request form and explains what is wrong."""

    def name(self) -> str:
        return "validate_request_form"

    async def extract_service_code(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """«می‌خوام درخواست گذرنامه بدم»: the service named when starting counts as the answer."""
        if tracker.get_slot("service_code") or tracker.get_slot("requested_slot"):
            return {}
        named = next(tracker.get_latest_entity_values("service"), None)
        return {"service_code": named} if named else {}

    validate_full_name = checked_slot("full_name", _full_name, "utter_invalid_name")
    validate_national_code = checked_slot(
        "national_code", normalize_national_code, "utter_invalid_national_code"
    )
    validate_mobile = checked_slot("mobile", normalize_mobile, "utter_invalid_mobile")

    def validate_description(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """Free text, or «ندارم» for none."""
        text = str(value or "").strip()
        return accepted("description", "" if means_none(text, domain) else text[:DESCRIPTION_LIMIT])

    def validate_request_confirmed(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """Yes submits; no pauses the form and offers to correct one value (the buttons start
        ``action_change_value``, which clears it and resumes the form)."""
        if value is True:
            return {"request_confirmed": True}
        dispatcher.utter_message(response="utter_which_field_to_change")
        return {"request_confirmed": None, "requested_slot": None}


class ActionAskRequestConfirmed(Action):
    """Shows everything collected and asks for confirmation."""

    def name(self) -> str:
        return "action_ask_request_confirmed"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        description = tracker.get_slot("description") or "—"
        dispatcher.utter_message(
            response="utter_request_summary",
            service_title=tracker.get_slot("service_title") or tracker.get_slot("service_code"),
            full_name=tracker.get_slot("full_name"),
            national_code=to_persian_digits(tracker.get_slot("national_code") or ""),
            mobile=to_persian_digits(tracker.get_slot("mobile") or ""),
            description=description,
        )
        return []


REQUIRED = ("service_code", "full_name", "national_code", "mobile", "request_confirmed")
RESET_AFTER_FILING = ("full_name", "description", "request_confirmed", "submission_key")


class ActionSubmitRequest(Action):
    """Files the confirmed request; a retry reuses the same idempotency key, so it files once."""

    def name(self) -> str:
        return "action_submit_request"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        if any(tracker.get_slot(slot) in (None, "") for slot in REQUIRED):
            return []  # the form ended without a confirmed request (cancelled or gave up)
        if tracker.get_slot("request_confirmed") is not True:
            return []
        key = tracker.get_slot("submission_key") or uuid.uuid4().hex
        payload = {
            "service_code": tracker.get_slot("service_code"),
            "full_name": tracker.get_slot("full_name"),
            "national_code": tracker.get_slot("national_code"),
            "mobile": tracker.get_slot("mobile"),
            "description": tracker.get_slot("description") or "",
            "channel": channel_of(tracker),
            "sender_id": tracker.sender_id,
        }
        try:
            receipt = await backend().file_request(payload, idempotency_key=key)
        except BackendUnavailable as exc:
            logger.warning("request not filed yet, kept for a retry: %s", exc)
            dispatcher.utter_message(response="utter_submission_failed")
            return [SlotSet("submission_key", key), SlotSet("submission_pending", True)]
        except BackendRejected as exc:
            dispatcher.utter_message(response="utter_request_rejected", message=exc.message)
            # Nothing was filed: the corrected submission gets a fresh key.
            return [
                SlotSet("request_confirmed", None),
                SlotSet("submission_pending", False),
                SlotSet("submission_key", None),
            ]
        card = await _card_or_none(receipt["service_code"])
        cost = describe_cost(domain, card) if card else ""
        dispatcher.utter_message(
            response="utter_receipt",
            tracking_code=to_persian_digits(format_tracking_code(receipt["tracking_code"])),
            service_title=receipt["service_title"],
            agency=receipt["agency_name"],
            eta=receipt["estimated_completion_jalali"],
            cost=cost,
        )
        dispatcher.utter_message(
            json_message={
                "type": "receipt",
                **receipt,
                "cost_text": cost,
                "proof": proof_of(tracker),
            }
        )
        return [SlotSet(slot, None) for slot in RESET_AFTER_FILING] + [
            SlotSet("submission_pending", False),
            SlotSet("tracking_code", receipt["tracking_code"]),
        ]


def proof_of(tracker: Tracker) -> dict[str, str]:
    """The identity a request was filed with, for the gateway to attach files (one suffices)."""
    # The gateway takes ``proof`` out of the receipt before anything reaches a browser or a log
    # (connectors/messages.py) and keeps it per conversation; the mobile when there is one.
    mobile = tracker.get_slot("mobile")
    if mobile:
        return {"mobile": str(mobile)}
    return {"national_code": str(tracker.get_slot("national_code") or "")}


async def _card_or_none(code: str) -> dict[str, Any] | None:
    try:
        return await backend().service(code)
    except BackendError:
        return None
