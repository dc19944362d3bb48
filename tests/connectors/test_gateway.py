"""The web gateway: input checks, relaying to Rasa's REST channel, and Rasa being down.

Rasa is replaced here by an httpx transport that records calls; the real Rasa is exercised
end to end in tests/e2e.
"""

from __future__ import annotations

import json

import httpx
from fastapi.testclient import TestClient

from connectors.app import create_app
from connectors.rasa_client import RasaClient
from tests.connectors.conftest import make_settings


def gateway(handler, tmp_path) -> tuple[TestClient, list[dict]]:
    calls: list[dict] = []

    def record(request: httpx.Request) -> httpx.Response:
        calls.append(json.loads(request.content))
        return handler(request)

    rasa = RasaClient("http://rasa.test", 5, transport=httpx.MockTransport(record))
    app = create_app(make_settings(tmp_path, max_message_chars=100), rasa)
    return TestClient(app), calls


def test_messages_are_relayed_with_a_namespaced_sender(tmp_path):
    client, calls = gateway(lambda r: httpx.Response(200, json=[{"text": "سلام!"}]), tmp_path)
    response = client.post("/api/chat", json={"sender": "abc123", "message": "  سلام  "})
    assert response.json()["messages"] == [{"text": "سلام!"}]
    assert calls == [{"sender": "web:abc123", "message": "سلام", "metadata": {"channel": "web"}}]


def test_an_empty_message_is_answered_without_bothering_rasa(tmp_path):
    client, calls = gateway(lambda r: httpx.Response(200, json=[]), tmp_path)
    response = client.post("/api/chat", json={"sender": "abc", "message": "   "})
    assert response.status_code == 200
    assert "پیام خود را بنویسید" in response.json()["messages"][0]["text"]
    assert calls == []


def test_a_huge_message_gets_a_clear_persian_limit(tmp_path):
    client, calls = gateway(lambda r: httpx.Response(200, json=[]), tmp_path)
    response = client.post("/api/chat", json={"sender": "abc", "message": "الف" * 500})
    assert "۱۰۰" in response.json()["messages"][0]["text"]
    assert calls == []


def test_rasa_down_gets_an_apology_not_a_stack_trace(tmp_path):
    def down(_request):
        raise httpx.ConnectError("refused")

    client, _ = gateway(down, tmp_path)
    response = client.post("/api/chat", json={"sender": "abc", "message": "سلام"})
    assert response.status_code == 503
    text = response.json()["messages"][0]["text"]
    assert "در دسترس نیست" in text and "Traceback" not in response.text


def test_a_malformed_sender_is_refused(tmp_path):
    client, calls = gateway(lambda r: httpx.Response(200, json=[]), tmp_path)
    response = client.post("/api/chat", json={"sender": "<script>", "message": "سلام"})
    assert response.status_code == 422
    assert calls == []
