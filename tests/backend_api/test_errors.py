"""One error format everywhere, Persian messages, no stack traces; the health check."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from fastapi.testclient import TestClient

from backend_api.db import make_engine, make_session_factory
from tests.backend_api.api_helpers import assert_error, file_request, is_persian
from tests.backend_api.citizens import ALI

REPO = Path(__file__).resolve().parents[2]
MESSAGES = REPO / "data" / "locale" / "backend.fa.yaml"

CASES = [
    # (who, method, path, json body, status, code)
    (None, "GET", "/no/such/page", None, 404, "not_found"),
    (None, "GET", "/api/v1/no-such-endpoint", None, 404, "not_found"),
    (None, "DELETE", "/api/v1/faq", None, 405, "method_not_allowed"),
    (None, "GET", "/api/v1/staff/requests", None, 401, "not_authenticated"),
    ("assistant", "GET", "/api/v1/admin/audit", None, 403, "forbidden"),
    (None, "GET", "/api/v1/catalogue/services/99999999999", None, 404, "service_not_found"),
    (None, "GET", "/api/v1/faq/passport-draft", None, 404, "faq_not_found"),
    ("assistant", "POST", "/api/v1/requests/lookup", {}, 422, "missing"),
    (
        "assistant",
        "POST",
        "/api/v1/requests/lookup",
        {"tracking_code": "12"},
        422,
        "invalid_tracking_code",
    ),
    (
        "admin",
        "POST",
        "/api/v1/admin/users",
        {"username": "assistant", "password": "long-enough-pass", "role": "staff"},
        409,
        "username_taken",
    ),
    (
        "admin",
        "PUT",
        "/api/v1/admin/clusters/identity",
        {"code": "passport", "name": "گذرنامه"},
        422,
        "code_mismatch",
    ),
]


@pytest.mark.parametrize(("who", "method", "path", "body", "status", "code"), CASES)
def test_every_error_has_the_one_format_with_a_persian_message(
    client, admin, assistant, who, method, path, body, status, code
):
    headers = {"admin": admin, "assistant": assistant}.get(who, {})
    response = client.request(method, path, json=body, headers=headers)
    assert response.headers["content-type"].startswith("application/json")
    error = assert_error(response, status, code)
    assert "Traceback" not in response.text
    for detail in error.get("details", []):
        assert set(detail) == {"field", "code", "message"}
        assert is_persian(detail["message"])


def test_an_unknown_path_is_a_plain_persian_404(client):
    response = client.get("/api/v2/catalogue")
    assert response.status_code == 404
    assert response.json() == {
        "error": {"code": "not_found", "message": "موردی که خواستید پیدا نشد."}
    }


def test_malformed_json_is_a_422(client, assistant):
    response = client.post(
        "/api/v1/requests",
        content='{"service_code": "10202000001", "full_name": "علی',
        headers={**assistant, "Content-Type": "application/json"},
    )
    error = assert_error(response, 422, "json_invalid")
    assert "JSON" in error["message"]


def test_a_validation_error_lists_every_bad_field(client, assistant):
    body = {
        "service_code": "گذرنامه",
        "full_name": "ع",
        "national_code": ALI,
        "mobile": "0912",
        "colour": "آبی",
    }
    response = client.post("/api/v1/requests", json=body, headers=assistant)
    error = assert_error(response, 422, "string_pattern_mismatch")
    fields = {d["field"]: d["code"] for d in error["details"]}
    assert fields == {
        "service_code": "string_pattern_mismatch",
        "full_name": "string_too_short",
        "mobile": "invalid_mobile",
        "colour": "extra_forbidden",
    }
    assert all(is_persian(d["message"]) for d in error["details"])


def test_an_unexpected_exception_is_a_500_without_a_trace(app):
    def boom() -> None:
        raise RuntimeError("password=hunter2 in /srv/dastyar/backend_api/secret.py")

    app.add_api_route("/boom", boom, methods=["GET"])
    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.get("/boom")
    error = assert_error(response, 500, "internal_error")
    assert error == {
        "code": "internal_error",
        "message": "متأسفانه خطایی پیش آمد. لطفاً کمی بعد دوباره تلاش کنید.",
    }
    for leak in ("Traceback", "RuntimeError", "hunter2", "secret.py", 'File "'):
        assert leak not in response.text


def test_health_reports_ok_and_the_kb_version(client):
    response = client.get("/health")
    assert response.status_code == 200, response.text
    assert response.json() == {"status": "ok", "kb_version": 1}  # the mini catalogue was imported


def test_health_reports_an_unreachable_database_in_persian(client, tmp_path):
    app = client.app
    working = app.state.session_factory
    broken = make_engine(f"sqlite:///{tmp_path / 'missing-folder' / 'nothing.db'}")
    app.state.session_factory = make_session_factory(broken)
    try:
        response = client.get("/health")
    finally:
        app.state.session_factory = working
        broken.dispose()
    error = assert_error(response, 503, "database_unavailable")
    assert "sqlite" not in response.text.lower()
    assert "در دسترس نیست" in error["message"]
    assert client.get("/health").status_code == 200


def test_every_error_code_in_the_code_has_a_persian_message():
    messages = yaml.safe_load(MESSAGES.read_text(encoding="utf-8"))["errors"]
    raised = re.compile(
        r'(?:ApiError\(\d+, |NotFound\(|Conflict\(|Invalid\(|PydanticCustomError\()"(\w+)"'
    )
    used = {
        match
        for path in (REPO / "backend_api").rglob("*.py")
        for match in raised.findall(path.read_text(encoding="utf-8"))
    }
    assert len(used) > 20
    assert sorted(used - set(messages)) == []
    assert all(is_persian(text) for text in messages.values())


def test_an_invalid_transition_names_the_statuses_in_persian(client, assistant, staff):
    code = file_request(client, assistant)["tracking_code"]
    response = client.post(
        f"/api/v1/staff/requests/{code}/transitions", json={"status": "completed"}, headers=staff
    )
    error = assert_error(response, 409, "invalid_transition")
    assert error["message"] == "تغییر وضعیت از «ثبت شده» به «انجام شده» مجاز نیست."
