"""Frequently asked questions: public reading of published ones, admin curation."""

from __future__ import annotations

import pytest

from tests.backend_api.api_helpers import NATIONAL_CARD, PASSPORT, assert_error, audit, kb_version

PUBLIC = "/api/v1/faq"
ADMIN = "/api/v1/admin/faq"


def new_faq(**overrides) -> dict:
    faq = {
        "id": "passport-renewal",
        "service": PASSPORT,
        "question": "برای تمدید گذرنامه چه کار باید کرد؟",
        "alternatives": ["تمدید پاسپورت", "پاسپورتم تموم شده"],
        "answer": "درخواست تمدید را در دفاتر پلیس +۱۰ ثبت کنید؛ گذرنامهٔ قبلی را همراه ببرید.",
        "tags": ["تمدید"],
        "status": "published",
    }
    faq.update(overrides)
    return faq


def ids(response) -> list[str]:
    assert response.status_code == 200, response.text
    return [item["id"] for item in response.json()["items"]]


# --- public reading ----------------------------------------------------------------------------


def test_the_public_list_shows_only_published_faqs(client):
    page = client.get(PUBLIC).json()
    assert [f["id"] for f in page["items"]] == ["national-card-documents", "passport-cost"]
    assert page["total"] == 2
    assert all(f["status"] == "published" for f in page["items"])


def test_a_published_faq_carries_its_answer_and_service(client):
    response = client.get(f"{PUBLIC}/passport-cost")
    assert response.status_code == 200, response.text
    faq = response.json()
    assert faq["question"] == "هزینهٔ صدور گذرنامه چقدر است؟"
    assert faq["answer"] == "هزینهٔ صدور گذرنامهٔ عادی ۵٬۲۰۰٬۰۰۰ ریال است."
    assert faq["alternatives"] == ["پاسپورت چنده؟", "قیمت گذرنامه"]
    assert (faq["service"], faq["service_title"]) == (PASSPORT, "صدور گذرنامهٔ عادی")


def test_a_draft_is_404_for_the_public(client):
    error = assert_error(client.get(f"{PUBLIC}/passport-draft"), 404, "faq_not_found")
    assert "پرسش" in error["message"]
    assert_error(client.get(f"{PUBLIC}/no-such-question"), 404, "faq_not_found")


def test_the_public_list_filters_by_service_and_phrase(client):
    assert ids(client.get(PUBLIC, params={"service": PASSPORT})) == ["passport-cost"]
    assert ids(client.get(PUBLIC, params={"service": NATIONAL_CARD})) == ["national-card-documents"]
    assert ids(client.get(PUBLIC, params={"q": "مدارکی"})) == ["national-card-documents"]
    assert ids(client.get(PUBLIC, params={"q": "۵٬۲۰۰٬۰۰۰ ریال"})) == ["passport-cost"]
    assert ids(client.get(PUBLIC, params={"q": "گذرنامهٔ خدمت"})) == []  # only in the draft
    assert_error(client.get(PUBLIC, params={"service": "99999999999"}), 404, "service_not_found")
    assert_error(client.get(PUBLIC, params={"service": "گذرنامه"}), 422, "string_pattern_mismatch")


def test_the_public_list_pages(client):
    page = client.get(PUBLIC, params={"limit": 1, "offset": 1}).json()
    assert (page["total"], [f["id"] for f in page["items"]]) == (2, ["passport-cost"])


# --- admin curation ----------------------------------------------------------------------------


def test_admin_sees_drafts(client, admin):
    assert ids(client.get(ADMIN, headers=admin)) == [
        "national-card-documents",
        "passport-cost",
        "passport-draft",
    ]
    assert ids(client.get(ADMIN, params={"status": "draft"}, headers=admin)) == ["passport-draft"]
    assert ids(client.get(ADMIN, params={"status": "published"}, headers=admin)) == [
        "national-card-documents",
        "passport-cost",
    ]


def test_admin_creates_a_published_faq(client, admin):
    before = kb_version(client)
    response = client.post(ADMIN, json=new_faq(), headers=admin)
    assert response.status_code == 201, response.text
    created = response.json()
    assert (created["author"], created["service_title"]) == ("admin", "صدور گذرنامهٔ عادی")
    assert kb_version(client) == before + 1
    assert client.get(f"{PUBLIC}/passport-renewal").json()["answer"] == new_faq()["answer"]
    entry = audit(client, admin, entity="faq")[0]
    assert (entry["action"], entry["entity_id"], entry["before"]) == (
        "create",
        "passport-renewal",
        None,
    )
    assert entry["after"]["question"] == new_faq()["question"]


def test_a_new_draft_stays_private_until_published(client, admin):
    assert client.post(ADMIN, json=new_faq(status="draft"), headers=admin).status_code == 201
    assert_error(client.get(f"{PUBLIC}/passport-renewal"), 404, "faq_not_found")
    published = client.put(f"{ADMIN}/passport-renewal", json=new_faq(), headers=admin)
    assert published.status_code == 200, published.text
    assert client.get(f"{PUBLIC}/passport-renewal").status_code == 200
    entry = audit(client, admin, entity="faq")[0]
    assert (entry["action"], entry["before"]["status"], entry["after"]["status"]) == (
        "update",
        "draft",
        "published",
    )


