"""Telegram and Bale: the real python-telegram-bot client against a local fake Bot API.

The gateway runs on a real port (uvicorn in a thread); the fake platform runs on another and
either queues updates for getUpdates (polling) or POSTs them to the registered webhook.
Rasa is the scripted in-process assistant of conftest (Rasa itself is tested in tests/e2e).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from connectors.app import create_app
from tests.connectors.conftest import (
    LONG_PAYLOAD,
    RECEIPT,
    FakeBackend,
    ScriptedRasa,
    assistant,
    make_settings,
)
from tests.connectors.fake_botapi import (
    FakeBotApi,
    callback_update,
    edited_update,
    message_update,
    text_update,
)
from tests.connectors.servers import ServerThread, wait_for
from tests.support.ports import free_port

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")

TOKEN = "123456:TEST-token-for-the-fake-bot-api"
FAST = {"bot_global_rate": 10_000.0, "bot_chat_rate": 1_000.0, "bot_chat_burst": 100}


@contextmanager
def running(
    tmp_path,
    channel: str = "telegram",
    mode: str = "polling",
    profile: str = "telegram",
    prefix: str = "",
    backend: FakeBackend | None = None,
    **values: Any,
) -> Iterator[tuple[FakeBotApi, ScriptedRasa, ServerThread]]:
    """A fake platform and a gateway whose ``channel`` bot talks to it."""
    api = FakeBotApi(TOKEN, profile=profile)
    rasa = ScriptedRasa(assistant)
    port = free_port()
    with ServerThread(api.app) as platform:
        settings = make_settings(
            tmp_path,
            **{
                f"{channel}_token": TOKEN,
                f"{channel}_base_url": f"{platform.url}{prefix}/bot",
                f"{channel}_file_url": f"{platform.url}{prefix}/file/bot",
                f"{channel}_mode": mode,
                f"{channel}_public_url": f"http://127.0.0.1:{port}" if mode == "webhook" else "",
                "bot_poll_timeout": 1,
                **FAST,
                **values,
            },
        )
        overrides = {"backend": backend.client()} if backend else {}
        app = create_app(settings, rasa.client(), **overrides)
        with ServerThread(app, port) as gateway:
            started = "setWebhook" if mode == "webhook" else "getUpdates"
            wait_for(lambda: started in api.methods(), message=f"{channel} to start")
            yield api, rasa, gateway


def replies(api: FakeBotApi, chat: int, count: int, timeout: float = 10) -> list[dict[str, Any]]:
    wait_for(lambda: len(api.sent(chat)) >= count, timeout, f"{count} message(s) to chat {chat}")
    time.sleep(0.1)  # nothing more should come
    return api.sent(chat)


@pytest.mark.parametrize(
    ("channel", "prefix"), [("telegram", ""), ("bale", "/tapi")], ids=["telegram", "bale"]
)
def test_long_polling_relays_a_chat_with_a_namespaced_sender(tmp_path, channel, prefix):
    with running(tmp_path, channel=channel, prefix=prefix) as (api, rasa, _):
        api.deliver(text_update(api, 77, "/start"))
        sent = replies(api, 77, 1)
        assert sent[0]["text"].startswith("سلام!")
        assert rasa.calls == [
            {"sender": f"{channel}:77", "message": "/greet", "metadata": {"channel": channel}}
        ]
        assert {"getMe", "deleteWebhook", "getUpdates"} <= set(api.methods())
        assert api.prefixes() == {prefix}


@pytest.mark.parametrize(
    ("channel", "prefix", "profile"),
    [("telegram", "", "telegram"), ("bale", "/tapi", "bale")],
    ids=["telegram", "bale-without-secret-header"],
)
def test_webhook_mode_registers_and_receives(tmp_path, channel, prefix, profile):
    with running(tmp_path, channel, "webhook", profile, prefix) as (api, rasa, gateway):
        assert api.webhook is not None
        assert api.webhook["url"].startswith(f"{gateway.url}/channels/{channel}/webhook/")
        assert api.deliver(text_update(api, 5, "سلام")) == 200
        assert replies(api, 5, 1)[0]["text"] == "پاسخ به: سلام"
        assert rasa.calls[0]["sender"] == f"{channel}:5"


def test_telegram_webhook_checks_the_secret_path_and_header(tmp_path):
    with running(tmp_path, "telegram", "webhook") as (api, rasa, _gateway):
        url = api.webhook["url"]
        update = text_update(api, 9, "سلام")
        secret = api.webhook["secret_token"]
        header = "X-Telegram-Bot-Api-Secret-Token"
        assert httpx.post(url, json=update).status_code == 401
        assert httpx.post(url, json=update, headers={header: "wrong"}).status_code == 401
        wrong_path = url.rsplit("/", 1)[0] + "/not-the-secret"
        assert httpx.post(wrong_path, json=update, headers={header: secret}).status_code == 404
        assert httpx.post(url, json=update, headers={header: secret}).status_code == 200
        replies(api, 9, 1)
        assert len(rasa.calls) == 1


def test_a_retried_update_is_answered_once(tmp_path):
    with running(tmp_path, "telegram", "webhook") as (api, rasa, _):
        update = text_update(api, 3, "سلام")
        assert api.deliver(update) == 200
        assert api.deliver(update) == 200
        assert len(replies(api, 3, 1)) == 1
        assert len(rasa.calls) == 1


def test_buttons_become_an_inline_keyboard_and_a_press_sends_the_payload(tmp_path):
    with running(tmp_path) as (api, rasa, _):
        api.deliver(text_update(api, 11, "گذرنامه"))
        keyboard = replies(api, 11, 1)[0]["reply_markup"]["inline_keyboard"]
        short, long, link = (row[0] for row in keyboard)
        assert short == {
            "text": "صدور گذرنامه",
            "callback_data": '/inform{"service_code":"10202000001"}',
        }
        assert len(long["callback_data"].encode()) <= 64
        assert link == {"text": "وب‌سایت پلیس", "url": "https://epolice.ir/"}
        api.deliver(callback_update(api, 11, long["callback_data"]))
        sent = replies(api, 11, 3)
        assert rasa.calls[-1]["message"] == LONG_PAYLOAD
        assert "answerCallbackQuery" in api.methods()
        assert "کد پیگیری: 1000-0000-09" in sent[-1]["text"]
        assert "09121234567" not in sent[-1]["text"]


def test_an_unknown_long_payload_key_gets_a_polite_answer(tmp_path):
    with running(tmp_path) as (api, rasa, _):
        api.deliver(callback_update(api, 12, "§" + "0" * 24))
        assert "دیگر در دسترس نیست" in replies(api, 12, 1)[0]["text"]
        assert rasa.calls == []


def test_reply_keyboards_map_a_tapped_title_back_to_its_payload(tmp_path):
    with running(tmp_path, channel="bale", prefix="/tapi", bale_keyboard="reply") as (api, rasa, _):
        api.deliver(text_update(api, 21, "گذرنامه"))
        first = replies(api, 21, 1)[0]
        rows = first["reply_markup"]["keyboard"]
        assert [row[0]["text"] for row in rows] == ["صدور گذرنامه", "تمدید گذرنامه"]
        assert "https://epolice.ir/" in first["text"]
        api.deliver(text_update(api, 21, "صدور گذرنامه"))
        sent = replies(api, 21, 3)
        assert rasa.calls[-1]["message"] == '/inform{"service_code":"10202000001"}'
        assert sent[1]["reply_markup"] == {"remove_keyboard": True}


def test_asking_for_a_mobile_offers_share_my_number(tmp_path):
    with running(tmp_path) as (api, rasa, _):
        api.deliver(text_update(api, 31, "موبایل"))
        sent = replies(api, 31, 1)
        button = sent[0]["reply_markup"]["keyboard"][0][0]
        assert button == {"text": "ارسال شمارهٔ همراه من", "request_contact": True}
        own = {"phone_number": "+989121234567", "first_name": "شهروند", "user_id": 31}
        api.deliver(message_update(api, 31, contact=own))
        replies(api, 31, 2)
        assert rasa.calls[-1]["message"] == "09121234567"
        assert rasa.calls[-1]["metadata"] == {"channel": "telegram", "contact_verified": True}
        other = {**own, "user_id": 999}
        api.deliver(message_update(api, 31, contact=other))
        assert "شمارهٔ همراه خودتان" in replies(api, 31, 3)[-1]["text"]
        assert len(rasa.calls) == 2


def domain_response_as_rest(response: str, sender: str) -> list[dict[str, Any]]:
    """A domain.yml response as Rasa's REST channel sends it: the text (split at blank lines),
    then its custom payload apart (tests/actions/test_rest_output.py checks that with Rasa)."""
    domain = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
    [variant] = domain["responses"][response]
    output = [
        {"recipient_id": sender, "text": part} for part in variant["text"].strip().split("\n\n")
    ]
    if variant.get("custom"):
        output.append({"recipient_id": sender, "custom": variant["custom"]})
    return output


@pytest.mark.parametrize(
    ("channel", "prefix"), [("telegram", ""), ("bale", "/tapi")], ids=["telegram", "bale"]
)
def test_the_domains_mobile_question_shows_a_share_my_number_button(tmp_path, channel, prefix):
    with running(tmp_path, channel=channel, prefix=prefix) as (api, rasa, _):
        rasa.answer = lambda sender, _message: domain_response_as_rest("utter_ask_mobile", sender)
        api.deliver(text_update(api, 32, "می‌خواهم درخواست ثبت کنم"))
        [sent] = replies(api, 32, 1)
    assert sent["text"].startswith("شمارهٔ تلفن همراه خود را وارد کنید")
    keyboard = sent["reply_markup"]["keyboard"]
    assert {"text": "ارسال شمارهٔ همراه من", "request_contact": True} in keyboard[0]
    assert rasa.calls[0]["sender"] == f"{channel}:32"


def test_non_text_updates_get_a_polite_persian_answer_never_a_crash(tmp_path):
    sticker = {
        "file_id": "s1",
        "file_unique_id": "us1",
        "type": "regular",
        "width": 512,
        "height": 512,
        "is_animated": False,
        "is_video": False,
    }
    voice = {"file_id": "v1", "file_unique_id": "uv1", "duration": 3}
    location = {"latitude": 35.7, "longitude": 51.4}
    poll = {
        "id": "p",
        "question": "?",
        "options": [],
        "total_voter_count": 0,
        "is_closed": False,
        "is_anonymous": True,
        "type": "regular",
        "allows_multiple_answers": False,
    }
    with running(tmp_path) as (api, rasa, _):
        api.deliver(message_update(api, 41, sticker=sticker))
        api.deliver(message_update(api, 41, voice=voice))
        api.deliver(message_update(api, 41, location=location))
        api.deliver(message_update(api, 41, poll=poll))
        api.deliver(edited_update(api, 41, "ویرایش"))
        api.deliver({"update_id": api.next_update_id(), "my_chat_member": {"bogus": True}})
        api.deliver(text_update(api, -100, "سلام", chat_type="group"))
        texts = [m["text"] for m in replies(api, 41, 5)]
        assert "نوشتاری" in texts[0] and "صوتی" in texts[1] and "موقعیت" in texts[2]
        assert "نوشتاری" in texts[3] and "ویرایش" in texts[4]
        assert rasa.calls == [] and api.sent(-100) == []


def test_a_too_long_message_is_refused_politely_not_cut(tmp_path):
    with running(tmp_path, max_message_chars=50) as (api, rasa, _):
        api.deliver(text_update(api, 43, "توضیح " * 20))
        [answer] = replies(api, 43, 1)
        assert "۵۰" in answer["text"] and "طولانی" in answer["text"]
        assert rasa.calls == []


def test_a_photo_or_document_becomes_an_attachment_of_the_filed_request(tmp_path):
    backend = FakeBackend()
    photo = [
        {"file_id": "small", "file_unique_id": "s", "width": 90, "height": 90},
        {"file_id": "big", "file_unique_id": "b", "width": 800, "height": 800, "file_size": 2000},
    ]
    with running(tmp_path, backend=backend) as (api, _rasa, _):
        api.files["documents/big"] = b"\xff\xd8\xff\xe0" + b"0" * 1996
        api.deliver(message_update(api, 51, photo=photo))
        assert "ابتدا درخواست خود را" in replies(api, 51, 1)[0]["text"]
        api.deliver(text_update(api, 51, "ثبت"))
        replies(api, 51, 3)
        api.deliver(message_update(api, 51, photo=photo))
        assert "پیوست شد" in replies(api, 51, 4)[-1]["text"]
        assert "getFile" in api.methods()
        assert len(backend.attachments) == 1
        body = backend.attachments[0]["body"]
        assert b"09121234567" in body and b"1000000009" in body
        document = {
            "file_id": "doc",
            "file_unique_id": "d",
            "file_name": "x.exe",
            "mime_type": "application/x-msdownload",
            "file_size": 10,
        }
        api.deliver(message_update(api, 51, document=document))
        assert "PDF" in replies(api, 51, 5)[-1]["text"]
        huge = {**document, "mime_type": "application/pdf", "file_size": 50 * 1024 * 1024}
        api.deliver(message_update(api, 51, document=huge))
        assert "مگابایت" in replies(api, 51, 6)[-1]["text"]
        assert len(backend.attachments) == 1


def test_flood_control_is_waited_out_and_the_message_sent_once(tmp_path):
    with running(tmp_path) as (api, _rasa, _):
        api.flood["sendMessage"] = 1
        started = time.monotonic()
        api.deliver(text_update(api, 61, "سلام"))
        assert len(replies(api, 61, 1)) == 1
        assert time.monotonic() - started >= 1.0


def test_polled_updates_of_one_chat_are_answered_in_order(tmp_path):
    with running(tmp_path) as (api, _rasa, _):
        for i in range(8):
            api.deliver(text_update(api, 65, f"پیام {i}"))
        texts = [m["text"] for m in replies(api, 65, 8)]
        assert texts == [f"پاسخ به: پیام {i}" for i in range(8)]


def test_sends_to_one_chat_are_throttled(tmp_path):
    limits = {"bot_chat_rate": 5.0, "bot_chat_burst": 1}
    with running(tmp_path, **limits) as (api, _rasa, _):
        for word in ("یک", "دو", "سه", "چهار"):
            api.deliver(text_update(api, 71, word))
        replies(api, 71, 4)
        times = [c.at for c in api.calls if c.method == "sendMessage"]
        assert times[-1] - times[0] >= 0.55  # 4 messages at 5 a second, no burst


def test_a_refused_keyboard_still_delivers_the_text(tmp_path):
    with running(tmp_path, channel="bale", prefix="/tapi") as (api, _rasa, _):
        api.refuse_markup = True
        api.deliver(text_update(api, 81, "گذرنامه"))
        assert replies(api, 81, 1)[0]["text"] == "کدام خدمت را می‌خواهید؟"


@pytest.mark.slow  # a thousand calls: make test runs it, make test-fast does not
def test_a_burst_of_1000_webhook_updates_is_answered_exactly_once_each(tmp_path):
    with running(tmp_path, "telegram", "webhook") as (api, rasa, _):
        updates = [text_update(api, 1000 + i % 100, f"پیام {i}") for i in range(1000)]
        secret = api.webhook["secret_token"]
        url = api.webhook["url"]

        async def burst() -> list[int]:
            limit = asyncio.Semaphore(100)
            async with httpx.AsyncClient(timeout=60) as client:

                async def post(update: dict[str, Any]) -> int:
                    async with limit:
                        headers = {"X-Telegram-Bot-Api-Secret-Token": secret}
                        return (await client.post(url, json=update, headers=headers)).status_code

                return await asyncio.gather(*(post(u) for u in updates + updates[:100]))

        statuses = asyncio.run(burst())
        assert set(statuses) == {200}
        wait_for(lambda: len(api.sent()) >= 1000, 60, "1000 replies")
        time.sleep(0.3)
        texts = [m["text"] for m in api.sent()]
        assert len(texts) == 1000
        assert sorted(texts) == sorted(f"پاسخ به: پیام {i}" for i in range(1000))
        assert len(rasa.calls) == 1000


def test_the_receipt_is_rendered_as_plain_lines():
    from connectors.messages import parse_rasa
    from connectors.render import receipt_text
    from connectors.settings import GatewaySettings
    from connectors.texts import Texts

    texts = Texts.load(GatewaySettings.model_fields["texts_file"].default)
    parsed = parse_rasa([{"custom": dict(RECEIPT)}])
    text = receipt_text(parsed.replies[0].receipt, texts)
    assert "کد پیگیری: 1000-0000-09" in text and "هزینه: ۱۲۰٬۰۰۰ ریال" in text
    assert parsed.proofs[0].mobile == "09121234567" and "0912" not in text
