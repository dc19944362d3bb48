"""Questions the assistant could not answer: logging, the staff queue, answers that become FAQs."""

from __future__ import annotations

import pytest

from tests.backend_api.api_helpers import PASSPORT, assert_error, audit, kb_version
from tests.support.http import ok

QUESTION = "ساعت کاری دفاتر پیشخوان دولت روزهای پنجشنبه چطوره؟"
CANDIDATES = [
    {"id": "faq:passport-cost", "title": "هزینهٔ صدور گذرنامه چقدر است؟", "score": 1.2},
    {"id": "service:10101000001", "title": "صدور کارت ملی هوشمند", "score": 0.4},
]


def log(client, assistant, question=QUESTION, **extra) -> dict:
    body = {
        "question": question,
        "channel": "telegram",
        "conversation_id": "telegram:42",
        "candidates": CANDIDATES,
        **extra,
    }
    return ok(client.post("/api/v1/unresolved", json=body, headers=assistant), 201)


def queue(client, staff, **params) -> list[dict]:
    return ok(client.get("/api/v1/staff/unresolved", params=params, headers=staff))


def answer(client, staff, item_id, **body):
    return client.post(f"/api/v1/staff/unresolved/{item_id}/answer", json=body, headers=staff)


def dismiss(client, staff, item_id):
    return client.post(f"/api/v1/staff/unresolved/{item_id}/dismiss", headers=staff)


def test_the_assistant_logs_a_question_with_its_candidates(client, assistant):
    item = log(client, assistant, question="  " + QUESTION + "  ")
    assert item["question"] == QUESTION
    assert (item["channel"], item["conversation_id"]) == ("telegram", "telegram:42")
    assert item["candidates"] == CANDIDATES
    assert (item["status"], item["answer"], item["faq_id"], item["handled_by"]) == (
        "new",
        "",
        None,
        "",
    )


def test_an_empty_or_oversized_question_is_refused(client, assistant):
    empty = client.post("/api/v1/unresolved", json={"question": ""}, headers=assistant)
    assert_error(empty, 422, "string_too_short")
    too_many = {
        "question": QUESTION,
        "candidates": [{"id": f"faq:{i}", "score": 0.1} for i in range(21)],
    }
    error = assert_error(
        client.post("/api/v1/unresolved", json=too_many, headers=assistant), 422, "validation_error"
    )
    assert error["details"][0]["field"] == "candidates"


def test_staff_see_the_queue_oldest_first(client, assistant, staff):
    first = log(client, assistant)
    second = log(client, assistant, question="چطور می‌توانم سابقهٔ بیمه‌ام را ببینم؟", candidates=[])
    assert [i["id"] for i in queue(client, staff)] == [first["id"], second["id"]]
    assert queue(client, staff, status="answered") == []


@pytest.mark.usefixtures("checks_every_search")
def test_an_answer_can_become_a_published_faq_that_search_finds(client, admin, assistant, staff):
    item = log(client, assistant)
    before = kb_version(client)
    response = answer(
        client,
        staff,
        item["id"],
        answer="دفاتر پیشخوان پنجشنبه‌ها تا ساعت ۱۳ باز هستند.",
        create_faq=True,
        faq_id="pishkhan-thursday",
        question="دفاتر پیشخوان پنجشنبه‌ها تا چه ساعتی باز هستند؟",
    )
    assert response.status_code == 200, response.text
    handled = response.json()
    assert (handled["status"], handled["handled_by"]) == ("answered", "staff1")
    assert handled["faq_id"] is not None
    assert kb_version(client) == before + 1
    faq = client.get("/api/v1/faq/pishkhan-thursday").json()
    assert faq["question"] == "دفاتر پیشخوان پنجشنبه‌ها تا چه ساعتی باز هستند؟"
    assert faq["alternatives"] == [QUESTION]  # the citizen's own words are kept for matching
    assert (faq["author"], faq["status"], faq["tags"]) == (
        "staff1",
        "published",
        ["from-unresolved"],
    )
    hits = client.get("/api/v1/search", params={"q": "پیشخوان پنجشنبه باز است؟"}).json()["hits"]
    assert next(h["id"] for h in hits if h["kind"] == "faq") == "faq:pishkhan-thursday"
    assert queue(client, staff) == []
    assert [i["id"] for i in queue(client, staff, status="answered")] == [item["id"]]


def test_an_answer_without_details_makes_an_faq_from_the_question(client, assistant, staff):
    item = log(client, assistant)
    response = answer(
        client,
        staff,
        item["id"],
        answer="پنجشنبه‌ها تا ساعت ۱۳.",
        create_faq=True,
        service_code=PASSPORT,
    )
    assert response.status_code == 200, response.text
    faqs = client.get("/api/v1/faq", params={"service": PASSPORT}).json()["items"]
    made = next(f for f in faqs if f["question"] == QUESTION)
    assert made["id"].startswith(f"staff-{item['id']}-")
    assert made["alternatives"] == []


