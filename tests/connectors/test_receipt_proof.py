"""A receipt's proof lets the gateway attach a citizen's files to the request at the real backend.

The scripted assistant answers with the receipt exactly as ``actions/request.py`` builds it (the
backend's receipt, ``cost_text`` and ``proof``); ``tests/actions/test_request.py`` checks the action
side of the same contract.
"""

from __future__ import annotations

import logging
from typing import Any

import httpx
from fastapi.testclient import TestClient

from connectors.app import create_app
from nlu.identifiers import national_code_check_digit
from tests.connectors.conftest import (
    ADMIN_PASSWORD,
    ASSISTANT_PASSWORD,
    ScriptedRasa,
    make_settings,
    token,
)

NATIONAL_CODE = "002345678" + str(national_code_check_digit("002345678"))
MOBILE = "09127654321"
SESSION = "d" * 32
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def file_request(url: str, sender: str) -> dict[str, Any]:
    """File a request as the action server does; the backend's receipt."""
    service = httpx.get(f"{url}/api/v1/catalogue/services", params={"limit": 1}).json()["items"][0]
    body = {
        "service_code": service["code"],
        "full_name": "زهرا کریمی",
        "national_code": NATIONAL_CODE,
        "mobile": MOBILE,
        "channel": "web",
        "sender_id": sender,
    }
    headers = token(url, "assistant", ASSISTANT_PASSWORD)
    response = httpx.post(f"{url}/api/v1/requests", json=body, headers=headers)
    assert response.status_code in (200, 201), response.text
    return response.json()


def gateway(tmp_path, backend_url: str, receipt: dict[str, Any], proof: dict[str, str]) -> Any:
    """A gateway whose assistant answers «ثبت» with this receipt, as actions/request.py sends it."""

    def answer(_sender: str, message: str) -> list[dict[str, Any]]:
        if message != "ثبت":
            return [{"text": "بفرمایید."}]
        code = receipt["tracking_code"]
        custom = {"type": "receipt", **receipt, "cost_text": "رایگان", "proof": proof}
        return [{"text": f"درخواست شما با کد پیگیری {code} ثبت شد."}, {"custom": custom}]

    settings = make_settings(
        tmp_path,
        backend_url=backend_url,
        backend_password=ASSISTANT_PASSWORD,
        notify_enabled=False,
    )
    return create_app(settings, ScriptedRasa(answer).client())


def upload(client: TestClient, name: str = "کارت ملی.pdf") -> httpx.Response:
    files = {"file": (name, PDF, "application/pdf")}
    return client.post("/api/attachments", data={"sender": SESSION}, files=files)


def test_the_receipts_proof_attaches_a_file_to_the_request(backend_url, tmp_path, caplog):
    receipt = file_request(backend_url, f"web:{SESSION}")
    caplog.set_level(logging.DEBUG)
    with TestClient(gateway(tmp_path, backend_url, receipt, {"mobile": MOBILE})) as client:
        shown = client.post("/api/chat", json={"sender": SESSION, "message": "ثبت"}).json()
        response = upload(client)
    assert "proof" not in str(shown) and MOBILE not in str(shown)
    assert response.status_code == 201, response.text
    assert "«کارت ملی.pdf» به درخواست" in response.json()["messages"][0]["text"]
    admin = token(backend_url, "admin", ADMIN_PASSWORD)
    code = receipt["tracking_code"]
    staff_view = httpx.get(f"{backend_url}/api/v1/staff/requests/{code}", headers=admin).json()
    assert [a["filename"] for a in staff_view["attachments"]] == ["کارت ملی.pdf"]
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert MOBILE not in logged and NATIONAL_CODE not in logged


def test_a_national_code_proof_works_too(backend_url, tmp_path):
    receipt = file_request(backend_url, f"web:{SESSION}")
    proof = {"national_code": NATIONAL_CODE}
    with TestClient(gateway(tmp_path, backend_url, receipt, proof)) as client:
        client.post("/api/chat", json={"sender": SESSION, "message": "ثبت"})
        assert upload(client, "شناسنامه.pdf").status_code == 201


def test_a_proof_the_backend_does_not_recognise_gets_its_persian_refusal(backend_url, tmp_path):
    receipt = file_request(backend_url, f"web:{SESSION}")
    with TestClient(gateway(tmp_path, backend_url, receipt, {"mobile": "09120000000"})) as client:
        client.post("/api/chat", json={"sender": SESSION, "message": "ثبت"})
        response = upload(client)
    assert response.status_code == 404
    assert "کد پیگیری و کد ملی یا شمارهٔ همراه" in response.json()["messages"][0]["text"]
