"""Satisfaction ratings, complaints and suggestions."""

from __future__ import annotations

import pytest

from nlu.identifiers import normalize_tracking_code
from tests.backend_api.api_helpers import (
    NATIONAL_CARD,
    PASSPORT,
    assert_error,
    audit,
    complete,
    file_request,
    move,
)
from tests.backend_api.citizens import ALI, MOBILE, SARA

RATINGS = "/api/v1/ratings"
COMPLAINTS = "/api/v1/complaints"


def rate(client, headers, **body):
    return client.post(RATINGS, json=body, headers=headers)


def complaint(**overrides) -> dict:
    body = {
        "kind": "complaint",
        "text": "کارمند دفتر پلیس +۱۰ با من برخورد نامناسبی داشت و درخواستم را نپذیرفت.",
        "service_code": PASSPORT,
        "national_code": ALI,
        "channel": "telegram",
        "sender_id": "telegram:42",
    }
    body.update(overrides)
    return body


def file_complaint(client, headers, key=None, **overrides):
    extra = {"Idempotency-Key": key} if key else {}
    return client.post(COMPLAINTS, json=complaint(**overrides), headers={**headers, **extra})


def lookup(client, headers, **proof):
    return client.post(f"{COMPLAINTS}/lookup", json=proof, headers=headers)


def handle(client, staff, code, status, response=""):
    return client.post(
        f"/api/v1/staff/complaints/{code}",
        json={"status": status, "response": response},
        headers=staff,
    )


# --- ratings -----------------------------------------------------------------------------------


def test_a_completed_request_can_be_rated_once(client, assistant, staff):
    code = file_request(client, assistant)["tracking_code"]
    complete(client, staff, code)
    first = rate(
        client,
        assistant,
        score=5,
        comment="  سریع و بی‌دردسر بود  ",
        tracking_code=code,
        national_code=ALI,
    )
    assert first.status_code == 201, first.text
    rating = first.json()
    assert (rating["score"], rating["comment"]) == (5, "سریع و بی‌دردسر بود")
    assert (rating["tracking_code"], rating["service_code"]) == (code, PASSPORT)
    second = rate(client, assistant, score=1, tracking_code=code, mobile=MOBILE)
    error = assert_error(second, 409, "already_rated")
    assert "قبلاً امتیاز" in error["message"]


def test_a_request_that_is_not_completed_cannot_be_rated(client, assistant, staff):
    code = file_request(client, assistant)["tracking_code"]
    move(client, staff, code, "under_review", "approved")
    response = rate(client, assistant, score=4, tracking_code=code, national_code=ALI)
    error = assert_error(response, 409, "request_not_completed")
    assert "تکمیل" in error["message"]


def test_rating_a_request_needs_the_matching_identity(client, assistant, staff):
    code = file_request(client, assistant)["tracking_code"]
    complete(client, staff, code)
    wrong = rate(client, assistant, score=5, tracking_code=code, national_code=SARA)
    assert_error(wrong, 404, "request_not_found")
    missing = rate(client, assistant, score=5, tracking_code=code)
    assert_error(missing, 422, "identity_required")


def test_a_service_can_be_rated_without_a_request(client, assistant):
    for score in (4, 2):
        response = rate(client, assistant, score=score, service_code=NATIONAL_CARD, channel="bale")
        assert response.status_code == 201, response.text
        assert (response.json()["service_code"], response.json()["tracking_code"]) == (
            NATIONAL_CARD,
            None,
        )


def test_a_rating_needs_a_target(client, assistant):
    assert_error(rate(client, assistant, score=5), 422, "rating_target_required")
    assert_error(
        rate(client, assistant, score=5, service_code="99999999999"), 404, "service_not_found"
    )


@pytest.mark.parametrize(
    ("score", "code"), [(0, "greater_than_equal"), (6, "less_than_equal"), ("عالی", "int_parsing")]
)
def test_a_score_outside_one_to_five_is_refused(client, assistant, score, code):
    error = assert_error(rate(client, assistant, score=score, service_code=PASSPORT), 422, code)
    assert error["details"][0]["field"] == "score"


def test_staff_see_the_average_per_service(client, assistant, staff):
    code = file_request(client, assistant)["tracking_code"]
    complete(client, staff, code)
    assert (
        rate(client, assistant, score=5, tracking_code=code, national_code=ALI).status_code == 201
    )
    for service, score in [(PASSPORT, 2), (PASSPORT, 4), (NATIONAL_CARD, 3)]:
        assert rate(client, assistant, score=score, service_code=service).status_code == 201
    response = client.get("/api/v1/staff/ratings", headers=staff)
    assert response.status_code == 200, response.text
    assert response.json() == [
        {
            "service_code": PASSPORT,
            "service_title": "صدور گذرنامهٔ عادی",
            "count": 3,
            "average": 3.67,
        },
        {
            "service_code": NATIONAL_CARD,
            "service_title": "صدور کارت ملی هوشمند",
            "count": 1,
            "average": 3.0,
        },
    ]


def test_the_summary_is_empty_without_ratings(client, staff):
    assert client.get("/api/v1/staff/ratings", headers=staff).json() == []


# --- complaints and suggestions ----------------------------------------------------------------


def test_a_complaint_gets_a_tracking_code_starting_with_5_to_8(client, assistant):
    response = file_complaint(client, assistant)
    assert response.status_code == 201, response.text
    filed = response.json()
    code = filed["tracking_code"]
    assert normalize_tracking_code(code) == code
    assert code[0] in "5678"
    assert filed["tracking_code_display"] == f"{code[:4]}-{code[4:8]}-{code[8:]}"
    assert (filed["kind"], filed["status"], filed["response"]) == ("complaint", "new", "")
    assert (filed["service_code"], filed["agency_code"]) == (PASSPORT, "passport-police")


