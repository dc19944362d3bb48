"""Status with history, the rating offer and rating once, complaints, suggestions and handoff."""

from __future__ import annotations

import httpx
import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.feedback import ActionSubmitFeedback, ValidateFeedbackForm
from actions.forms import ActionCancelForm, ActionChangeValue
from actions.handoff import ActionHandoff
from actions.rating import ActionSubmitRating, ValidateRatingForm
from actions.status import ActionCheckStatus, ValidateStatusForm
from nlu.identifiers import (
    national_code_check_digit,
    normalize_tracking_code,
    verhoeff_check_digit,
)
from tests.actions.conftest import ASSISTANT_PASSWORD, admin_headers
from tests.actions.trackers import call, responses, run, slot_events, tracker

NATIONAL_CODE = "427512398" + str(national_code_check_digit("427512398"))


def _token(url: str, username: str, password: str) -> dict[str, str]:
    body = httpx.post(f"{url}/api/v1/auth/token", json={"username": username, "password": password})
    return {"Authorization": f"Bearer {body.json()['access_token']}"}


@pytest.fixture
def completed_request(action_env) -> str:
    """A request filed and taken to completed by staff, through the real API."""
    assistant = _token(action_env, "assistant", ASSISTANT_PASSWORD)
    body = {
        "service_code": "10202000001",
        "full_name": "سارا کریمی",
        "national_code": NATIONAL_CODE,
        "mobile": "09351234567",
    }
    code = httpx.post(f"{action_env}/api/v1/requests", json=body, headers=assistant).json()[
        "tracking_code"
    ]
    admin = admin_headers(action_env)
    for status, note in [("under_review", ""), ("approved", "مدارک کامل است"), ("completed", "")]:
        response = httpx.post(
            f"{action_env}/api/v1/staff/requests/{code}/transitions",
            json={"status": status, "note": note},
            headers=admin,
        )
        assert response.status_code == 200, response.text
    return code


def test_status_shows_the_history_and_offers_a_rating(completed_request, domain):
    slots = {"tracking_code": completed_request, "identity": NATIONAL_CODE}
    messages, events = run(ActionCheckStatus(), tracker("", slots=slots), domain)
    assert responses(messages) == ["utter_status", "utter_offer_rating"]
    status = messages[0]
    assert status["status"] == "انجام شده"
    assert status["history"].count("•") == 4 and "مدارک کامل است" in status["history"]
    assert slot_events(events)["rated_tracking_code"] == completed_request
    # the code is forgotten once reported, so the next «پیگیری» asks for one
    assert slot_events(events)["tracking_code"] is None


def test_a_wrong_identity_is_not_found_and_the_values_are_asked_again(completed_request, domain):
    slots = {"tracking_code": completed_request, "identity": "09120000000"}
    messages, events = run(ActionCheckStatus(), tracker("", slots=slots), domain)
    assert responses(messages) == ["utter_status_not_found"]
    assert slot_events(events) == {"tracking_code": None, "identity": None}


def test_repeated_wrong_identities_lock_the_code_with_a_persian_explanation(
    completed_request, domain
):
    for n in range(10):  # the backend's default limit; a new wrong mobile each time
        wrong = {"tracking_code": completed_request, "identity": f"0913555{n:04d}"}
        messages, _ = run(ActionCheckStatus(), tracker("", slots=wrong), domain)
        assert responses(messages) == ["utter_status_not_found"]
    right = {"tracking_code": completed_request, "identity": NATIONAL_CODE}
    messages, events = run(ActionCheckStatus(), tracker("", slots=right), domain)
    assert len(messages) == 1 and "دقیقهٔ دیگر" in messages[0]["text"]
    assert slot_events(events) == {"tracking_code": None, "identity": None}


def test_validation_of_codes(domain):
    form = ValidateStatusForm()
    good = "523456781"
    good += verhoeff_check_digit(good)
    dispatcher = CollectingDispatcher()
    assert (
        form.validate_tracking_code(good, dispatcher, tracker(good), domain)["tracking_code"]
        == good
    )
    bad = form.validate_tracking_code("12345", dispatcher, tracker("12345"), domain)
    assert bad["tracking_code"] is None
    assert responses(dispatcher.messages) == ["utter_invalid_tracking_code"]


