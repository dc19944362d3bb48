"""Live handoff through the gateway, against the real backend: while a person holds the
conversation the citizen's messages go to them and the assistant stays silent; staff replies
reach the widget (pushed), Telegram and SMS once; closing gives the conversation back."""

from __future__ import annotations

import json
import threading
import time
from typing import Any

import httpx
import pytest

from connectors.app import create_app
from nlu.personal_data import mask_personal_data
from tests.connectors.conftest import (
    ADMIN_PASSWORD,
    ASSISTANT_PASSWORD,
    ScriptedRasa,
    make_settings,
    token,
)
from tests.connectors.fake_botapi import FakeBotApi, text_update
from tests.connectors.fake_sms import FakeSmsGateway
from tests.connectors.servers import ServerThread, wait_for
from tests.connectors.test_notifications import SMS_KEY, TOKEN, gateway_settings, outbox

pytestmark = pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")

SECRET = "handoff-sms-secret"


def bot(_sender: str, message: str) -> list[dict[str, Any]]:
    return [{"text": f"پاسخ دستیار به {message}"}]


def open_handoff(url: str, sender: str, channel: str) -> int:
    body = {"conversation_id": sender, "channel": channel, "question": "کارشناس می‌خواهم"}
    headers = token(url, "assistant", ASSISTANT_PASSWORD)
    response = httpx.post(f"{url}/api/v1/handoffs", json=body, headers=headers)
    assert response.status_code == 201, response.text
    return int(response.json()["id"])


def staff(url: str, method: str, path: str, **kwargs: Any) -> httpx.Response:
    headers = token(url, "admin", ADMIN_PASSWORD)
    return httpx.request(method, f"{url}/api/v1/staff/handoffs{path}", headers=headers, **kwargs)


def settled(url: str, recipient: str) -> bool:
    """Every outbox row of ``recipient`` (as staff see it, its number masked) is sent."""
    rows = [m for m in outbox(url) if m["recipient"] == mask_personal_data(recipient)]
    return bool(rows) and all(m["status"] == "sent" for m in rows)


def test_a_person_holds_a_web_conversation_and_gives_it_back(backend_url, tmp_path):
    session = "h" * 32
    sender = f"web:{session}"
    rasa = ScriptedRasa(bot)
    handoff_id = open_handoff(backend_url, sender, "web")
    settings = make_settings(
        tmp_path, backend_url=backend_url, backend_password=ASSISTANT_PASSWORD, notify_interval=0.2
    )
    app = create_app(settings, rasa.client())
    with ServerThread(app) as gateway:
        chat = f"{gateway.url}/api/chat"
        waiting = httpx.post(chat, json={"sender": session, "message": "کسی هست؟"}).json()
        assert "صف" in waiting["messages"][0]["text"] and rasa.calls == []

        pushed: list[dict[str, Any]] = []

        def listen() -> None:
            params = {"sender": session, "after": waiting["seq"]}
            with httpx.stream("GET", f"{gateway.url}/api/events", params=params, timeout=30) as r:
                for line in r.iter_lines():
                    if line.startswith("data: "):
                        pushed.append(json.loads(line[6:]))
                        if any("در خدمتم" in e.get("text", "") for e in pushed):
                            return

        listener = threading.Thread(target=listen, daemon=True)
        listener.start()
        assert staff(backend_url, "POST", f"/{handoff_id}/take").status_code == 200
        started = time.monotonic()
        reply = staff(backend_url, "POST", f"/{handoff_id}/messages", json={"text": "در خدمتم"})
        assert reply.status_code == 201, reply.text
        listener.join(15)
        assert any("در خدمتم" in e["text"] for e in pushed), pushed
        assert time.monotonic() - started < 5  # pushed, not found by a 20 s poll

        for i in range(100):  # the assistant never answers while a person holds it
            held = httpx.post(chat, json={"sender": session, "message": f"پیام {i}"}).json()
            assert held["messages"] == []
        assert rasa.calls == []
        seen = staff(backend_url, "GET", f"/{handoff_id}").json()["messages"]
        assert [m["text"] for m in seen if m["who"] == "citizen"][-1] == "پیام 99"

        closed = staff(backend_url, "POST", f"/{handoff_id}/close", json={"outcome": "answered"})
        assert closed.status_code == 200
        back = httpx.post(chat, json={"sender": session, "message": "ممنون"}).json()
        assert back["messages"][0]["text"] == "پاسخ دستیار به ممنون" and len(rasa.calls) == 1
        wait_for(lambda: settled(backend_url, sender), 20, "every handoff message delivered")
        time.sleep(1.5)  # more worker rounds: nothing is shown twice
        history = httpx.get(f"{gateway.url}/api/history", params={"sender": session}).json()
    notices = [e["text"] for e in history["entries"] if e.get("notice")]
    assert len(notices) == 3  # taken, the reply, handed back: each once
    assert sum("در خدمتم" in n for n in notices) == 1


