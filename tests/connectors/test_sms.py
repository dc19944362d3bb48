"""SMS: segmenting, numbered options, and the channel against a local fake Kavenegar-style gateway.

The gateway runs on a real port; the provider calls its inbound webhook as the real one would
(form fields messageid, from, to, message), signed with the shared secret.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest

from connectors.app import create_app
from connectors.messages import Button, Reply
from connectors.settings import GatewaySettings
from connectors.sms import segments
from connectors.sms.channel import SmsChannel
from connectors.sms.options import choice, numbered
from connectors.sms.router import SIGNATURE_HEADER, signature
from connectors.texts import Texts
from tests.connectors.conftest import ScriptedRasa, assistant, make_settings
from tests.connectors.fake_sms import FakeSmsGateway
from tests.connectors.servers import ServerThread, wait_for

API_KEY = "6A7B-fake-kavenegar-key"
SECRET = "sms-inbound-shared-secret"
CITIZEN = "09121234567"

TEXTS = Texts.load(GatewaySettings.model_fields["texts_file"].default)


# --- segments ---
@pytest.mark.parametrize(
    ("length", "parts"), [(1, 1), (70, 1), (71, 2), (134, 2), (135, 3), (67 * 5, 5)]
)
def test_persian_text_is_ucs2_70_alone_67_per_part(length, parts):
    text = ("سلام " * 100)[:length]
    assert segments.count(text) == parts
    pieces = segments.split(text)
    assert "".join(pieces) == text
    assert all(len(p) <= (70 if parts == 1 else 67) for p in pieces)


@pytest.mark.parametrize(("length", "parts"), [(160, 1), (161, 2), (306, 2), (307, 3)])
def test_latin_finglish_text_is_gsm7_160_alone_153_per_part(length, parts):
    assert segments.count(("salam khubi " * 40)[:length]) == parts


def test_an_emoji_costs_two_ucs2_units_and_is_never_cut_in_two():
    text = "😀" * 35
    assert segments.count(text) == 1
    assert segments.count(text + "😀") == 2
    assert all(p == "😀" * len(p) for p in segments.split(text + "😀"))


def test_a_long_reply_is_cut_to_the_part_cap_with_a_notice():
    suffix = TEXTS.get("sms.truncated")
    text = "پاسخ بسیار طولانی " * 60
    cut = segments.fit(text, 3, suffix)
    assert segments.count(cut) == 3 and cut.endswith(suffix)
    assert segments.fit("کوتاه", 3, suffix) == "کوتاه"


# --- options ---
def test_buttons_become_numbered_options_and_links_stay_links():
    buttons = [
        Button("صدور گذرنامه", "/inform_a"),
        Button("وب‌سایت", url="https://epolice.ir/"),
        Button("تمدید", "/inform_b"),
    ]
    lines, remembered = numbered(buttons, TEXTS)
    assert lines.splitlines()[:3] == ["۱) صدور گذرنامه", "وب‌سایت: https://epolice.ir/", "۲) تمدید"]
    assert remembered == [
        {"title": "صدور گذرنامه", "payload": "/inform_a"},
        {"title": "تمدید", "payload": "/inform_b"},
    ]


def _renderer(max_parts: int = 5) -> SmsChannel:
    # render() uses only the texts and the part cap
    return SmsChannel(None, TEXTS, None, None, max_parts, 2000)  # type: ignore[arg-type]


def test_options_of_several_replies_in_one_turn_are_numbered_on():
    replies = [
        Reply("کدام خدمت؟", [Button("صدور گذرنامه", "/a"), Button("تمدید گذرنامه", "/b")]),
        Reply("یا می‌خواهید با کارشناس صحبت کنید؟", [Button("کارشناس", "/ask_human")]),
    ]
    body, offered = _renderer().render(replies)
    assert "۳) کارشناس" in body.splitlines()
    assert [o["payload"] for o in offered] == ["/a", "/b", "/ask_human"]
    assert choice("۳", offered) == "/ask_human"


def test_a_cut_reply_keeps_every_option():
    replies = [Reply("توضیح " * 120, [Button("بله", "/affirm"), Button("خیر", "/deny")])]
    body, offered = _renderer(max_parts=2).render(replies)
    assert segments.count(body) <= 2
    assert TEXTS.get("sms.truncated") in body
    assert body.splitlines()[-3:-1] == ["۱) بله", "۲) خیر"]
    assert len(offered) == 2


@pytest.mark.parametrize(
    ("reply", "payload"),
    [
        ("۲", "/b"),
        ("2", "/b"),
        ("٢", "/b"),
        (" 2) ", "/b"),
        ("۱.", "/a"),
        ("۳", None),
        ("2 تا", None),
    ],
)
def test_a_number_picks_an_option(reply, payload):
    assert (
        choice(reply, [{"title": "a", "payload": "/a"}, {"title": "b", "payload": "/b"}]) == payload
    )


# --- the channel end to end ---
@contextmanager
def sms_gateway(tmp_path, **values: Any) -> Iterator[tuple[FakeSmsGateway, ScriptedRasa, str]]:
    provider = FakeSmsGateway(API_KEY)
    rasa = ScriptedRasa(assistant)
    with ServerThread(provider.app) as fake:
        settings = make_settings(
            tmp_path,
            sms_api_key=API_KEY,
            sms_base_url=fake.url,
            sms_sender="10004346",
            sms_inbound_secret=SECRET,
            **values,
        )
        with ServerThread(create_app(settings, rasa.client())) as gateway:
            yield provider, rasa, f"{gateway.url}/channels/sms/inbound"


def inbound(message_id: str, text: str, sender: str = CITIZEN) -> dict[str, str]:
    return {"messageid": message_id, "from": sender, "to": "10004346", "message": text}


def post_signed(url: str, fields: dict[str, str]) -> httpx.Response:
    body = urlencode(fields).encode()
    headers = {
        "content-type": "application/x-www-form-urlencoded",
        SIGNATURE_HEADER: signature(SECRET, body),
    }
    return httpx.post(url, content=body, headers=headers)


def test_the_inbound_webhook_is_authenticated(tmp_path):
    with sms_gateway(tmp_path) as (provider, rasa, url):
        fields = inbound("1", "سلام")
        assert httpx.post(url, data=fields).status_code == 401
        forged = {SIGNATURE_HEADER: signature("not-the-secret", urlencode(fields).encode())}
        assert httpx.post(url, data=fields, headers=forged).status_code == 401
        assert httpx.get(url, params={**fields, "secret": "wrong"}).status_code == 401
        assert rasa.calls == []
        assert httpx.get(url, params={**fields, "secret": SECRET}).status_code == 200
        wait_for(lambda: provider.to(CITIZEN), message="the reply")
        assert provider.to(CITIZEN) == ["پاسخ به: سلام"]
        assert provider.sent[0]["sender"] == "10004346"


def test_a_provider_retry_is_not_answered_twice(tmp_path):
    with sms_gateway(tmp_path) as (provider, rasa, url):
        assert post_signed(url, inbound("42", "سلام")).json() == {"ok": True, "duplicate": False}
        assert post_signed(url, inbound("42", "سلام")).json() == {"ok": True, "duplicate": True}
        wait_for(lambda: provider.to(CITIZEN), message="the reply")
        time.sleep(0.2)
        assert len(provider.to(CITIZEN)) == 1 and len(rasa.calls) == 1


def test_a_json_call_without_a_message_id_is_refused(tmp_path):
    with sms_gateway(tmp_path) as (_provider, rasa, url):
        body = b'{"from": "09121234567", "message": "hi"}'
        headers = {"content-type": "application/json", SIGNATURE_HEADER: signature(SECRET, body)}
        assert httpx.post(url, content=body, headers=headers).status_code == 400
        assert rasa.calls == []


def test_options_are_numbered_and_a_persian_or_latin_digit_chooses(tmp_path):
    with sms_gateway(tmp_path) as (provider, rasa, url):
        post_signed(url, inbound("1", "گذرنامه می‌خواهم", sender="+989121234567"))
        wait_for(lambda: provider.to(CITIZEN), message="the options")
        lines = provider.to(CITIZEN)[0].splitlines()
        assert lines[1:3] == ["۱) صدور گذرنامه", "۲) تمدید گذرنامه"]
        assert rasa.calls[0]["sender"] == f"sms:{CITIZEN}"
        post_signed(url, inbound("2", "۱"))
        wait_for(lambda: len(provider.to(CITIZEN)) == 2, message="the receipt")
        assert rasa.calls[1]["message"] == '/inform{"service_code":"10202000001"}'
        receipt = provider.to(CITIZEN)[1]
        assert "کد پیگیری: 1000-0000-09" in receipt and CITIZEN not in receipt
        assert segments.count(receipt) <= 5
        post_signed(url, inbound("3", "2"))  # no options offered any more: plain text
        wait_for(lambda: len(provider.to(CITIZEN)) == 3, message="the third reply")
        assert rasa.calls[2]["message"] == "2"


def test_finglish_goes_to_the_assistant_as_it_is(tmp_path):
    with sms_gateway(tmp_path) as (provider, rasa, url):
        post_signed(url, inbound("9", "salam, gozarnameh mikham"))
        wait_for(lambda: provider.to(CITIZEN), message="the reply")
        assert rasa.calls[0]["message"] == "salam, gozarnameh mikham"


def test_a_long_answer_is_capped_in_parts(tmp_path):
    with sms_gateway(tmp_path, sms_max_parts=2) as (provider, _rasa, url):
        post_signed(url, inbound("5", "توضیح " * 100))
        wait_for(lambda: provider.to(CITIZEN), message="the reply")
        reply = provider.to(CITIZEN)[0]
        assert segments.count(reply) == 2 and reply.endswith(TEXTS.get("sms.truncated"))


def test_numbers_are_masked_in_the_logs(tmp_path, caplog):
    caplog.set_level(logging.INFO)
    with sms_gateway(tmp_path) as (provider, _rasa, url):
        provider.down = True
        post_signed(url, inbound("77", "سلام"))
        wait_for(lambda: "not delivered" in caplog.text, message="the failure log")
    assert "0912*****67" in caplog.text
    assert CITIZEN not in caplog.text and API_KEY not in caplog.text


@pytest.mark.slow  # a thousand calls: make test runs it, make test-fast does not
def test_a_burst_of_1000_inbound_sms_is_answered_exactly_once_each(tmp_path):
    with sms_gateway(tmp_path) as (provider, rasa, url):
        calls = [inbound(f"m{i}", f"پیام {i}", sender=f"0912000{i % 100:04d}") for i in range(1000)]

        async def burst() -> list[int]:
            limit = asyncio.Semaphore(100)
            async with httpx.AsyncClient(timeout=60) as client:

                async def post(fields: dict[str, str]) -> int:
                    body = urlencode(fields).encode()
                    headers = {
                        "content-type": "application/x-www-form-urlencoded",
                        SIGNATURE_HEADER: signature(SECRET, body),
                    }
                    async with limit:
                        return (await client.post(url, content=body, headers=headers)).status_code

                return await asyncio.gather(*(post(f) for f in calls + calls[:100]))

        assert set(asyncio.run(burst())) == {200}
        wait_for(lambda: len(provider.sent) >= 1000, 60, "1000 replies")
        time.sleep(0.3)
        assert sorted(m["message"] for m in provider.sent) == sorted(
            f"پاسخ به: پیام {i}" for i in range(1000)
        )
        assert len(rasa.calls) == 1000