def test_a_completed_request_is_rated_once(completed_request, domain):
    slots = {
        "rated_tracking_code": completed_request,
        "identity": NATIONAL_CODE,
        "rating": 5.0,
        "rating_comment": "سریع و خوب بود",
    }
    first, events = run(ActionSubmitRating(), tracker("", slots=slots), domain)
    assert responses(first) == ["utter_rating_thanks"]
    assert slot_events(events)["rating"] is None
    second, _ = run(ActionSubmitRating(), tracker("", slots=slots), domain)
    assert responses(second) == ["utter_already_rated"]


@pytest.mark.parametrize(
    ("text", "score"), [("۵", 5.0), ("چهار", 4.0), ("عالی بود 5", 5.0), ("۹", None)]
)
def test_rating_values(text, score, domain):
    result = ValidateRatingForm().validate_rating(
        text, CollectingDispatcher(), tracker(text), domain
    )
    assert result["rating"] == score


def test_the_service_is_not_asked_when_rating_a_request(domain):
    form = ValidateRatingForm()
    slots = ["service_code", "rating", "rating_comment"]
    with_request = call(
        form.required_slots(
            slots, CollectingDispatcher(), tracker("", slots={"rated_tracking_code": "1"}), domain
        )
    )
    assert with_request == ["rating", "rating_comment"]


def test_a_complaint_gets_its_own_tracking_code(action_env, domain):
    slots = {
        "feedback_kind": "complaint",
        "feedback_text": "کارمند دفتر پیشخوان پاسخگو نبود",
        "contact": "09121234567",
    }
    messages, _ = run(ActionSubmitFeedback(), tracker("", slots=slots), domain)
    assert responses(messages) == ["utter_feedback_received"]
    assert messages[0]["kind_label"] == "شکایت"
    assert messages[0]["tracking_code"][0] in "۵۶۷۸"


def test_a_suggestion_may_be_anonymous(domain):
    form = ValidateFeedbackForm()
    slots = {"feedback_kind": "suggestion"}
    result = form.validate_contact(
        "ندارم", CollectingDispatcher(), tracker("ندارم", slots=slots), domain
    )
    assert result["contact"] == "-"
    complaint = form.validate_contact(
        "ندارم",
        CollectingDispatcher(),
        tracker("ندارم", slots={"feedback_kind": "complaint"}),
        domain,
    )
    assert complaint["contact"] is None


def test_handoff_tells_the_place_in_the_queue(action_env, domain):
    messages, _ = run(
        ActionHandoff(), tracker("می‌خوام با کارشناس حرف بزنم", intent="ask_human"), domain
    )
    assert responses(messages) == ["utter_handoff"]
    assert messages[0]["position"] in "۱۲۳۴۵۶۷۸۹"
    queue = httpx.get(
        f"{action_env}/api/v1/staff/handoffs", headers=admin_headers(action_env)
    ).json()
    assert any(h["question"] == "می‌خوام با کارشناس حرف بزنم" for h in queue)


def test_cancel_clears_the_form(domain):
    t = tracker(
        "لغو",
        intent="cancel",
        active_loop="request_form",
        slots={"full_name": "مریم احمدی", "national_code": NATIONAL_CODE},
    )
    messages, events = run(ActionCancelForm(), t, domain)
    assert responses(messages) == ["utter_cancelled"]
    cleared = slot_events(events)
    assert cleared["full_name"] is None and cleared["national_code"] is None
    assert any(e.get("event") == "active_loop" and e.get("name") is None for e in events)


def test_change_value_clears_only_that_value(domain):
    t = tracker(
        "", intent="change_value", entities=[{"entity": "field_to_change", "value": "mobile"}]
    )
    _, events = run(ActionChangeValue(), t, domain)
    assert slot_events(events) == {"request_confirmed": None, "mobile": None}


