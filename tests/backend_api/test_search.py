"""Search over published FAQs and active services, as the assistant asks it."""

from __future__ import annotations

import pytest

from tests.backend_api.api_helpers import (
    BIRTH_CERTIFICATE,
    NATIONAL_CARD,
    PASSPORT,
    assert_error,
    kb_version,
)
from tests.support.http import ok

SEARCH = "/api/v1/search"


def search(client, question: str, **params) -> dict:
    return ok(client.get(SEARCH, params={"q": question, **params}))


def hit_ids(client, question: str) -> list[str]:
    return [hit["id"] for hit in search(client, question)["hits"]]


def best(client, question: str, kind: str = "faq") -> dict:
    """The best hit of one kind (the assistant answers from the best FAQ, or shows a card)."""
    hits = [hit for hit in search(client, question)["hits"] if hit["kind"] == kind]
    assert hits, f"no {kind} found for {question!r}"
    return hits[0]


@pytest.fixture
def live(client, checks_every_search):
    """The client, with the search index checking the kb version on every query."""
    return client


@pytest.mark.parametrize(
    ("question", "service", "answered_by"),
    [
        ("هزینهٔ صدور گذرنامه چقدر است؟", PASSPORT, {"faq:passport-cost"}),
        ("هزينه پاسپورت چنده", PASSPORT, {"faq:passport-cost"}),  # Arabic ي, colloquial
        ("پاسپورت چند میشه؟", PASSPORT, {"faq:passport-cost", f"service:{PASSPORT}:cost"}),
        ("قيمت گذرنامه", PASSPORT, {"faq:passport-cost"}),
        ("مدارك كارت ملي", NATIONAL_CARD, {"faq:national-card-documents"}),  # Arabic ك and ي
        (
            "براي كارت ملي هوشمند چه مدارکی لازمه",
            NATIONAL_CARD,
            {"faq:national-card-documents"},
        ),
        ("شناسنامه نوزاد", BIRTH_CERTIFICATE, {f"service:{BIRTH_CERTIFICATE}:about"}),
    ],
)
def test_persian_questions_find_the_right_answer(client, question, service, answered_by):
    result = search(client, question)
    ranking = [(h["id"], h["score"]) for h in result["hits"]]
    decision = result["decision"]
    assert decision["outcome"] == "answer", ranking
    assert decision["service_code"] == service, ranking
    assert decision["parts"][0]["doc_id"] in answered_by, decision
    # the service is the first hit: nothing unrelated comes before it
    assert result["hits"][0]["service_code"] == service, ranking


def test_a_faq_hit_carries_the_answer_and_its_service(client):
    result = search(client, "هزينه پاسپورت چنده")
    assert result["query"] == "هزينه پاسپورت چنده"
    top = next(h for h in result["hits"] if h["kind"] == "faq")
    assert top["title"] == "هزینهٔ صدور گذرنامه چقدر است؟"
    assert top["answer"] == "هزینهٔ صدور گذرنامهٔ عادی ۵٬۲۰۰٬۰۰۰ ریال است."
    assert (top["service_code"], top["agency"]) == (PASSPORT, "پلیس مهاجرت و گذرنامه فراجا")
    assert top["score"] > 0
    scores = [h["score"] for h in result["hits"]]
    assert scores == sorted(scores, reverse=True)


def test_a_service_hit_carries_its_code_agency_and_address(client):
    hits = search(client, "گذرنامه عادی برای سفر خارج")["hits"]
    service = next(h for h in hits if h["kind"] == "service")
    assert service["id"] == f"service:{PASSPORT}"
    assert service["url"] == "https://epolice.ir/passport"
    assert service["agency"] == "پلیس مهاجرت و گذرنامه فراجا"


def test_the_result_names_the_kb_version_it_was_built_from(client):
    assert search(client, "گذرنامه")["kb_version"] == kb_version(client)


def test_the_limit_caps_the_hits(client):
    assert len(search(client, "گذرنامه کارت ملی شناسنامه", limit=2)["hits"]) == 2


