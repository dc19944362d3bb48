"""«My requests»: the citizen proves a mobile with a one-time code sent by SMS (or shares their
own number on Telegram or Bale, which the platform vouches for); then every request and
complaint filed with it is listed, and one can be opened with its history.

The backend decides everything that matters (codes, tries, limits, whether the conversation is
verified); these actions only carry the citizen's words to it and its answers back.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.backend import backend
from actions.common import channel_of, phrase
from actions.forms import accepted, rejected, skipped_when
from actions.status import report_status
from backend_client import BackendRejected, BackendUnavailable
from nlu.digits import only_digits, to_persian_digits
from nlu.identifiers import mask_mobile, normalize_mobile, normalize_tracking_code

CODE_DIGITS = 6
# the gateway marks a contact shared with the platform's own button, of the user's own number
CONTACT_CHANNELS = ("telegram", "bale")
MAX_BUTTONS = 10


def _code_text(text: str) -> str | None:
    """The six digits of a one-time code as typed (any digits, spaces allowed), else None."""
    digits = only_digits(text)
    return digits if len(digits) == CODE_DIGITS and len(text.strip()) <= 2 * CODE_DIGITS else None


def _shared_contact(tracker: Tracker) -> bool:
    """Whether the latest message is a contact the platform proved is the user's own number."""
    metadata = (tracker.latest_message or {}).get("metadata") or {}
    return bool(metadata.get("contact_verified")) and channel_of(tracker) in CONTACT_CHANNELS


def _minutes_until(moment: str) -> str:
    left = dt.datetime.fromisoformat(moment) - dt.datetime.now(dt.UTC)
    return to_persian_digits(str(max(1, math.ceil(left.total_seconds() / 60))))


def _stop(dispatcher: CollectingDispatcher, exc: Exception, **slots: Any) -> dict[str, Any]:
    """End the form after the backend refused or failed, saying why."""
    if isinstance(exc, BackendRejected):
        dispatcher.utter_message(text=exc.message)
    else:
        dispatcher.utter_message(response="utter_backend_down")
    return {**slots, "requested_slot": None}


class ValidateMyRequestsForm(FormValidationAction):
    """Sends the code for the mobile given and checks the code typed."""

    def name(self) -> str:
        return "validate_my_requests_form"

    required_slots = skipped_when(
        "mobile_verified",
        "otp_code",
        "No code is asked for once the backend has verified the conversation for the mobile.",
    )

    async def validate_otp_mobile(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """A valid mobile: trusted when shared as the user's own contact, else a code is sent."""
        mobile = normalize_mobile(str(value or ""))
        if mobile is None:
            return rejected(dispatcher, tracker, "otp_mobile", "utter_invalid_mobile")
        client, sender, channel = backend(), tracker.sender_id, channel_of(tracker)
        try:
            if _shared_contact(tracker):
                await client.trust_contact(mobile, sender, channel)
                return accepted("otp_mobile", mobile, mobile_verified=True)
            sent = await client.send_code(mobile, sender, channel)
        except (BackendRejected, BackendUnavailable) as exc:  # e.g. too many codes asked for
            return _stop(dispatcher, exc, otp_mobile=None)
        if sent["status"] == "verified":  # this conversation proved this mobile a moment ago
            return accepted("otp_mobile", mobile, mobile_verified=True)
        dispatcher.utter_message(
            response="utter_code_sent",
            mobile=to_persian_digits(mask_mobile(mobile)),
            minutes=_minutes_until(sent["valid_until"]),
        )
        return accepted("otp_mobile", mobile, mobile_verified=False)

    async def validate_otp_code(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """The code checked by the backend; a wrong one is asked again, a spent one ends it."""
        code = _code_text(str(value or ""))
        if code is None:
            return rejected(dispatcher, tracker, "otp_code", "utter_invalid_otp_code")
        mobile = str(tracker.get_slot("otp_mobile") or "")
        try:
            await backend().verify_code(mobile, tracker.sender_id, code)
        except BackendUnavailable as exc:
            return _stop(dispatcher, exc, otp_code=None)
        except BackendRejected as exc:
            dispatcher.utter_message(text=exc.message)
            if exc.code == "wrong_code":
                return {"otp_code": None}
            # expired, tries used up, too many wrong guesses: a new code starts over
            dispatcher.utter_message(response="utter_offer_new_code")
            return {"otp_code": None, "requested_slot": None}
        # the code itself is not kept: the verification lives in the backend
        return accepted("otp_code", None, mobile_verified=True)


def _filing_lines(domain: dict[str, Any], items: list[dict[str, Any]]) -> str:
    lines = []
    for number, item in enumerate(items, start=1):
        # a complaint about no service or agency has no title to quote
        line = "phrase_filing_line" if item["title"] else "phrase_filing_line_untitled"
        lines.append(
            phrase(
                domain,
                line,
                number=to_persian_digits(str(number)),
                kind=phrase(domain, f"phrase_filing_{item['kind']}"),
                title=item["title"],
                code=to_persian_digits(item["tracking_code_display"]),
                status=_status(domain, item),
            )
        )
    return "\n".join(lines)


def _status(domain: dict[str, Any], item: dict[str, Any]) -> str:
    prefix = "phrase_status_" if item["kind"] == "request" else "phrase_complaint_status_"
    return phrase(domain, prefix + item["status"])


class ActionListFilings(Action):
    """Lists the requests and complaints of the verified mobile, each a button that opens it."""

    def name(self) -> str:
        return "action_list_filings"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        mobile = tracker.get_slot("otp_mobile")
        if not mobile or not tracker.get_slot("mobile_verified"):
            return []  # the form ended without a proof, and said why
        try:
            items = await backend().filings(mobile, tracker.sender_id)
        except BackendRejected as exc:  # the verification ran out meanwhile
            dispatcher.utter_message(text=exc.message)
            dispatcher.utter_message(response="utter_offer_new_code")
            return [SlotSet("mobile_verified", False)]
        except BackendUnavailable:
            dispatcher.utter_message(response="utter_backend_down")
            return []
        if not items:
            dispatcher.utter_message(response="utter_no_filings")
            return []
        buttons = [
            {
                "title": phrase(
                    domain,
                    "phrase_filing_button",
                    kind=phrase(domain, f"phrase_filing_{item['kind']}"),
                    code=to_persian_digits(item["tracking_code_display"]),
                ),
                "payload": f'/open_filing{{"tracking_code": "{item["tracking_code"]}"}}',
            }
            for item in items[:MAX_BUTTONS]
        ]
        dispatcher.utter_message(
            response="utter_filings", filings=_filing_lines(domain, items), buttons=buttons
        )
        return []


class ActionOpenFiling(Action):
    """Opens one filing of the list: its status and history, looked up with the proven mobile."""

    def name(self) -> str:
        return "action_open_filing"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        said = next(tracker.get_latest_entity_values("tracking_code"), None)
        code = normalize_tracking_code(str(said or tracker.get_slot("tracking_code") or ""))
        mobile = tracker.get_slot("otp_mobile")
        if not mobile or not tracker.get_slot("mobile_verified"):
            dispatcher.utter_message(response="utter_open_needs_verification")
            return [SlotSet("tracking_code", None)]
        if code is None:
            dispatcher.utter_message(response="utter_invalid_tracking_code")
            return [SlotSet("tracking_code", None)]
        events = await report_status(dispatcher, tracker, domain, code, {"mobile": mobile})
        # the proven mobile is the identity a rating offered after this report will use
        return [*events, SlotSet("identity", mobile)]