def test_tracking_codes_of_complaints_never_look_like_request_codes(client, assistant):
    codes = {file_complaint(client, assistant).json()["tracking_code"] for _ in range(8)}
    assert len(codes) == 8
    assert all(code[0] in "5678" for code in codes)


def test_a_suggestion_needs_no_identity(client, assistant):
    body = complaint(
        kind="suggestion",
        text="کاش نوبت‌دهی دفاتر اینترنتی باشد.",
        national_code=None,
        service_code=None,
        agency_code="sabt-ahval",
    )
    response = client.post(COMPLAINTS, json=body, headers=assistant)
    assert response.status_code == 201, response.text
    assert response.json()["tracking_code"][0] in "5678"
    assert (response.json()["kind"], response.json()["agency_code"]) == ("suggestion", "sabt-ahval")


def test_a_complaint_needs_an_identity_and_real_targets(client, assistant):
    assert_error(file_complaint(client, assistant, national_code=None), 422, "identity_required")
    assert_error(
        file_complaint(client, assistant, service_code="99999999999"), 404, "service_not_found"
    )
    assert_error(
        file_complaint(client, assistant, service_code=None, agency_code="nasa"),
        404,
        "agency_not_found",
    )
    assert_error(file_complaint(client, assistant, text="بد"), 422, "string_too_short")


def test_complaint_lookup_needs_the_matching_identity(client, assistant):
    code = file_complaint(client, assistant, mobile=MOBILE).json()["tracking_code"]
    by_national_code = lookup(client, assistant, tracking_code=code, national_code=ALI)
    assert by_national_code.status_code == 200, by_national_code.text
    assert by_national_code.json()["status"] == "new"
    assert lookup(client, assistant, tracking_code=code, mobile="+989121234567").status_code == 200
    wrong = lookup(client, assistant, tracking_code=code, national_code=SARA)
    error = assert_error(wrong, 404, "complaint_not_found")
    assert "شکایت" in error["message"]
    assert_error(lookup(client, assistant, tracking_code=code), 422, "identity_required")


def test_a_request_code_is_not_a_complaint_code(client, assistant):
    code = file_request(client, assistant)["tracking_code"]
    assert_error(
        lookup(client, assistant, tracking_code=code, national_code=ALI), 404, "complaint_not_found"
    )


def test_a_retried_complaint_is_filed_once(client, assistant, staff):
    first = file_complaint(client, assistant, key="conv-7-complaint")
    second = file_complaint(client, assistant, key="conv-7-complaint")
    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json()["tracking_code"] == second.json()["tracking_code"]
    assert len(client.get("/api/v1/staff/complaints", headers=staff).json()) == 1


def test_reusing_a_complaint_key_for_different_content_is_a_conflict(client, assistant):
    assert file_complaint(client, assistant, key="shared-key").status_code == 201
    other = file_complaint(
        client,
        assistant,
        key="shared-key",
        national_code=SARA,
        text="شکایت دیگری دربارهٔ تأخیر در صدور کارت ملی",
    )
    assert_error(other, 409, "idempotency_key_reused")


def test_staff_handle_a_complaint_and_the_citizen_sees_the_answer(client, admin, assistant, staff):
    code = file_complaint(client, assistant).json()["tracking_code"]
    queue = client.get("/api/v1/staff/complaints", params={"status": "new"}, headers=staff).json()
    assert [c["tracking_code"] for c in queue] == [code]
    reply = "موضوع به بازرسی پلیس مهاجرت ارجاع شد و نتیجه به شما اعلام می‌شود."
    response = handle(client, staff, code, "in_review", reply)
    assert response.status_code == 200, response.text
    assert (response.json()["status"], response.json()["response"]) == ("in_review", reply)
    seen = lookup(client, assistant, tracking_code=code, national_code=ALI).json()
    assert (seen["status"], seen["response"]) == ("in_review", reply)
    assert handle(client, staff, code, "resolved").json()["response"] == reply  # kept when empty
    assert (
        client.get("/api/v1/staff/complaints", params={"status": "new"}, headers=staff).json() == []
    )
    entry = audit(client, admin, entity="complaint")[-1]
    assert (entry["actor"], entry["entity_id"]) == ("staff1", code)
    assert entry["before"] == {"status": "new", "response": ""}
    assert entry["after"] == {"status": "in_review", "response": reply}


def test_a_closed_complaint_cannot_be_reopened(client, assistant, staff):
    code = file_complaint(client, assistant).json()["tracking_code"]
    assert handle(client, staff, code, "closed", "پاسخ داده شد.").status_code == 200
    error = assert_error(handle(client, staff, code, "in_review"), 409, "invalid_transition")
    assert "مجاز نیست" in error["message"]
    resolved = file_complaint(client, assistant).json()["tracking_code"]
    assert handle(client, staff, resolved, "resolved").status_code == 200
    assert handle(client, staff, resolved, "in_review").status_code == 200  # reopened for review
    assert_error(handle(client, staff, resolved, "new"), 409, "invalid_transition")


def test_handling_an_unknown_complaint_is_404(client, staff):
    assert_error(handle(client, staff, "5123456789", "closed"), 404, "complaint_not_found")
    bad = client.post("/api/v1/staff/complaints/5123456789", json={"status": "done"}, headers=staff)
    assert_error(bad, 422, "literal_error")
