"""The gateway's HTML pages carry the project's security headers, framed only by the widget's
configured origins."""

from __future__ import annotations

from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from connectors import routes as pages
from connectors.app import create_app
from connectors.sms.router import router as sms_router
from connectors.telegram.webhook import router as webhook_router
from connectors.web.router import router as web_router
from tests.connectors.conftest import ScriptedRasa, make_settings

PORTAL = "https://portal.example.ir"


def gateway(tmp_path, origins: list[str]) -> TestClient:
    rasa = ScriptedRasa(lambda _sender, _text: [])
    return TestClient(create_app(make_settings(tmp_path, widget_origins=origins), rasa.client()))


def test_every_html_page_is_secured_and_framed_only_by_the_widget_origins(tmp_path):
    client = gateway(tmp_path, [PORTAL])
    routers = (pages.router, web_router, webhook_router, sms_router)  # what create_app includes
    gets = [r for router in routers for r in router.routes if isinstance(r, APIRoute)]
    urls = [r.path for r in gets if "GET" in r.methods and r.path != "/api/events"]
    assert {"/", "/api/history"} <= set(urls)
    html = []
    for url in [*urls, "/static/index.html", "/docs", "/redoc"]:
        response = client.get(url, params={"sender": "a" * 16})
        if not response.headers.get("content-type", "").startswith("text/html"):
            continue
        html.append(url)
        policy = response.headers["content-security-policy"]
        assert "script-src 'self';" in policy and "unsafe-inline" not in policy
        assert policy.endswith(f"frame-ancestors 'self' {PORTAL}")
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["referrer-policy"] == "same-origin"
        assert "<style" not in response.text and "<script>" not in response.text
    assert html == ["/", "/static/index.html"]
    assert client.get("/static/widget.js").headers["x-content-type-options"] == "nosniff"


def test_the_event_stream_is_not_sniffed_either(tmp_path):
    client = gateway(tmp_path, [PORTAL])
    with client.stream("GET", "/api/events", params={"sender": "a" * 16}) as response:
        assert response.headers["x-content-type-options"] == "nosniff"
