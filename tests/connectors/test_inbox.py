"""Acknowledged bot and SMS messages survive a gateway that dies before answering them."""

from __future__ import annotations

import asyncio
import json
import time

from connectors.inbox import Inbox
from connectors.store import Store
from tests.connectors.servers import wait_for
from tests.connectors.test_bots import running
from tests.connectors.test_sms import CITIZEN, inbound, post_signed, sms_gateway

QUICK_REPLAY = {"inbox_replay_after_s": 0.3, "inbox_sweep_s": 0.1}


def _left_unanswered(tmp_path, channel: str, key: str, payload: dict) -> None:
    """What a gateway that died right after its 200 leaves behind."""
    store = Store(f"sqlite:///{tmp_path / 'gateway.db'}")
    try:
        assert store.first_seen(channel, key, json.dumps(payload, ensure_ascii=False))
    finally:
        store.close()


def test_the_store_hands_an_unhandled_message_to_one_claimer_once(tmp_path):
    store = Store(f"sqlite:///{tmp_path / 'gateway.db'}")
    try:
        assert store.first_seen("sms", "m1", '{"text": "سلام"}')
        assert not store.first_seen("sms", "m1", '{"text": "سلام"}')  # the provider's retry
        assert store.claim_unhandled("sms", 60, 3) == []  # too fresh: maybe still in hand
        time.sleep(0.05)
        assert store.claim_unhandled("sms", 0.01, 3) == [("m1", '{"text": "سلام"}')]
        assert store.claim_unhandled("sms", 0.01, 3) == []  # claimed: its clock starts again
        store.inbox_done("sms", "m1")
        time.sleep(0.05)
        assert store.claim_unhandled("sms", 0.01, 3) == []
    finally:
        store.close()


def test_a_message_failing_every_time_is_dropped_after_its_tries(tmp_path):
    store = Store(f"sqlite:///{tmp_path / 'gateway.db'}")
    try:
        store.first_seen("telegram", "7", "{}")
        for _ in range(2):
            time.sleep(0.02)
            assert len(store.claim_unhandled("telegram", 0.01, 2)) == 1
        time.sleep(0.02)
        assert store.claim_unhandled("telegram", 0.01, 2) == []
        assert store.first_seen("telegram", "7", "{}") is False  # still never answered twice
    finally:
        store.close()


def test_a_message_cut_off_at_shutdown_stays_kept(tmp_path):
    store = Store(f"sqlite:///{tmp_path / 'gateway.db'}")
    started = asyncio.Event()

    async def slow(_payload: dict) -> None:
        started.set()
        await asyncio.sleep(30)

    async def scenario() -> None:
        inbox = Inbox(store, "sms", slow, replay_after_s=0.01, sweep_every_s=60)
        assert await inbox.accept("m9", {"text": "سلام"})
        await started.wait()
        await inbox.stop(timeout=0.05)
        for task in list(inbox._tasks):
            task.cancel()
        await asyncio.gather(*inbox._tasks, return_exceptions=True)

    try:
        asyncio.run(scenario())
        time.sleep(0.05)
        assert [key for key, _ in store.claim_unhandled("sms", 0.01, 3)] == ["m9"]
    finally:
        store.close()


def test_an_sms_acknowledged_before_a_crash_is_answered_after_the_restart(tmp_path):
    sms = {"message_id": "crash-1", "sender": CITIZEN, "receiver": "10004346", "text": "سلام"}
    _left_unanswered(tmp_path, "sms", "crash-1", sms)
    with sms_gateway(tmp_path, **QUICK_REPLAY) as (provider, rasa, url):
        wait_for(lambda: provider.to(CITIZEN), message="the kept message to be answered")
        assert [c["message"] for c in rasa.calls] == ["سلام"]
        post_signed(url, inbound("crash-1", "سلام"))  # the provider retrying: not again
        time.sleep(0.5)
        assert len(provider.to(CITIZEN)) == 1 and len(rasa.calls) == 1


def test_a_telegram_update_acknowledged_before_a_crash_is_answered_after_the_restart(tmp_path):
    update = {
        "update_id": 900,
        "message": {
            "message_id": 1,
            "date": int(time.time()),
            "chat": {"id": 77, "type": "private"},
            "from": {"id": 77, "is_bot": False, "first_name": "مریم"},
            "text": "سلام",
        },
    }
    _left_unanswered(tmp_path, "telegram", "900", update)
    with running(tmp_path, **QUICK_REPLAY) as (api, rasa, _):
        wait_for(lambda: api.sent(77), message="the kept update to be answered")
        time.sleep(0.5)
        assert len(api.sent(77)) == 1 and [c["message"] for c in rasa.calls] == ["سلام"]
        assert rasa.calls[0]["sender"] == "telegram:77"