def test_an_unpublished_answer_makes_a_draft(client, admin, assistant, staff):
    item = log(client, assistant)
    response = answer(
        client,
        staff,
        item["id"],
        answer="پنجشنبه‌ها تا ساعت ۱۳.",
        create_faq=True,
        faq_id="pishkhan-draft",
        publish=False,
    )
    assert response.status_code == 200, response.text
    assert_error(client.get("/api/v1/faq/pishkhan-draft"), 404, "faq_not_found")
    drafts = client.get("/api/v1/admin/faq", params={"status": "draft"}, headers=admin).json()
    assert "pishkhan-draft" in [f["id"] for f in drafts["items"]]


def test_a_plain_answer_adds_no_faq(client, assistant, staff):
    item = log(client, assistant)
    before = kb_version(client)
    response = answer(client, staff, item["id"], answer="به دفتر پیشخوان محل خود زنگ بزنید.")
    assert response.status_code == 200, response.text
    assert (response.json()["status"], response.json()["faq_id"]) == ("answered", None)
    assert kb_version(client) == before
    assert client.get("/api/v1/faq").json()["total"] == 2


def test_staff_dismiss_a_question(client, assistant, staff):
    item = log(client, assistant, question="سلام خوبی؟", candidates=[])
    response = dismiss(client, staff, item["id"])
    assert response.status_code == 200, response.text
    assert (response.json()["status"], response.json()["handled_by"]) == ("dismissed", "staff1")
    assert queue(client, staff) == []
    assert [i["id"] for i in queue(client, staff, status="dismissed")] == [item["id"]]


def test_a_question_is_handled_only_once(client, assistant, staff):
    item = log(client, assistant)
    assert answer(client, staff, item["id"], answer="پنجشنبه‌ها تا ساعت ۱۳.").status_code == 200
    again = answer(client, staff, item["id"], answer="پاسخ دیگر")
    error = assert_error(again, 409, "unresolved_already_handled")
    assert "قبلاً" in error["message"]
    assert_error(dismiss(client, staff, item["id"]), 409, "unresolved_already_handled")
    dismissed = log(client, assistant)
    dismiss(client, staff, dismissed["id"])
    assert_error(
        answer(client, staff, dismissed["id"], answer="دیر شد"), 409, "unresolved_already_handled"
    )


def test_an_unknown_question_is_404(client, staff):
    assert_error(answer(client, staff, 9999, answer="پاسخ"), 404, "unresolved_not_found")
    assert_error(dismiss(client, staff, 9999), 404, "unresolved_not_found")


def test_a_clashing_faq_id_leaves_the_question_open(client, assistant, staff):
    item = log(client, assistant)
    response = answer(
        client,
        staff,
        item["id"],
        answer="پنجشنبه‌ها تا ساعت ۱۳.",
        create_faq=True,
        faq_id="passport-cost",
    )
    assert_error(response, 409, "faq_exists")
    assert [i["id"] for i in queue(client, staff)] == [item["id"]]
    unknown_service = answer(
        client,
        staff,
        item["id"],
        answer="پنجشنبه‌ها تا ساعت ۱۳.",
        create_faq=True,
        service_code="10202000099",
    )
    assert_error(unknown_service, 404, "service_not_found")
    assert [i["id"] for i in queue(client, staff)] == [item["id"]]


def test_answers_and_dismissals_are_audited(client, admin, assistant, staff):
    answered, dismissed = log(client, assistant), log(client, assistant, question="تست")
    answer(
        client,
        staff,
        answered["id"],
        answer="پنجشنبه‌ها تا ساعت ۱۳.",
        create_faq=True,
        faq_id="pishkhan-thursday",
    )
    dismiss(client, staff, dismissed["id"])
    entries = audit(client, admin, actor="staff1")
    assert [(e["entity"], e["action"], e["entity_id"]) for e in entries] == [
        ("unresolved", "dismiss", str(dismissed["id"])),
        ("unresolved", "answer", str(answered["id"])),
        ("faq", "create", "pishkhan-thursday"),
    ]
    dismissal, answer_entry, faq_entry = entries
    assert (dismissal["before"], dismissal["after"]) == ({"status": "new"}, {"status": "dismissed"})
    assert answer_entry["after"]["answer"] == "پنجشنبه‌ها تا ساعت ۱۳."
    assert answer_entry["after"]["faq_id"] is not None
    assert faq_entry["after"]["status"] == "published"