def test_drafts_are_not_searchable(client):
    assert "faq:passport-draft" not in hit_ids(client, "گذرنامهٔ خدمت چگونه صادر می‌شود؟")


def test_an_empty_or_overlong_question_is_refused(client):
    assert_error(client.get(SEARCH, params={"q": ""}), 422, "string_too_short")
    assert_error(client.get(SEARCH), 422, "missing")
    assert_error(client.get(SEARCH, params={"q": "س" * 501}), 422, "string_too_long")


def test_a_new_faq_is_found_without_a_restart(live, admin):
    question = "ساعت کاری دفاتر پیشخوان دولت چیست؟"
    assert "faq:office-hours" not in hit_ids(live, question)
    faq = {
        "id": "office-hours",
        "question": question,
        "alternatives": ["پیشخوان کی بازه؟"],
        "answer": "بیشتر دفاتر پیشخوان از ۸ تا ۱۶ باز هستند.",
    }
    assert live.post("/api/v1/admin/faq", json=faq, headers=admin).status_code == 201
    found = best(live, "پيشخوان كي بازه")
    assert (found["id"], found["answer"]) == ("faq:office-hours", faq["answer"])
    assert search(live, "پیشخوان")["kb_version"] == kb_version(live)


def test_publishing_a_draft_makes_it_searchable_and_unpublishing_hides_it(live, admin):
    question = "گذرنامهٔ خدمت چگونه صادر می‌شود؟"
    assert "faq:passport-draft" not in hit_ids(live, question)
    body = {
        "id": "passport-draft",
        "service": PASSPORT,
        "question": question,
        "answer": "با معرفی‌نامهٔ دستگاه محل خدمت.",
        "status": "published",
    }
    assert live.put("/api/v1/admin/faq/passport-draft", json=body, headers=admin).status_code == 200
    assert best(live, question)["id"] == "faq:passport-draft"
    body["status"] = "draft"
    assert live.put("/api/v1/admin/faq/passport-draft", json=body, headers=admin).status_code == 200
    assert "faq:passport-draft" not in hit_ids(live, question)


def test_a_deleted_faq_disappears(live, admin):
    assert best(live, "مدارک کارت ملی")["id"] == "faq:national-card-documents"
    live.delete("/api/v1/admin/faq/national-card-documents", headers=admin)
    assert "faq:national-card-documents" not in hit_ids(live, "مدارک کارت ملی")


def test_a_retired_service_disappears(live, admin):
    assert best(live, "شناسنامه نوزاد", "service")["id"] == f"service:{BIRTH_CERTIFICATE}"
    response = live.delete(f"/api/v1/admin/services/{BIRTH_CERTIFICATE}", headers=admin)
    assert response.status_code == 204
    assert f"service:{BIRTH_CERTIFICATE}" not in hit_ids(live, "شناسنامه نوزاد")
    assert f"service:{BIRTH_CERTIFICATE}" not in hit_ids(live, "ثبت ولادت")


@pytest.mark.parametrize(
    ("question", "group", "codes"),
    [
        (
            "خدمات سازمان ثبت احوال چیه؟",
            "سازمان ثبت احوال کشور",
            {NATIONAL_CARD, BIRTH_CERTIFICATE},
        ),
        ("پلیس گذرنامه چه خدماتی داره", "پلیس مهاجرت و گذرنامه فراجا", {PASSPORT}),
    ],
)
def test_a_question_about_an_agencys_services_lists_them(client, question, group, codes):
    decision = search(client, question)["decision"]
    assert (decision["outcome"], decision["group"]) == ("browse", group)
    assert {o["code"] for o in decision["options"]} == codes


def test_a_question_about_a_field_of_a_service_does_not_browse(client):
    decision = search(client, "خدمات ثبت احوال برای کارت ملی چه مدارکی لازم داره")["decision"]
    assert decision["outcome"] == "answer"
