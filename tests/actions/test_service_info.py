"""Answering questions from the knowledge base, with the real backend behind the action."""

from __future__ import annotations

import asyncio
import uuid

import httpx
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.backend import backend
from actions.service_info import ActionAnswerQuestion, describe_cost, describe_duration
from tests.actions.conftest import admin_headers


def tracker_for(text: str, sender: str = "") -> Tracker:
    return Tracker(
        sender_id=sender or f"test-{uuid.uuid4().hex[:8]}",
        slots={},
        latest_message={
            "text": text,
            "intent": {"name": "ask_service", "confidence": 0.9},
            "metadata": {"channel": "telegram"},
        },
        events=[],
        paused=False,
        followup_action=None,
        active_loop={},
        latest_action_name="action_listen",
    )


def run_tracker(tracker: Tracker, domain: dict) -> tuple[list[dict], list[dict]]:
    # Each asyncio.run has its own event loop; the cached client's pool belongs to one loop.
    backend.cache_clear()
    dispatcher = CollectingDispatcher()
    events = asyncio.run(ActionAnswerQuestion().run(dispatcher, tracker, domain))
    return dispatcher.messages, events


def run(text: str, domain: dict, sender: str = "") -> list[dict]:
    return run_tracker(tracker_for(text, sender), domain)[0]


def last_answer(text: str, domain: dict) -> dict:
    """The structured record the action leaves for a question."""
    _, events = run_tracker(tracker_for(text), domain)
    return next(e["value"] for e in events if e.get("name") == "last_answer")


def test_a_cost_question_gets_the_answer_with_its_source(action_env, domain):
    messages = run("هزینه صدور گذرنامه چقدره؟", domain)
    assert [m["response"] for m in messages] == ["utter_answer"]
    answer = messages[0]["answer"]
    assert "ریال" in answer and "منبع" in answer
    assert "پلیس مهاجرت و گذرنامه فراجا" in answer


def test_arabic_letters_and_persian_digits_find_the_same_answer(action_env, domain):
    plain = run("مدارک لازم برای کارت ملی هوشمند", domain)[0]
    arabic = run("مدارك لازم براي كارت ملي هوشمند", domain)[0]
    assert plain["response"] == arabic["response"] == "utter_answer"
    assert plain["answer"] == arabic["answer"]


def test_the_record_of_an_answer_names_service_and_fields(action_env, domain):
    record = last_answer("هزینه و مدارک تمدید پاسپورت چیه؟", domain)
    assert record["outcome"] == "answer"
    assert record["service"] == "10202000002"
    assert set(record["fields"]) == {"cost", "documents"}


def test_a_choice_button_answers_the_fields_that_were_asked(action_env, domain):
    tracker = tracker_for("/choose_service")
    tracker.latest_message["entities"] = [
        {"entity": "service_code", "value": "10202000003"},
        {"entity": "service_field", "value": "cost,duration"},
    ]
    messages, events = run_tracker(tracker, domain)
    assert [m["response"] for m in messages] == ["utter_answer", "utter_answer"]
    record = next(e["value"] for e in events if e.get("name") == "last_answer")
    assert record == {
        "outcome": "answer",
        "service": "10202000003",
        "fields": ["cost", "duration"],
        "options": [],
    }


def test_an_unanswerable_question_is_logged_for_staff(action_env, domain):
    sender = f"unknown-{uuid.uuid4().hex[:6]}"
    messages = run("زززز ققققق", domain, sender)
    assert [m["response"] for m in messages] == ["utter_no_answer"]
    queue = httpx.get(
        f"{action_env}/api/v1/staff/unresolved", headers=admin_headers(action_env)
    ).json()
    logged = [q for q in queue if q["conversation_id"] == sender]
    assert len(logged) == 1
    assert logged[0]["question"] == "زززز ققققق"
    assert logged[0]["channel"] == "telegram"


def test_an_empty_message_asks_for_the_question(action_env, domain):
    assert [m["response"] for m in run("   ", domain)] == ["utter_empty_message"]


def test_a_backend_that_is_down_gets_an_apology(monkeypatch, domain):
    from actions import backend, settings

    monkeypatch.setenv("DASTYAR_BACKEND_URL", "http://127.0.0.1:9")
    monkeypatch.setenv("DASTYAR_ACTIONS_BACKEND_TIMEOUT", "1")
    settings.get_settings.cache_clear()
    backend.backend.cache_clear()
    try:
        assert [m["response"] for m in run("هزینه گذرنامه", domain)] == ["utter_backend_down"]
    finally:
        settings.get_settings.cache_clear()
        backend.backend.cache_clear()


def test_cost_and_duration_phrases_come_from_the_domain(domain):
    card = {
        "cost": {"kind": "fixed", "amount": 5200000, "note": ""},
        "processing_time": {"min_days": 7, "max_days": 14},
    }
    assert describe_cost(domain, card) == "۵٬۲۰۰٬۰۰۰ ریال"
    assert describe_duration(domain, card) == "۷ تا ۱۴ روز کاری"
    free = {"cost": {"kind": "free"}, "processing_time": {"min_days": 0, "max_days": 0}}
    assert describe_cost(domain, free) == "رایگان"
    assert describe_duration(domain, free) == "همان روز"
