"""The request form's validation and the submission, against the real backend."""

from __future__ import annotations

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.request import ActionAskRequestConfirmed, ActionSubmitRequest, ValidateRequestForm
from nlu.digits import to_persian_digits
from nlu.identifiers import national_code_check_digit, normalize_tracking_code
from tests.actions.trackers import call, responses, run, slot_events, tracker

NATIONAL_CODE = "001354241" + str(national_code_check_digit("001354241"))
FILLED = {
    "service_code": "10202000001",
    "service_title": "صدور گذرنامهٔ عادی",
    "full_name": "مریم احمدی",
    "national_code": NATIONAL_CODE,
    "mobile": "09121234567",
    "description": "",
    "request_confirmed": True,
}


def validate(method: str, value, domain, slots=None):
    form = ValidateRequestForm()
    dispatcher = CollectingDispatcher()
    result = call(
        getattr(form, f"validate_{method}")(
            value, dispatcher, tracker(str(value), slots=slots), domain
        )
    )
    return result, dispatcher.messages


@pytest.mark.parametrize(
    "raw",
    [NATIONAL_CODE, to_persian_digits(NATIONAL_CODE), NATIONAL_CODE[:3] + "-" + NATIONAL_CODE[3:]],
)
def test_national_codes_in_any_digits_are_accepted(raw, domain):
    result, messages = validate("national_code", raw, domain)
    assert result["national_code"] == NATIONAL_CODE and messages == []


def test_a_wrong_national_code_is_explained_then_given_up_on_after_three_tries(domain):
    wrong = NATIONAL_CODE[:9] + str((int(NATIONAL_CODE[9]) + 1) % 10)
    result, messages = validate("national_code", wrong, domain)
    assert result == {"national_code": None, "failed_attempts": 1}
    assert responses(messages) == ["utter_invalid_national_code"]
    result, messages = validate("national_code", wrong, domain, {"failed_attempts": 2})
    assert result["requested_slot"] is None and result["national_code"] is None
    assert responses(messages) == ["utter_give_up"]


@pytest.mark.parametrize(
    ("raw", "ok"), [("+98 912 123 4567", True), ("۰۹۱۲۱۲۳۴۵۶۷", True), ("12345", False)]
)
def test_mobiles(raw, ok, domain):
    result, _ = validate("mobile", raw, domain)
    assert (result["mobile"] == "09121234567") is ok


@pytest.mark.parametrize(
    ("raw", "ok"), [("علی رضایی", True), ("علی", False), ("۰۹۱۲۱۲۳۴۵۶۷", False)]
)
def test_names(raw, ok, domain):
    result, _ = validate("full_name", raw, domain)
    assert (result["full_name"] is not None) is ok


def test_a_service_name_resolves_or_offers_choices(action_env, domain):
    result, messages = validate("service_code", "صدور گذرنامه", domain)
    if result["service_code"]:
        assert result["service_code"].startswith("102")
    else:
        assert messages, result
        buttons = messages[0].get("buttons") or []
        assert buttons, [(m.get("response"), m.get("text")) for m in messages]
        assert len(buttons) >= 2 and all("choose_service" in b["payload"] for b in buttons)


def test_a_service_code_from_a_button_is_accepted(action_env, domain):
    result, _ = validate("service_code", "10202000001", domain)
    assert result["service_code"] == "10202000001" and "گذرنامه" in result["service_title"]


def test_the_summary_shows_persian_digits(domain):
    messages, _ = run(ActionAskRequestConfirmed(), tracker("", slots=FILLED), domain)
    assert messages[0]["national_code"] == to_persian_digits(NATIONAL_CODE)


