"""The web widget's API: history and inbox, receipts, attachments, the widget script, safety."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator

import pytest
from fastapi import Request
from fastapi.testclient import TestClient

from connectors.app import create_app
from connectors.messages import parse_rasa
from connectors.web.router import _BodyTooLarge, _bounded
from tests.connectors.conftest import (
    RECEIPT,
    TRACKING_CODE,
    FakeBackend,
    ScriptedRasa,
    assistant,
    make_settings,
)
from tests.support.http import ok

SESSION = "0123456789abcdef0123456789abcdef"
PDF = b"%PDF-1.4\n" + b"0" * 100


def web(tmp_path, backend: FakeBackend | None = None, **values) -> tuple[TestClient, ScriptedRasa]:
    rasa = ScriptedRasa(assistant)
    overrides = {"backend": backend.client()} if backend else {}
    app = create_app(make_settings(tmp_path, **values), rasa.client(), **overrides)
    return TestClient(app), rasa


def chat(client: TestClient, message: str, title: str | None = None) -> dict:
    body = {"sender": SESSION, "message": message}
    if title:
        body["title"] = title
    return ok(client.post("/api/chat", json=body))


def history(client: TestClient, after: int = 0) -> list[dict]:
    response = client.get("/api/history", params={"sender": SESSION, "after": after})
    assert response.status_code == 200
    return response.json()["entries"]


def test_the_widget_script_carries_its_persian_texts_and_limits(tmp_path):
    client, _ = web(tmp_path, max_upload_bytes=2 * 1024 * 1024)
    response = client.get("/static/widget.js")
    assert response.headers["content-type"].startswith("text/javascript")
    assert "/*__DASTYAR_CONFIG__*/" not in response.text
    config = json.loads(response.text.split("var CONFIG = ", 1)[1].split(";\n", 1)[0])
    assert config["texts"]["title"] == "دستیار خدمات دولت"
    assert config["texts"]["receipt_tracking_code"] == "کد پیگیری"
    assert config["maxUploadBytes"] == 2 * 1024 * 1024
    assert client.get("/static/widget.css").status_code == 200
    font = client.get("/static/fonts/Vazirmatn-Regular.woff2")
    assert font.status_code == 200 and font.content[:4] == b"wOF2"
    assert "SIL Open Font License" in client.get("/static/fonts/OFL.txt").text


def test_the_demo_page_embeds_the_widget_with_one_tag(tmp_path):
    client, _ = web(tmp_path)
    page = client.get("/").text
    assert 'dir="rtl"' in page and 'lang="fa"' in page
    assert '<script src="/static/widget.js" defer></script>' in page


def test_widget_calls_from_other_sites_are_allowed_by_cors(tmp_path):
    client, _ = web(tmp_path, widget_origins=["https://my.gov.ir"])
    allowed = client.get(
        "/api/history", params={"sender": SESSION}, headers={"Origin": "https://my.gov.ir"}
    )
    assert allowed.headers["access-control-allow-origin"] == "https://my.gov.ir"
    other = client.get(
        "/api/history", params={"sender": SESSION}, headers={"Origin": "https://x.ir"}
    )
    assert "access-control-allow-origin" not in other.headers


def test_history_is_kept_by_the_gateway_and_survives_a_restart(tmp_path):
    client, rasa = web(tmp_path)
    first = chat(client, "سلام")
    chat(client, '/inform{"service_code":"10202000001"}', title="صدور گذرنامه")
    assert rasa.calls[1]["message"] == '/inform{"service_code":"10202000001"}'
    restarted, _ = web(tmp_path)  # a new app on the same data dir
    entries = history(restarted)
    assert [(e["who"], e.get("text")) for e in entries] == [
        ("user", "سلام"),
        ("bot", "پاسخ به: سلام"),
        ("user", "صدور گذرنامه"),
        ("bot", "درخواست شما ثبت شد."),
        ("bot", None),
    ]
    assert entries[-1]["custom"]["type"] == "receipt"
    assert [e["seq"] for e in history(restarted, after=first["seq"])] == [
        e["seq"] for e in entries[2:]
    ]
    # the reply names every entry of its turn, so the widget can skip exactly those
    assert first["seqs"] == [e["seq"] for e in entries[:2]] and first["seq"] == first["seqs"][-1]


def test_the_receipt_reaches_the_browser_without_the_proof(tmp_path):
    client, _ = web(tmp_path)
    reply = chat(client, "ثبت")
    receipt = reply["messages"][1]["custom"]
    assert receipt["tracking_code"] == TRACKING_CODE
    assert receipt["service_title"] == "صدور گذرنامه"
    assert "proof" not in receipt
    assert "09121234567" not in json.dumps(history(client), ensure_ascii=False)


def test_history_keeps_only_the_last_entries(tmp_path):
    client, _ = web(tmp_path, history_limit=6)
    for i in range(5):
        chat(client, f"پیام {i}")
    texts = [e["text"] for e in history(client)]
    assert texts[0] == "پیام 2" and len(texts) == 6


def test_a_notification_lands_once_in_the_session_inbox(tmp_path):
    client, _ = web(tmp_path)
    chat(client, "سلام")
    gateway = client.app.state.gateway

    async def deliver_twice() -> None:
        await gateway.web.notify(f"web:{SESSION}", "درخواست شما تأیید شد.", 17)
        await gateway.web.notify(f"web:{SESSION}", "درخواست شما تأیید شد.", 17)

    asyncio.run(deliver_twice())
    notices = [e for e in history(client) if e.get("notice")]
    assert [n["text"] for n in notices] == ["درخواست شما تأیید شد."]


def test_assistant_text_is_passed_on_as_data_never_as_markup(tmp_path):
    attack = '<img src=x onerror="alert(1)"><script>alert(2)</script>'
    client, _ = web(tmp_path)
    reply = chat(client, attack)
    assert reply["messages"][0]["text"] == f"پاسخ به: {attack}"
    parsed = parse_rasa(
        [
            {
                "text": "x",
                "buttons": [
                    {"title": "bad", "url": "javascript:alert(1)", "payload": "/ok"},
                    {"title": "link", "payload": "https://my.gov.ir/a"},
                    {"title": "", "payload": "/empty"},
                ],
                "image": "javascript:alert(1)",
            }
        ]
    )
    buttons = parsed.replies[0].to_json()["buttons"]
    assert buttons == [
        {"title": "bad", "payload": "/ok"},
        {"title": "link", "url": "https://my.gov.ir/a"},
    ]
    assert parsed.replies[0].image == ""


def test_an_attachment_needs_a_request_filed_in_this_conversation(tmp_path):
    backend = FakeBackend()
    client, _ = web(tmp_path, backend)
    files = {"file": ("madrak.pdf", PDF, "application/pdf")}
    response = client.post("/api/attachments", data={"sender": SESSION}, files=files)
    assert response.status_code == 409
    assert "ابتدا درخواست خود را" in response.json()["messages"][0]["text"]
    assert backend.attachments == []


def test_an_attachment_is_forwarded_with_the_proof_of_the_request(tmp_path):
    backend = FakeBackend()
    client, _ = web(tmp_path, backend)
    chat(client, "ثبت")
    files = {"file": ("../../madrak.pdf", PDF, "application/pdf")}
    data = {"sender": SESSION, "tracking_code": TRACKING_CODE}
    response = client.post("/api/attachments", data=data, files=files)
    assert response.status_code == 201
    assert "«madrak.pdf» به درخواست 1000-0000-09 پیوست شد" in response.json()["messages"][0]["text"]
    body = backend.attachments[0]["body"]
    assert b"09121234567" in body and TRACKING_CODE.encode() in body and b"%PDF-1.4" in body
    assert history(client)[-1]["text"].endswith("پیوست شد.")


def test_attachment_type_and_size_are_checked_with_persian_errors(tmp_path):
    backend = FakeBackend()
    client, _ = web(tmp_path, backend, max_upload_bytes=1024 * 1024)
    chat(client, "ثبت")
    fake_pdf = {"file": ("virus.pdf", b"MZ\x90\x00" + b"0" * 50, "application/pdf")}
    response = client.post("/api/attachments", data={"sender": SESSION}, files=fake_pdf)
    assert response.status_code == 415 and "PDF، JPEG یا PNG" in response.text
    big = {"file": ("big.pdf", b"%PDF-" + b"0" * (2 * 1024 * 1024), "application/pdf")}
    response = client.post("/api/attachments", data={"sender": SESSION}, files=big)
    assert response.status_code == 413 and "۱ مگابایت" in response.text
    empty = {"file": ("empty.pdf", b"", "application/pdf")}
    assert client.post("/api/attachments", data={"sender": SESSION}, files=empty).status_code == 400
    assert backend.attachments == []


def test_an_upload_without_a_length_is_cut_off_at_the_limit(tmp_path):
    backend = FakeBackend()
    client, _ = web(tmp_path, backend, max_upload_bytes=1024 * 1024)
    chat(client, "ثبت")
    boundary = "dastyar-boundary"
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="sender"\r\n\r\n{SESSION}\r\n'
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.pdf"\r\n'
        "Content-Type: application/pdf\r\n\r\n%PDF-"
    ).encode()

    def chunked() -> Iterator[bytes]:  # no Content-Length: the client sends it chunked
        yield head
        for _ in range(64):  # 4 MB in all, far past the 1 MB limit
            yield b"0" * 65536

    response = client.post(
        "/api/attachments",
        content=chunked(),
        headers={"Content-Type": f"multipart/form-data; boundary={boundary}"},
    )
    assert response.status_code == 413 and "۱ مگابایت" in response.text
    assert backend.attachments == []


def test_a_bounded_body_stops_reading_once_past_the_limit():
    chunks = [b"x" * 1000 for _ in range(10)]
    read = []

    async def receive() -> dict:
        read.append(1)
        return {"type": "http.request", "body": chunks.pop(), "more_body": bool(chunks)}

    async def body() -> bytes:
        scope = {"type": "http", "method": "POST", "path": "/", "headers": []}
        return await _bounded(Request(scope, receive), 2500).body()

    with pytest.raises(_BodyTooLarge):
        asyncio.run(body())
    assert len(read) == 3  # the rest of the body is never read


def test_a_form_without_a_file_gets_a_persian_answer(tmp_path):
    client, _ = web(tmp_path)
    response = client.post("/api/attachments", data={"sender": SESSION, "file": "نه فایل"})
    assert (
        response.status_code == 422 and "فایل دریافت نشد" in response.json()["messages"][0]["text"]
    )


def test_the_backends_persian_refusal_or_absence_is_shown(tmp_path):
    refusing = FakeBackend(status=415)
    client, _ = web(tmp_path, refusing)
    chat(client, "ثبت")
    files = {"file": ("a.pdf", PDF, "application/pdf")}
    response = client.post("/api/attachments", data={"sender": SESSION}, files=files)
    assert response.status_code == 415 and "نوع فایل مجاز نیست." in response.text
    refusing.down = True
    response = client.post("/api/attachments", data={"sender": SESSION}, files=files)
    assert response.status_code == 503 and "چند دقیقهٔ دیگر" in response.text


def test_a_malformed_session_cannot_read_history(tmp_path):
    client, _ = web(tmp_path)
    assert client.get("/api/history", params={"sender": "<script>"}).status_code == 422


def test_health_reports_every_channel(tmp_path):
    client, _ = web(tmp_path)
    assert client.get("/health").json() == {"status": "ok", "rasa": "ok", "channels": {"web": "ok"}}


def test_receipt_parsing_refuses_a_bad_tracking_code():
    parsed = parse_rasa([{"custom": {**RECEIPT, "tracking_code": "1234"}}])
    assert parsed.replies == [] and parsed.proofs == []