def test_telegram_and_sms_citizens_hear_the_staff_member(backend_url, tmp_path):
    api = FakeBotApi(TOKEN)
    sms = FakeSmsGateway(SMS_KEY)
    rasa = ScriptedRasa(bot)
    telegram_id = open_handoff(backend_url, "telegram:901", "telegram")
    sms_id = open_handoff(backend_url, "sms:09350000901", "sms")
    with ServerThread(api.app) as platform, ServerThread(sms.app) as provider:
        settings = gateway_settings(
            tmp_path, backend_url, platform.url, provider.url, sms_inbound_secret=SECRET
        )
        app = create_app(settings, rasa.client())
        with ServerThread(app) as gateway:
            for handoff_id in (telegram_id, sms_id):
                assert staff(backend_url, "POST", f"/{handoff_id}/take").status_code == 200
                text = {"text": "سلام، پرسشتان را بفرمایید"}
                assert staff(backend_url, "POST", f"/{handoff_id}/messages", json=text).is_success
            wait_for(
                lambda: any("بفرمایید" in m for m in sms.to("09350000901")), 20, "the SMS reply"
            )
            wait_for(
                lambda: any("بفرمایید" in m["text"] for m in api.sent(901)), 20, "the bot reply"
            )
            api.deliver(text_update(api, 901, "از تلگرام"))
            inbound = {
                "messageid": "h1",
                "from": "09350000901",
                "to": "1000",
                "message": "از پیامک",
            }
            answered = httpx.post(
                f"{gateway.url}/channels/sms/inbound", params={"secret": SECRET}, data=inbound
            )
            assert answered.status_code == 200

            def citizen_said(handoff_id: int, text: str) -> bool:
                detail = staff(backend_url, "GET", f"/{handoff_id}").json()
                return any(m["text"] == text for m in detail["messages"])

            wait_for(lambda: citizen_said(telegram_id, "از تلگرام"), 20, "the Telegram message")
            wait_for(lambda: citizen_said(sms_id, "از پیامک"), 20, "the SMS message")
            assert rasa.calls == []
            for handoff_id in (telegram_id, sms_id):
                assert staff(backend_url, "POST", f"/{handoff_id}/close", json={}).is_success
            for recipient in ("telegram:901", "sms:09350000901"):
                wait_for(lambda r=recipient: settled(backend_url, r), 20, f"{recipient} delivered")
    replies = [m["text"] for m in api.sent(901) if "بفرمایید" in m["text"]]
    assert len(replies) == 1 and replies[0].startswith("کارشناس")


def test_a_reply_sent_while_the_gateway_is_down_arrives_once_after_it_is_back(
    backend_url, tmp_path
):
    session = "r" * 32
    sender = f"web:{session}"
    handoff_id = open_handoff(backend_url, sender, "web")
    assert staff(backend_url, "POST", f"/{handoff_id}/take").status_code == 200
    reply = {"text": "پاسخ در نبود درگاه"}
    assert staff(backend_url, "POST", f"/{handoff_id}/messages", json=reply).status_code == 201
    settings = make_settings(
        tmp_path, backend_url=backend_url, backend_password=ASSISTANT_PASSWORD, notify_interval=0.2
    )

    def replies(url: str) -> list[str]:
        entries = httpx.get(f"{url}/api/history", params={"sender": session}).json()["entries"]
        return [e["text"] for e in entries if "پاسخ در نبود درگاه" in e.get("text", "")]

    for _restart in range(2):  # the same store each time, as a restarted gateway has
        with ServerThread(create_app(settings, ScriptedRasa(bot).client())) as gateway:
            wait_for(lambda: replies(gateway.url), 20, "the reply after the restart")
            wait_for(lambda: settled(backend_url, sender), 20, "the outbox acknowledged")
            assert len(replies(gateway.url)) == 1
    assert staff(backend_url, "POST", f"/{handoff_id}/close", json={}).is_success
    with ServerThread(create_app(settings, ScriptedRasa(bot).client())) as gateway:
        wait_for(lambda: settled(backend_url, sender), 20, "the closing message delivered")