def test_a_confirmed_request_is_filed_once_even_when_retried(action_env, domain):
    slots = {**FILLED, "submission_key": "retry-key-1"}
    sender = "telegram:1001"
    first, first_events = run(
        ActionSubmitRequest(), tracker("", slots=slots, sender=sender), domain
    )
    again, _ = run(ActionSubmitRequest(), tracker("", slots=slots, sender=sender), domain)
    receipts = [m for m in first + again if m.get("custom")]
    codes = {m["custom"]["tracking_code"] for m in receipts}
    assert len(receipts) == 2 and len(codes) == 1
    assert normalize_tracking_code(codes.pop())
    assert responses(first)[0] == "utter_receipt"
    assert slot_events(first_events)["full_name"] is None  # the form is cleared after filing


def test_a_backend_that_is_down_keeps_the_data_and_the_key(monkeypatch, domain, action_env):
    from actions import backend, settings

    monkeypatch.setenv("DASTYAR_BACKEND_URL", "http://127.0.0.1:9")
    settings.get_settings.cache_clear()
    sender = "telegram:1002"
    messages, events = run(ActionSubmitRequest(), tracker("", slots=FILLED, sender=sender), domain)
    assert responses(messages) == ["utter_submission_failed"]
    kept = slot_events(events)
    assert kept["submission_pending"] is True and kept["submission_key"]
    assert "full_name" not in kept  # nothing the citizen typed is cleared

    monkeypatch.setenv("DASTYAR_BACKEND_URL", action_env)
    settings.get_settings.cache_clear()
    backend.backend.cache_clear()
    retry_slots = {**FILLED, "submission_key": kept["submission_key"]}
    messages, _ = run(ActionSubmitRequest(), tracker("", slots=retry_slots, sender=sender), domain)
    again, _ = run(ActionSubmitRequest(), tracker("", slots=retry_slots, sender=sender), domain)
    codes = {m["custom"]["tracking_code"] for m in messages + again if m.get("custom")}
    assert len(codes) == 1


def test_nothing_is_filed_without_confirmation(action_env, domain):
    messages, events = run(
        ActionSubmitRequest(), tracker("", slots={**FILLED, "request_confirmed": None}), domain
    )
    assert messages == [] and events == []


PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def test_the_receipt_carries_the_proof_the_gateway_attaches_files_with(action_env, domain):
    """The action's receipt, parsed by the gateway, is enough to attach a file at the backend."""
    import asyncio

    from backend_client import BackendClient
    from connectors.attachments import Attacher
    from connectors.messages import parse_rasa
    from connectors.texts import Texts
    from tests.actions.conftest import ASSISTANT_PASSWORD, ROOT

    sender = "web:" + "c" * 32
    messages, _ = run(ActionSubmitRequest(), tracker("", slots=FILLED, sender=sender), domain)
    [custom] = [m["custom"] for m in messages if m.get("custom")]
    assert custom["proof"] == {"mobile": "09121234567"}  # one identity is enough

    parsed = parse_rasa([{"custom": custom}])  # what Rasa's REST channel hands the gateway
    [proof] = parsed.proofs
    assert (proof.tracking_code, proof.mobile) == (custom["tracking_code"], "09121234567")
    assert "proof" not in parsed.replies[0].to_json()["custom"]  # never shown to the citizen

    async def attach() -> tuple[int, str]:
        client = BackendClient(action_env, "assistant", ASSISTANT_PASSWORD)
        texts = Texts.load(ROOT / "data" / "locale" / "connectors.fa.yaml")
        attacher = Attacher(client, texts, 1024 * 1024, ["application/pdf"])
        try:
            outcome = await attacher.attach(proof, "شناسنامه.pdf", PDF)
        finally:
            await client.aclose()
        return outcome.status, outcome.message

    status, message = asyncio.run(attach())
    assert status == 201, message
    assert "«شناسنامه.pdf»" in message and "پیوست شد" in message


def test_without_a_mobile_the_national_code_is_the_proof(domain):
    from actions.request import proof_of

    slots = {**FILLED, "mobile": None}
    assert proof_of(tracker("", slots=slots)) == {"national_code": NATIONAL_CODE}
