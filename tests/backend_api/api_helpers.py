"""Small helpers shared by the backend API tests (no tests here)."""

from __future__ import annotations

import re

from tests.backend_api.citizens import ALI, MOBILE
from tests.support.http import ok

PASSPORT = "10202000001"
NATIONAL_CARD = "10101000001"
BIRTH_CERTIFICATE = "10101000002"

_PERSIAN_LETTERS = re.compile(r"[\u0600-\u06FF]{2,}")


def is_persian(text: str) -> bool:
    """Tell whether ``text`` contains Persian words."""
    return bool(_PERSIAN_LETTERS.search(text or ""))


def assert_error(response, status: int, code: str) -> dict:
    """Check an error response: status, machine code, Persian message, the one error format."""
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error"}, body
    error = body["error"]
    assert error["code"] == code, error
    assert is_persian(error["message"]), error
    assert set(error) <= {"code", "message", "details"}, error
    return error


def new_request(**overrides) -> dict:
    """The body of a passport request for Ali, with ``overrides`` applied."""
    body = {
        "service_code": PASSPORT,
        "full_name": "علی رضایی",
        "national_code": ALI,
        "mobile": MOBILE,
        "description": "درخواست گذرنامه برای سفر زیارتی",
        "channel": "telegram",
        "sender_id": "telegram:42",
    }
    body.update(overrides)
    return body


def file_request(client, headers, *, key: str | None = None, **overrides) -> dict:
    """File a passport request for Ali and return the receipt."""
    body = new_request(**overrides)
    extra = {"Idempotency-Key": key} if key else {}
    return ok(client.post("/api/v1/requests", json=body, headers={**headers, **extra}), 201)


def move(client, staff, tracking_code: str, *statuses: str, note: str = "") -> None:
    """Move a request through ``statuses`` as staff."""
    for status in statuses:
        response = client.post(
            f"/api/v1/staff/requests/{tracking_code}/transitions",
            json={"status": status, "note": note},
            headers=staff,
        )
        assert response.status_code == 200, response.text


def complete(client, staff, tracking_code: str) -> None:
    """Take a submitted request all the way to «انجام شده»."""
    move(client, staff, tracking_code, "under_review", "approved", "completed")


def kb_version(client) -> int:
    """The knowledge-base version reported by /health."""
    response = client.get("/health")
    assert response.status_code == 200, response.text
    return response.json()["kb_version"]


def audit(client, admin, **params) -> list[dict]:
    """Audit entries, newest first."""
    return ok(client.get("/api/v1/admin/audit", params=params, headers=admin))