def test_admin_publishes_an_imported_draft(client, admin):
    draft = client.get(f"{ADMIN}", params={"status": "draft"}, headers=admin).json()["items"][0]
    body = {k: draft[k] for k in ("id", "service", "question", "alternatives", "tags")}
    body.update(answer="گذرنامهٔ خدمت با معرفی‌نامهٔ دستگاه محل خدمت صادر می‌شود.", status="published")
    before = kb_version(client)
    assert client.put(f"{ADMIN}/passport-draft", json=body, headers=admin).status_code == 200
    assert kb_version(client) == before + 1
    assert client.get(f"{PUBLIC}/passport-draft").json()["answer"] == body["answer"]
    assert client.get(PUBLIC).json()["total"] == 3


def test_admin_updates_and_unpublishes_a_faq(client, admin):
    body = new_faq(id="passport-cost", answer="هزینهٔ صدور گذرنامهٔ عادی ۶٬۰۰۰٬۰۰۰ ریال است.")
    response = client.put(f"{ADMIN}/passport-cost", json=body, headers=admin)
    assert response.status_code == 200, response.text
    assert client.get(f"{PUBLIC}/passport-cost").json()["answer"] == body["answer"]
    entry = audit(client, admin, entity="faq")[0]
    assert entry["before"]["answer"] == "هزینهٔ صدور گذرنامهٔ عادی ۵٬۲۰۰٬۰۰۰ ریال است."
    assert entry["after"]["answer"] == body["answer"]
    hidden = client.put(f"{ADMIN}/passport-cost", json={**body, "status": "draft"}, headers=admin)
    assert hidden.status_code == 200
    assert_error(client.get(f"{PUBLIC}/passport-cost"), 404, "faq_not_found")


def test_admin_deletes_a_faq(client, admin):
    before = kb_version(client)
    response = client.delete(f"{ADMIN}/passport-cost", headers=admin)
    assert response.status_code == 204
    assert response.content == b""
    assert kb_version(client) == before + 1
    assert_error(client.get(f"{PUBLIC}/passport-cost"), 404, "faq_not_found")
    assert "passport-cost" not in ids(client.get(ADMIN, headers=admin))
    entry = audit(client, admin, entity="faq")[0]
    assert (entry["action"], entry["entity_id"], entry["after"]) == (
        "delete",
        "passport-cost",
        None,
    )
    assert entry["before"]["question"] == "هزینهٔ صدور گذرنامه چقدر است؟"
    assert_error(client.delete(f"{ADMIN}/passport-cost", headers=admin), 404, "faq_not_found")


def test_a_duplicate_id_is_a_conflict(client, admin):
    response = client.post(ADMIN, json=new_faq(id="passport-cost"), headers=admin)
    error = assert_error(response, 409, "faq_exists")
    assert "شناسه" in error["message"]


def test_an_id_mismatch_is_refused(client, admin):
    response = client.put(f"{ADMIN}/passport-cost", json=new_faq(), headers=admin)
    assert_error(response, 422, "faq_id_mismatch")


def test_updating_an_unknown_faq_is_404(client, admin):
    response = client.put(f"{ADMIN}/passport-renewal", json=new_faq(), headers=admin)
    assert_error(response, 404, "faq_not_found")


def test_an_unknown_linked_service_is_404(client, admin):
    before = kb_version(client)
    created = client.post(ADMIN, json=new_faq(service="10202000099"), headers=admin)
    assert_error(created, 404, "service_not_found")
    updated = client.put(
        f"{ADMIN}/passport-cost",
        json=new_faq(id="passport-cost", service="10202000099"),
        headers=admin,
    )
    assert_error(updated, 404, "service_not_found")
    assert kb_version(client) == before


def test_a_faq_without_a_service_is_allowed(client, admin):
    body = new_faq(
        id="office-hours",
        service="",
        question="ساعت کاری دفاتر پیشخوان چیست؟",
        answer="بیشتر دفاتر از ۸ تا ۱۶ باز هستند.",
        alternatives=[],
        tags=[],
    )
    response = client.post(ADMIN, json=body, headers=admin)
    assert response.status_code == 201, response.text
    assert (response.json()["service"], response.json()["service_title"]) == ("", "")


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"id": "تمدید"}, "string_pattern_mismatch"),
        ({"id": "Passport-Renewal"}, "string_pattern_mismatch"),
        ({"question": "چی"}, "string_too_short"),
        ({"status": "archived"}, "literal_error"),
        ({"author": "someone"}, "extra_forbidden"),
    ],
)
def test_an_invalid_faq_is_refused(client, admin, change, code):
    assert_error(client.post(ADMIN, json=new_faq(**change), headers=admin), 422, code)


def test_a_faq_made_from_an_unresolved_question_can_be_deleted(client, admin, assistant, staff):
    item = client.post(
        "/api/v1/unresolved", json={"question": "ساعت کاری دفاتر پیشخوان چیست؟"}, headers=assistant
    ).json()
    answer = {
        "answer": "بیشتر دفاتر از ۸ تا ۱۶ باز هستند.",
        "create_faq": True,
        "faq_id": "office-hours",
    }
    response = client.post(
        f"/api/v1/staff/unresolved/{item['id']}/answer", json=answer, headers=staff
    )
    assert response.status_code == 200, response.text
    assert client.delete(f"{ADMIN}/office-hours", headers=admin).status_code == 204