def test_a_complaint_code_reports_the_complaint_and_the_staff_answer(action_env, domain):
    filed_slots = {
        "feedback_kind": "complaint",
        "feedback_text": "دفتر پیشخوان بیش از دو ساعت معطلم کرد",
        "contact": NATIONAL_CODE,
    }
    filed, _ = run(ActionSubmitFeedback(), tracker("", slots=filed_slots), domain)
    code = normalize_tracking_code(filed[0]["tracking_code"])  # shown as «۵۱۲۳-۴۵۶۷-۸۹»
    assert code is not None
    slots = {"tracking_code": code, "identity": NATIONAL_CODE}
    messages, events = run(ActionCheckStatus(), tracker("", slots=slots), domain)
    assert responses(messages) == ["utter_complaint_status"]
    assert messages[0]["kind_label"] == "شکایت" and messages[0]["answer"] == ""
    assert slot_events(events) == {"tracking_code": None}

    answer = "با مسئول دفتر تماس گرفته شد و نوبت‌دهی اصلاح شد."
    handled = httpx.post(
        f"{action_env}/api/v1/staff/complaints/{code}",
        json={"status": "resolved", "response": answer},
        headers=admin_headers(action_env),
    )
    assert handled.status_code == 200, handled.text
    messages, _ = run(ActionCheckStatus(), tracker("", slots=slots), domain)
    assert messages[0]["status"] == "رسیدگی شده"
    assert answer in messages[0]["answer"]

    wrong = {"tracking_code": code, "identity": "09120000001"}
    messages, events = run(ActionCheckStatus(), tracker("", slots=wrong), domain)
    assert responses(messages) == ["utter_status_not_found"]
    assert slot_events(events) == {"tracking_code": None, "identity": None}


def test_a_complaint_leaves_a_pending_request_submission_key_alone(action_env, domain):
    slots = {
        "feedback_kind": "suggestion",
        "feedback_text": "کاش نوبت‌دهی دفاتر اینترنتی باشد",
        "contact": "-",
        "submission_key": "pending-request-key",
        "submission_pending": True,
    }
    messages, events = run(ActionSubmitFeedback(), tracker("", slots=slots), domain)
    assert responses(messages) == ["utter_feedback_received"]
    changed = slot_events(events)
    assert "submission_key" not in changed and "submission_pending" not in changed
    assert changed["feedback_key"] is None


def test_a_complaint_while_the_backend_is_down_keeps_its_own_key(monkeypatch, domain, action_env):
    from actions import backend, settings

    monkeypatch.setenv("DASTYAR_BACKEND_URL", "http://127.0.0.1:9")
    settings.get_settings.cache_clear()
    backend.backend.cache_clear()
    slots = {
        "feedback_kind": "complaint",
        "feedback_text": "کارمند دفتر پیشخوان پاسخگو نبود",
        "contact": NATIONAL_CODE,
    }
    messages, events = run(ActionSubmitFeedback(), tracker("", slots=slots), domain)
    assert responses(messages) == ["utter_backend_down"]
    assert set(slot_events(events)) == {"feedback_key"} and slot_events(events)["feedback_key"]


def test_change_value_without_a_field_asks_which_one(domain):
    messages, events = run(
        ActionChangeValue(), tracker("یه چیزی رو اشتباه زدم", intent="change_value"), domain
    )
    assert responses(messages) == ["utter_which_field_to_change"]
    assert slot_events(events) == {"request_confirmed": None}


def test_a_status_check_while_the_backend_is_down_keeps_the_code(monkeypatch, domain, action_env):
    from actions import backend, settings

    monkeypatch.setenv("DASTYAR_BACKEND_URL", "http://127.0.0.1:9")
    settings.get_settings.cache_clear()
    backend.backend.cache_clear()
    for code in ("1234567890", "5123456789"):  # a request's code and a complaint's
        slots = {"tracking_code": code, "identity": NATIONAL_CODE}
        messages, events = run(ActionCheckStatus(), tracker("", slots=slots), domain)
        assert responses(messages) == ["utter_backend_down"]
        assert events == []  # nothing the citizen typed is forgotten
