"""Filing a request, the receipt, lookups with proof of identity, idempotency and the workflow."""

from __future__ import annotations

import datetime as dt
import itertools

from nlu.digits import to_persian_digits
from nlu.identifiers import mask_mobile, normalize_tracking_code, verhoeff_check_digit
from tests.backend_api.api_helpers import new_request
from tests.backend_api.citizens import ALI, MOBILE, SARA, WRONG_CHECK_DIGIT

BAD_TRACKING_CODE = "123456789" + str((int(verhoeff_check_digit("123456789")) + 1) % 10)


def file(client, headers, key=None, **overrides):
    extra = {"Idempotency-Key": key} if key else {}
    return client.post(
        "/api/v1/requests", json=new_request(**overrides), headers={**headers, **extra}
    )


def test_filing_returns_a_receipt_with_a_valid_tracking_code(client, assistant):
    response = file(client, assistant)
    assert response.status_code == 201, response.text
    receipt = response.json()
    assert normalize_tracking_code(receipt["tracking_code"]) == receipt["tracking_code"]
    assert receipt["tracking_code"][0] in "1234"
    assert receipt["service_title"] == "صدور گذرنامهٔ عادی"
    assert receipt["cost_amount"] == 5_200_000
    assert receipt["status"] == "submitted"
    expected = dt.date.fromisoformat(receipt["estimated_completion"])
    assert expected - dt.datetime.now(dt.UTC).date() >= dt.timedelta(days=14)
    assert any(ch in receipt["estimated_completion_jalali"] for ch in "۰۱۲۳۴۵۶۷۸۹")


def test_tracking_codes_are_not_sequential(client, assistant):
    codes = [file(client, assistant).json()["tracking_code"] for _ in range(5)]
    assert len(set(codes)) == 5
    numbers = sorted(int(c) for c in codes)
    assert any(b - a > 1000 for a, b in itertools.pairwise(numbers))


def test_persian_digits_and_mobile_forms_are_normalised(client, assistant):
    receipt = file(
        client, assistant, national_code=to_persian_digits(ALI), mobile="+98 912 123 4567"
    ).json()
    proof = {"tracking_code": receipt["tracking_code"], "mobile": "۰۰۹۸۹۱۲۱۲۳۴۵۶۷"}
    assert client.post("/api/v1/requests/lookup", json=proof, headers=assistant).status_code == 200


def test_a_wrong_check_digit_is_refused_in_persian(client, assistant):
    response = file(client, assistant, national_code=WRONG_CHECK_DIGIT)
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "invalid_national_code"
    assert "کد ملی" in error["message"]
    assert error["details"][0]["field"] == "national_code"


def test_a_bad_mobile_is_refused(client, assistant):
    response = file(client, assistant, mobile="0912")
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "invalid_mobile"


def test_an_unknown_service_is_a_clear_404(client, assistant):
    response = file(client, assistant, service_code="99999999999")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "service_not_found"


def test_a_retry_with_the_same_key_files_once(client, assistant):
    first = file(client, assistant, key="retry-1")
    second = file(client, assistant, key="retry-1")
    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json()["tracking_code"] == second.json()["tracking_code"]
    staff_view = client.get("/api/v1/staff/requests", headers=assistant)
    assert staff_view.status_code == 403  # the assistant cannot list citizens' requests


def test_reusing_a_key_for_different_content_is_a_conflict(client, assistant):
    assert file(client, assistant, key="k2").status_code == 201
    response = file(client, assistant, key="k2", description="متن دیگر")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "idempotency_key_reused"


def test_lookup_needs_the_matching_identity(client, assistant):
    code = file(client, assistant).json()["tracking_code"]
    ok = client.post(
        "/api/v1/requests/lookup",
        json={"tracking_code": code, "national_code": ALI},
        headers=assistant,
    )
    assert ok.status_code == 200
    assert [e["status"] for e in ok.json()["events"]] == ["submitted"]
    wrong = client.post(
        "/api/v1/requests/lookup",
        json={"tracking_code": code, "national_code": SARA},
        headers=assistant,
    )
    assert wrong.status_code == 404
    assert wrong.json()["error"]["code"] == "request_not_found"
    missing = client.post(
        "/api/v1/requests/lookup", json={"tracking_code": code}, headers=assistant
    )
    assert missing.status_code == 422
    assert missing.json()["error"]["code"] == "identity_required"


def test_an_invalid_tracking_code_is_refused_before_lookup(client, assistant):
    response = client.post(
        "/api/v1/requests/lookup",
        json={"tracking_code": BAD_TRACKING_CODE, "national_code": ALI},
        headers=assistant,
    )
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "invalid_tracking_code"


def test_workflow_history_and_notification(client, assistant, staff):
    code = file(client, assistant).json()["tracking_code"]
    url = f"/api/v1/staff/requests/{code}/transitions"
    for status, note in [
        ("under_review", ""),
        ("needs_info", "تصویر کارت ملی را بفرستید"),
        ("under_review", ""),
        ("approved", ""),
        ("completed", ""),
    ]:
        response = client.post(url, json={"status": status, "note": note}, headers=staff)
        assert response.status_code == 200, response.text
    view = client.post(
        "/api/v1/requests/lookup", json={"tracking_code": code, "mobile": MOBILE}, headers=assistant
    ).json()
    assert [e["status"] for e in view["events"]] == [
        "submitted",
        "under_review",
        "needs_info",
        "under_review",
        "approved",
        "completed",
    ]
    assert view["events"][2]["actor"] == "staff1"
    outbox = client.get("/api/v1/staff/outbox", headers=staff).json()
    assert len(outbox) == 5
    assert all(m["channel"] == "telegram" and m["recipient"] == "telegram:42" for m in outbox)
    assert any("تصویر کارت ملی را بفرستید" in m["body"] for m in outbox)


def test_an_illegal_transition_is_refused(client, assistant, staff):
    code = file(client, assistant).json()["tracking_code"]
    response = client.post(
        f"/api/v1/staff/requests/{code}/transitions", json={"status": "completed"}, headers=staff
    )
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "invalid_transition"


def test_a_citizen_without_chat_id_is_notified_by_sms(client, assistant, staff):
    code = file(client, assistant, channel="web", sender_id="").json()["tracking_code"]
    client.post(
        f"/api/v1/staff/requests/{code}/transitions", json={"status": "under_review"}, headers=staff
    )
    message = client.get("/api/v1/staff/outbox", headers=staff).json()[0]
    # staff see the number masked; the SMS worker claims it whole (tests/connectors)
    assert (message["channel"], message["recipient"]) == ("sms", mask_mobile(MOBILE))
