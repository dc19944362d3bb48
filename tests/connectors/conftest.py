"""Shared helpers of the channel tests: settings isolated from the environment, a scripted Rasa."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from connectors.rasa_client import RasaClient
from connectors.settings import GatewaySettings
from tests.support.backend_process import running_backend

ASSISTANT_PASSWORD = "assistant-password-for-channel-tests"
ADMIN_PASSWORD = "admin-password-for-channel-tests"


def make_settings(data_dir: Path, **values: Any) -> GatewaySettings:
    """Gateway settings that ignore the machine's environment for everything that matters."""
    base: dict[str, Any] = {
        "data_dir": data_dir,
        "database_url": "",
        "backend_password": None,
        "telegram_token": None,
        "bale_token": None,
        "sms_api_key": None,
        "sms_inbound_secret": None,
        "widget_origins": ["*"],
        # a test talks from one address, often past a minute's limit; the limits' own tests
        # (test_rate_limit.py) set them
        "rate_limit_per_minute": 0,
        "rate_limit_per_address_per_minute": 0,
    }
    base.update(values)
    return GatewaySettings(**base)


class ScriptedRasa:
    """An in-process stand-in for Rasa's REST channel: a function of (sender, message)."""

    def __init__(self, answer: Callable[[str, str], list[dict[str, Any]]]) -> None:
        self.answer = answer
        self.calls: list[dict[str, Any]] = []

    def handler(self, request: httpx.Request) -> httpx.Response:
        if request.url.path == "/":
            return httpx.Response(200, text="Hello from Rasa")
        body = json.loads(request.content)
        self.calls.append(body)
        return httpx.Response(200, json=self.answer(body["sender"], body["message"]))

    def client(self) -> RasaClient:
        return RasaClient("http://rasa.test", 5, transport=httpx.MockTransport(self.handler))


@pytest.fixture
def settings_factory(tmp_path):
    def factory(**values: Any) -> GatewaySettings:
        return make_settings(tmp_path, **values)

    return factory


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark ``slow`` every test that needs the real backend process (see ``backend_url``)."""
    for item in items:
        if "backend_url" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.slow)


@pytest.fixture(scope="session")
def backend_url(tmp_path_factory) -> Iterator[str]:
    """A real backend with the sample catalogue (a subprocess on its own SQLite file)."""
    with running_backend(
        sys.executable,
        tmp_path_factory.mktemp("backend"),
        assistant_password=ASSISTANT_PASSWORD,
        admin_password=ADMIN_PASSWORD,
    ) as url:
        yield url


def token(url: str, username: str, password: str) -> dict[str, str]:
    """Bearer header of a backend account."""
    body = {"username": username, "password": password}
    response = httpx.post(f"{url}/api/v1/auth/token", json=body)
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


class FakeBackend:
    """The backend's attachment endpoint, in process, recording what the gateway forwards."""

    def __init__(self, status: int = 201) -> None:
        self.status = status
        self.down = False
        self.attachments: list[dict[str, Any]] = []

    def handler(self, request: httpx.Request) -> httpx.Response:
        if self.down:
            raise httpx.ConnectError("refused")
        if request.url.path.endswith("/auth/token"):
            return httpx.Response(200, json={"access_token": "t", "expires_in": 3600})
        if request.url.path.endswith("/requests/attachments"):
            self.attachments.append(
                {"content_type": request.headers["content-type"], "body": request.content}
            )
            if self.status >= 400:
                error = {"code": "attachment_type_not_allowed", "message": "نوع فایل مجاز نیست."}
                return httpx.Response(self.status, json={"error": error})
            return httpx.Response(
                201,
                json={
                    "id": 1,
                    "filename": "f",
                    "content_type": "application/pdf",
                    "size": 1,
                    "created_at": "2024-01-01T00:00:00",
                },
            )
        return httpx.Response(404, json={"error": {"code": "not_found", "message": ""}})

    def client(self) -> Any:
        from backend_client import BackendClient

        return BackendClient(
            "http://backend.test", "assistant", "pw", transport=httpx.MockTransport(self.handler)
        )


TRACKING_CODE = "1000000009"  # a valid tracking code (Verhoeff check digit)
LONG_PAYLOAD = '/inform{"service_code":"10202000001","description":"' + "x" * 80 + '"}'
RECEIPT = {
    "type": "receipt",
    "tracking_code": TRACKING_CODE,
    "tracking_code_display": "1000-0000-09",
    "service_title": "صدور گذرنامه",
    "agency_name": "پلیس مهاجرت و گذرنامه",
    "status": "submitted",
    "status_label": "ثبت شده",
    "created_at_jalali": "۱۴۰۳/۰۵/۱۲",
    "estimated_completion_jalali": "۱۴۰۳/۰۵/۲۰",
    "cost": "۱۲۰٬۰۰۰ ریال",
    "accepts_attachments": True,
    "proof": {"mobile": "09121234567"},
}


def assistant(sender: str, message: str) -> list[dict[str, Any]]:
    """A tiny scripted assistant covering every reply shape the channels render."""
    if message == "/greet":
        return [{"text": "سلام! من دستیار خدمات دولت هستم."}]
    if "گذرنامه" in message:
        return [
            {
                "text": "کدام خدمت را می‌خواهید؟",
                "buttons": [
                    {"title": "صدور گذرنامه", "payload": '/inform{"service_code":"10202000001"}'},
                    {"title": "تمدید گذرنامه", "payload": LONG_PAYLOAD},
                    {"title": "وب‌سایت پلیس", "payload": "https://epolice.ir/"},
                ],
            }
        ]
    if message.startswith("/inform") or message == "ثبت":
        return [{"text": "درخواست شما ثبت شد."}, {"custom": dict(RECEIPT)}]
    if message == "موبایل":
        return [{"text": "لطفاً شمارهٔ همراه خود را بفرستید."}, {"custom": {"type": "ask_mobile"}}]
    return [{"text": f"پاسخ به: {message}"}]
