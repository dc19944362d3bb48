"""«My requests» against the real backend: a code sent by SMS (read from the outbox), checked,
then the mobile's requests and complaints listed and one opened; a Telegram contact needs no
code."""

from __future__ import annotations

import itertools
import re
import uuid

import httpx
import pytest

from actions.my_requests import ActionListFilings, ActionOpenFiling, ValidateMyRequestsForm
from tests.actions.conftest import ASSISTANT_PASSWORD
from tests.actions.trackers import call, responses, run, slot_events, tracker

_numbers = itertools.count(1)


def new_mobile() -> str:
    """A mobile no other test of the session has used (sends and guesses are counted per mobile)."""
    return f"0919{uuid.uuid4().int % 10**5:05d}{next(_numbers) % 100:02d}"


def _assistant(url: str) -> dict[str, str]:
    body = {"username": "assistant", "password": ASSISTANT_PASSWORD}
    token = httpx.post(f"{url}/api/v1/auth/token", json=body).json()["access_token"]
    return {"Authorization": f"Bearer {token}"}


def file_for(url: str, mobile: str) -> tuple[str, str]:
    """A request and a complaint filed with ``mobile``; their tracking codes."""
    headers = _assistant(url)
    request = {"service_code": "10202000001", "full_name": "سارا کریمی", "mobile": mobile,
               "national_code": "0013542419"}  # fmt: skip
    code = httpx.post(f"{url}/api/v1/requests", json=request, headers=headers).json()
    complaint = {"kind": "complaint", "text": "پاسخ درخواستم خیلی دیر شد.", "mobile": mobile}
    filed = httpx.post(f"{url}/api/v1/complaints", json=complaint, headers=headers).json()
    return code["tracking_code"], filed["tracking_code"]


def sms_to(url: str, mobile: str) -> list[str]:
    """The SMS texts for ``mobile`` not yet taken from the outbox, taken as the SMS worker takes
    them (staff's view of the outbox never shows a code)."""
    claim = {"channel": "sms", "limit": 200}
    rows = httpx.post(f"{url}/api/v1/outbox/claim", json=claim, headers=_assistant(url)).json()
    return [r["body"] for r in rows if r["recipient"] == mobile]


def sms_code(url: str, mobile: str) -> str:
    """The code of the newest SMS for ``mobile``."""
    return re.search(r"\b(\d{6})\b", sms_to(url, mobile)[-1]).group(1)


def validate(slot: str, value: str, t) -> tuple[list[dict], dict]:
    from rasa_sdk.executor import CollectingDispatcher

    dispatcher = CollectingDispatcher()
    form = ValidateMyRequestsForm()
    result = call(getattr(form, f"validate_{slot}")(value, dispatcher, t, {}))
    return dispatcher.messages, result


def test_a_code_proves_the_mobile_then_filings_are_listed_and_opened(action_env, domain):
    mobile = new_mobile()
    request, complaint = file_for(action_env, mobile)
    sender = f"web:{uuid.uuid4().hex}"

    messages, slots = validate("otp_mobile", "۰۹۱۲ ۱۲۳", tracker(sender=sender, channel="web"))
    assert responses(messages) == ["utter_invalid_mobile"] and slots["otp_mobile"] is None

    messages, slots = validate("otp_mobile", mobile, tracker(sender=sender, channel="web"))
    assert responses(messages) == ["utter_code_sent"]
    assert messages[0]["minutes"] == "۲" and mobile not in messages[0]["mobile"]
    assert slots == {"otp_mobile": mobile, "mobile_verified": False, "failed_attempts": 0}
    code = sms_code(action_env, mobile)

    asking = tracker(sender=sender, channel="web", slots={"otp_mobile": mobile})
    messages, slots = validate("otp_code", "12", asking)
    assert responses(messages) == ["utter_invalid_otp_code"]
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    messages, slots = validate("otp_code", wrong, asking)
    assert "۴ بار" in messages[0]["text"] and slots == {"otp_code": None}
    messages, slots = validate("otp_code", code, asking)
    assert messages == [] and slots["mobile_verified"] is True and slots["otp_code"] is None

    verified = tracker(sender=sender, channel="web",
                       slots={"otp_mobile": mobile, "mobile_verified": True})  # fmt: skip
    messages, _ = run(ActionListFilings(), verified, domain)
    assert responses(messages) == ["utter_filings"]
    listed = messages[0]
    assert "صدور گذرنامه" in listed["filings"] and "ثبت شده" in listed["filings"]
    assert "«»" not in listed["filings"]  # the complaint names no service: no empty quotes
    assert [b["payload"] for b in listed["buttons"]] == [
        f'/open_filing{{"tracking_code": "{complaint}"}}',
        f'/open_filing{{"tracking_code": "{request}"}}',
    ]

    opening = tracker(
        listed["buttons"][1]["payload"],
        sender=sender,
        channel="web",
        intent="open_filing",
        entities=[{"entity": "tracking_code", "value": request}],
        slots={"otp_mobile": mobile, "mobile_verified": True},
    )
    messages, events = run(ActionOpenFiling(), opening, domain)
    assert responses(messages) == ["utter_status"]
    assert "ثبت شده" in messages[0]["history"]
    assert slot_events(events)["identity"] == mobile  # a rating offered next uses it
    opening.latest_message["entities"] = [{"entity": "tracking_code", "value": complaint}]
    messages, _ = run(ActionOpenFiling(), opening, domain)
    assert responses(messages) == ["utter_complaint_status"]


