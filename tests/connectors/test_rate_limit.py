"""The web channel limits messages and uploads a minute per conversation, with a higher ceiling
per address; the widget is told why, in Persian, in the conversation; other conversations and
addresses, reading and the bots' webhooks are not limited."""

from __future__ import annotations

from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from connectors import routes as pages
from connectors.app import create_app
from connectors.sms.router import router as sms_router
from connectors.telegram.webhook import router as webhook_router
from connectors.web.router import router as web_router
from shared.rate_limit import CHANGING
from tests.connectors.conftest import ScriptedRasa, make_settings
from tests.connectors.test_web import SESSION, assistant
from tests.support.windows import fresh_window


def gateway(tmp_path, address: str, **values) -> tuple[TestClient, ScriptedRasa]:
    rasa = ScriptedRasa(assistant)
    app = create_app(make_settings(tmp_path, **values), rasa.client())
    return TestClient(app, client=(address, 40000)), rasa


def say(client: TestClient, text: str = "سلام"):
    return client.post("/api/chat", json={"sender": SESSION, "message": text})


def test_an_address_past_its_limit_is_told_in_persian_and_rasa_is_not_asked(tmp_path):
    fresh_window()
    client, rasa = gateway(tmp_path, "10.0.0.1", rate_limit_per_minute=3)
    for _ in range(3):
        assert say(client).status_code == 200
    refused = say(client)
    assert refused.status_code == 429 and 1 <= int(refused.headers["retry-after"]) <= 60
    body = refused.json()
    assert body["error"]["code"] == "rate_limited"
    assert body["messages"] == [{"text": body["error"]["message"], "notice": "rate_limited"}]
    assert "ثانیهٔ دیگر" in body["error"]["message"]
    upload = client.post(
        "/api/attachments", data={"sender": SESSION}, files={"file": ("a.pdf", b"%PDF")}
    )
    assert upload.status_code == 429
    assert len(rasa.calls) == 3
    assert client.get("/api/history", params={"sender": SESSION}).status_code == 200
    other = TestClient(client.app, client=("10.0.0.2", 40000))
    assert other.post("/api/chat", json={"sender": SESSION, "message": "سلام"}).status_code == 200


def session(n: int) -> str:
    return f"{n:032x}"


def test_citizens_sharing_one_address_each_have_their_own_limit(tmp_path):
    fresh_window()
    client, rasa = gateway(tmp_path, "10.0.0.9", rate_limit_per_minute=2)
    for n in range(5):  # five citizens behind one carrier address, two messages each
        for _ in range(2):
            body = {"sender": session(n), "message": "سلام"}
            sent = client.post("/api/chat", json=body, headers={"X-Dastyar-Session": session(n)})
            assert sent.status_code == 200
    third = {"sender": session(0), "message": "سلام"}
    refused = client.post("/api/chat", json=third, headers={"X-Dastyar-Session": session(0)})
    assert refused.status_code == 429 and refused.json()["error"]["code"] == "rate_limited"
    assert len(rasa.calls) == 10


def test_an_address_inventing_conversations_meets_its_ceiling(tmp_path):
    fresh_window()
    client, rasa = gateway(
        tmp_path, "10.0.0.8", rate_limit_per_minute=2, rate_limit_per_address_per_minute=4
    )
    codes = []
    for n in range(6):  # a new conversation for every message
        body = {"sender": session(n), "message": "سلام"}
        codes.append(
            client.post(
                "/api/chat", json=body, headers={"X-Dastyar-Session": session(n)}
            ).status_code
        )
    assert codes == [200, 200, 200, 200, 429, 429]
    assert len(rasa.calls) == 4


def test_the_bots_webhooks_are_not_counted_per_address(tmp_path):
    fresh_window()
    client, _ = gateway(tmp_path, "10.0.0.1", rate_limit_per_minute=1)
    for _ in range(3):  # unknown webhook paths: refused by the route, never by the limit
        assert client.post("/channels/telegram/webhook/x", json={}).status_code != 429


def test_zero_turns_the_limit_off(tmp_path):
    client, _ = gateway(tmp_path, "10.0.0.1", rate_limit_per_minute=0)
    for _ in range(70):
        assert say(client).status_code == 200


def test_every_state_changing_route_of_the_web_channel_is_limited(tmp_path):
    """Each POST, PUT, PATCH and DELETE the gateway serves is either the widget's (limited) or a
    platform's webhook (Telegram, Bale, the SMS provider: few addresses, authenticated by a
    secret, and answered once per message id whatever the rate)."""
    fresh_window()
    client, _ = gateway(tmp_path, "10.0.0.7", rate_limit_per_minute=1)
    routers = (pages.router, web_router, webhook_router, sms_router)  # what create_app includes
    changing = sorted(
        (method, route.path)
        for router in routers
        for route in router.routes
        if isinstance(route, APIRoute)
        for method in route.methods & CHANGING
    )
    widget = [(m, p) for m, p in changing if p.startswith(web_router.prefix + "/")]
    platforms = [(m, p) for m, p in changing if p.startswith("/channels/")]
    assert sorted(widget + platforms) == changing
    assert {("POST", "/api/chat"), ("POST", "/api/attachments")} <= set(widget)
    assert say(client).status_code == 200
    for method, path in widget:
        response = client.request(method, path, json={"sender": SESSION, "message": "سلام"})
        assert response.status_code == 429, (method, path)
        assert response.json()["error"]["code"] == "rate_limited"
