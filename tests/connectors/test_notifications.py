"""The outbox worker against the real backend (a subprocess on its own SQLite file).

A request is filed per channel through the backend API, staff move it on, the backend writes the
notification to its outbox, and the gateway's worker delivers it: Telegram through the fake Bot
API, SMS through the fake provider, web into the session's inbox.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from backend_client import BackendClient, BackendUnavailable
from connectors.app import create_app
from connectors.notifications.worker import OutboxWorker
from connectors.store import Store
from nlu.identifiers import national_code_check_digit
from nlu.personal_data import mask_personal_data
from tests.connectors.conftest import (
    ADMIN_PASSWORD,
    ASSISTANT_PASSWORD,
    ScriptedRasa,
    assistant,
    make_settings,
    token,
)
from tests.connectors.fake_botapi import FakeBotApi
from tests.connectors.fake_sms import FakeSmsGateway
from tests.connectors.servers import ServerThread, wait_for

pytestmark = pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")

ROOT = Path(__file__).resolve().parents[2]
NATIONAL_CODE = "001354241" + str(national_code_check_digit("001354241"))
TOKEN = "777:notification-bot-token"
SMS_KEY = "sms-key-for-notifications"


def notify(url: str, channel: str, sender_id: str, mobile: str = "09121234567") -> int:
    """File a request as the assistant and move it on as staff: one outbox message."""
    assistant_auth = token(url, "assistant", ASSISTANT_PASSWORD)
    service = httpx.get(f"{url}/api/v1/catalogue/services", params={"limit": 1}).json()["items"][0]
    body = {
        "service_code": service["code"],
        "full_name": "مریم احمدی",
        "national_code": NATIONAL_CODE,
        "mobile": mobile,
        "channel": channel,
        "sender_id": sender_id,
    }
    receipt = httpx.post(f"{url}/api/v1/requests", json=body, headers=assistant_auth).json()
    code = receipt["tracking_code"]
    admin = token(url, "admin", ADMIN_PASSWORD)
    moved = httpx.post(
        f"{url}/api/v1/staff/requests/{code}/transitions",
        json={"status": "under_review"},
        headers=admin,
    )
    assert moved.status_code == 200, moved.text
    return int(code)


def outbox(url: str) -> list[dict[str, Any]]:
    admin = token(url, "admin", ADMIN_PASSWORD)
    return httpx.get(f"{url}/api/v1/staff/outbox", headers=admin).json()


def by_recipient(url: str, recipient: str) -> dict[str, Any]:
    """The outbox row of ``recipient`` as staff see it (its number masked)."""
    return next(m for m in outbox(url) if m["recipient"] == mask_personal_data(recipient))


def gateway_settings(tmp_path, backend_url: str, platform_url: str, sms_url: str, **extra: Any):
    """Gateway settings with Telegram and SMS pointed at the fakes and a fast outbox poll."""
    return make_settings(
        tmp_path,
        backend_url=backend_url,
        backend_password=ASSISTANT_PASSWORD,
        telegram_token=TOKEN,
        telegram_base_url=f"{platform_url}/bot",
        bot_poll_timeout=1,
        sms_api_key=SMS_KEY,
        sms_base_url=sms_url,
        notify_interval=0.2,
        **extra,
    )


def test_each_channel_delivers_its_notifications_once(backend_url, tmp_path):
    api = FakeBotApi(TOKEN)
    sms = FakeSmsGateway(SMS_KEY)
    session = "f" * 32
    codes = {
        "telegram": notify(backend_url, "telegram", "telegram:555"),
        "web": notify(backend_url, "web", f"web:{session}"),
        "sms": notify(backend_url, "sms", "", mobile="09350000001"),
    }
    with ServerThread(api.app) as platform, ServerThread(sms.app) as provider:
        settings = gateway_settings(
            tmp_path, backend_url, platform.url, provider.url, sms_inbound_secret="s"
        )
        app = create_app(settings, ScriptedRasa(assistant).client())
        with ServerThread(app) as gateway:
            wait_for(lambda: api.sent(555), 20, "the Telegram notification")
            wait_for(lambda: sms.to("09350000001"), 20, "the SMS notification")

            def inbox() -> list[dict[str, Any]]:
                entries = httpx.get(
                    f"{gateway.url}/api/history", params={"sender": session}
                ).json()["entries"]
                return [e for e in entries if e.get("notice")]

            wait_for(inbox, 20, "the web notification")
            wait_for(
                lambda: all(m["status"] == "sent" for m in outbox(backend_url)),
                20,
                "every outbox message acknowledged",
            )
            time.sleep(1)  # several more worker rounds: nothing is sent again
            assert len(api.sent(555)) == 1 and len(sms.to("09350000001")) == 1
            notices = inbox()
    assert len(notices) == 1 and "در حال بررسی" in notices[0]["text"]
    assert str(codes["web"])[:4] in notices[0]["text"]
    assert str(codes["telegram"])[:4] in api.sent(555)[0]["text"]
    assert "در حال بررسی" in sms.to("09350000001")[0]


def test_a_channel_that_is_down_is_reported_and_retried_later(backend_url, tmp_path):
    sms = FakeSmsGateway(SMS_KEY)
    sms.down = True
    notify(backend_url, "sms", "sms:09350000002", mobile="09350000002")
    with ServerThread(sms.app) as provider:
        settings = make_settings(
            tmp_path,
            backend_url=backend_url,
            backend_password=ASSISTANT_PASSWORD,
            sms_api_key=SMS_KEY,
            sms_base_url=provider.url,
            notify_interval=0.2,
            notify_max_backoff=1.0,
        )
        with ServerThread(create_app(settings, ScriptedRasa(assistant).client())):
            wait_for(
                lambda: by_recipient(backend_url, "sms:09350000002")["attempts"] >= 1,
                20,
                "the failure to be reported",
            )
            failed = by_recipient(backend_url, "sms:09350000002")
            assert (failed["status"], failed["permanent"]) == ("pending", False)
            assert failed["last_error"].startswith("temporary: sms provider status 503")
            sms.down = False  # the backend retries after its back-off (10 s for the first)
            wait_for(lambda: sms.to("09350000002"), 40, "the retried delivery")
            wait_for(
                lambda: by_recipient(backend_url, "sms:09350000002")["status"] == "sent",
                20,
                "the acknowledgement",
            )
    assert len(sms.to("09350000002")) == 1


def test_a_delivery_that_can_never_succeed_is_given_up_not_retried(backend_url, tmp_path):
    api = FakeBotApi(TOKEN)
    api.refuse_chat[556] = (403, "Forbidden: bot was blocked by the user")
    sms = FakeSmsGateway(SMS_KEY)
    sms.invalid.add("09350000003")
    notify(backend_url, "telegram", "telegram:556")
    notify(backend_url, "sms", "sms:09350000003", mobile="09350000003")
    notify(backend_url, "telegram", "telegram:557")  # after the refused one, same channel
    with ServerThread(api.app) as platform, ServerThread(sms.app) as provider:
        settings = gateway_settings(
            tmp_path, backend_url, platform.url, provider.url, notify_max_backoff=1.0
        )
        with ServerThread(create_app(settings, ScriptedRasa(assistant).client())):
            wait_for(lambda: api.sent(557), 20, "the next Telegram notification")
            for recipient in ("telegram:556", "sms:09350000003"):
                wait_for(
                    lambda r=recipient: by_recipient(backend_url, r)["status"] == "failed",
                    20,
                    f"{recipient} to be given up",
                )
            sms_attempts = sms.attempts
            time.sleep(2)  # many worker rounds: nothing is tried again
            assert sms.attempts == sms_attempts
    blocked = by_recipient(backend_url, "telegram:556")
    assert (blocked["attempts"], blocked["permanent"]) == (1, True)
    assert blocked["last_error"].startswith("permanent: forbidden")
    invalid = by_recipient(backend_url, "sms:09350000003")
    assert (invalid["attempts"], invalid["permanent"]) == (1, True)
    assert invalid["last_error"] == "permanent: sms provider status 411"
    assert "0935" not in invalid["last_error"]
    assert by_recipient(backend_url, "telegram:557")["status"] == "sent"
    sends = [c for c in api.calls if c.method == "sendMessage" and int(c.params["chat_id"]) == 556]
    assert len(sends) == 1


class Recorder:
    """A channel that records deliveries."""

    name = "web"

    def __init__(self) -> None:
        self.delivered: list[int] = []

    async def start(self) -> None:
        pass

    async def stop(self) -> None:
        pass

    async def notify(self, recipient: str, text: str, outbox_id: int) -> None:
        self.delivered.append(outbox_id)


def test_a_message_delivered_but_not_acknowledged_is_not_delivered_again(backend_url, tmp_path):
    notify(backend_url, "web", "web:" + "a" * 32)

    async def scenario() -> list[int]:
        backend = BackendClient(backend_url, "assistant", ASSISTANT_PASSWORD)
        store = Store(f"sqlite:///{tmp_path / 'gateway.db'}")
        channel = Recorder()
        worker = OutboxWorker(backend, [channel], store, lease_seconds=5)
        real_sent = backend.outbox_sent

        async def lost_ack(_message_id: int) -> None:
            raise BackendUnavailable("the gateway died before acknowledging")

        backend.outbox_sent = lost_ack  # type: ignore[method-assign,assignment]
        with pytest.raises(BackendUnavailable):
            await worker.run_once(channel)
        backend.outbox_sent = real_sent  # type: ignore[method-assign]
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:  # the lease runs out; the message is handed out again
            claimed, _ = await worker.run_once(channel)
            if claimed:
                break
            await asyncio.sleep(0.5)
        await backend.aclose()
        store.close()
        return channel.delivered

    delivered = asyncio.run(scenario())
    assert len(delivered) == 1
    assert by_recipient(backend_url, "web:" + "a" * 32)["status"] == "sent"