def test_a_verified_conversation_skips_the_code(action_env):
    form = ValidateMyRequestsForm()
    slots = ["otp_mobile", "otp_code"]
    verified = tracker(slots={"mobile_verified": True})
    assert call(form.required_slots(slots, None, verified, {})) == ["otp_mobile"]
    assert call(form.required_slots(slots, None, tracker(), {})) == slots


def test_a_contact_shared_on_telegram_needs_no_code(action_env, domain):
    mobile = new_mobile()
    file_for(action_env, mobile)
    shared = tracker(mobile, channel="telegram")
    shared.latest_message["metadata"]["contact_verified"] = True
    messages, slots = validate("otp_mobile", mobile, shared)
    assert messages == [] and slots["mobile_verified"] is True
    listing = tracker(
        sender=shared.sender_id, slots={"otp_mobile": mobile, "mobile_verified": True}
    )
    messages, _ = run(ActionListFilings(), listing, domain)
    assert len(messages[0]["buttons"]) == 2
    assert sms_to(action_env, mobile) == []  # no SMS was needed


def test_a_web_message_claiming_a_verified_contact_still_gets_a_code(action_env):
    mobile = new_mobile()
    forged = tracker(mobile, channel="web")
    forged.latest_message["metadata"]["contact_verified"] = True
    messages, slots = validate("otp_mobile", mobile, forged)
    assert responses(messages) == ["utter_code_sent"] and slots["mobile_verified"] is False


def test_a_mobile_with_nothing_filed_is_told_so_once_verified(action_env, domain):
    mobile = new_mobile()
    sender = f"web:{uuid.uuid4().hex}"
    validate("otp_mobile", mobile, tracker(sender=sender, channel="web"))
    asking = tracker(sender=sender, channel="web", slots={"otp_mobile": mobile})
    validate("otp_code", sms_code(action_env, mobile), asking)
    verified = tracker(sender=sender, slots={"otp_mobile": mobile, "mobile_verified": True})
    messages, _ = run(ActionListFilings(), verified, domain)
    assert responses(messages) == ["utter_no_filings"]


def test_too_many_codes_end_the_form_with_the_backends_reason(action_env):
    mobile = new_mobile()
    for _ in range(3):
        validate("otp_mobile", mobile, tracker(channel="web"))
    messages, slots = validate("otp_mobile", mobile, tracker(channel="web"))
    assert "دقیقهٔ دیگر" in messages[0]["text"]
    assert slots == {"otp_mobile": None, "requested_slot": None}


def test_an_unproven_conversation_cannot_open_or_list(action_env, domain):
    mobile = new_mobile()
    request, _ = file_for(action_env, mobile)
    forged = tracker(
        f'/open_filing{{"tracking_code": "{request}"}}',
        intent="open_filing",
        entities=[{"entity": "tracking_code", "value": request}],
        slots={"otp_mobile": mobile},
    )
    messages, _ = run(ActionOpenFiling(), forged, domain)
    assert responses(messages) == ["utter_open_needs_verification"]
    # a slot set by hand is not a proof: the backend says no
    claimed = tracker(slots={"otp_mobile": mobile, "mobile_verified": True})
    messages, events = run(ActionListFilings(), claimed, domain)
    assert "کد تأیید" in messages[0]["text"]
    assert {"event": "slot", "timestamp": None, "name": "mobile_verified", "value": False} in events


@pytest.mark.parametrize(
    "typed,expected", [("۱۲۳ ۴۵۶", "123456"), ("12345", None), ("1234567", None)]
)
def test_codes_are_read_in_any_digits(typed, expected):
    from actions.my_requests import _code_text

    assert _code_text(typed) == expected
