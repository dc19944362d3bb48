"""The gateway spreads conversations over Rasa replicas: sticky by sender, failing over when
one is down, never sending a message twice, and coming back when the replica is healthy."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from typing import Any

import pytest
from fastapi import FastAPI, Request, Response

from connectors.rasa_client import RasaClient, RasaUnavailable
from connectors.replicas import ReplicaSet, Try, rank
from shared.settings import rasa_urls
from tests.connectors.servers import ServerThread

URLS = ["http://10.0.0.1:5005", "http://10.0.0.2:5005", "http://10.0.0.3:5005"]
SENDERS = [f"web:{n:04d}" for n in range(3000)]


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_the_setting_lists_replicas_comma_separated() -> None:
    assert rasa_urls("http://a:5005/, http://b:5006 ,,http://a:5005") == [
        "http://a:5005",
        "http://b:5006",
    ]
    assert rasa_urls("http://127.0.0.1:5005") == ["http://127.0.0.1:5005"]


def test_each_sender_has_one_replica_and_the_load_is_spread() -> None:
    first = Counter(rank(sender, URLS)[0] for sender in SENDERS)
    assert set(first) == set(URLS)
    assert all(800 <= count <= 1200 for count in first.values()), first
    # the order of the list does not matter, only its members
    assert all(rank(s, URLS) == rank(s, list(reversed(URLS))) for s in SENDERS[:200])


def test_a_replica_leaving_moves_only_its_own_conversations() -> None:
    before = {s: rank(s, URLS)[0] for s in SENDERS}
    after = {s: rank(s, URLS[:2])[0] for s in SENDERS}
    moved = [s for s in SENDERS if before[s] != after[s]]
    assert moved and all(before[s] == URLS[2] for s in moved)
    assert len(moved) == sum(1 for s in SENDERS if before[s] == URLS[2])
    # and each moved conversation goes to its own second choice
    assert all(after[s] == rank(s, URLS)[1] for s in moved)


def test_a_down_replica_rests_then_is_probed_before_it_gets_messages_again() -> None:
    clock = Clock()
    replicas = ReplicaSet(URLS, retry_after=5.0, clock=clock)
    sender = SENDERS[0]
    home, second, third = rank(sender, URLS)
    assert replicas.plan(sender) == [Try(home, False), Try(second, False), Try(third, False)]
    replicas.down(home)
    # resting: tried only as a last resort, after a health check
    assert replicas.plan(sender) == [Try(second, False), Try(third, False), Try(home, True)]
    clock.now += 5.0
    assert replicas.plan(sender)[0] == Try(home, True)  # back in its place, probed first
    replicas.up(home)
    assert replicas.plan(sender)[0] == Try(home, False)


def test_every_replica_down_still_leaves_a_plan() -> None:
    replicas = ReplicaSet(URLS[:2], clock=Clock())
    for url in URLS[:2]:
        replicas.down(url)
    assert [step.url for step in replicas.plan("web:x")] == rank("web:x", URLS[:2])
    assert all(step.probe for step in replicas.plan("web:x"))
    with pytest.raises(ValueError):
        ReplicaSet([])


class FakeRasa:
    """A REST channel that records what it received; ``mode`` makes it slow or fail."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.received: list[str] = []
        self.mode = "ok"
        self.app = FastAPI()

        @self.app.get("/")
        def hello() -> str:
            return "Hello from Rasa"

        @self.app.post("/webhooks/rest/webhook")
        async def webhook(request: Request) -> Any:
            body = await request.json()
            self.received.append(body["message"])
            if self.mode == "slow":
                await asyncio.sleep(3)
            if self.mode == "error":
                return Response(status_code=500)
            return [{"recipient_id": body["sender"], "text": f"{self.name}: {body['message']}"}]


def sender_homed_on(urls: list[str], url: str) -> str:
    return next(s for s in SENDERS if rank(s, urls)[0] == url)


def test_failover_when_the_replica_is_gone_and_home_again_when_it_is_back() -> None:
    a, b = FakeRasa("a"), FakeRasa("b")
    server_a, server_b = ServerThread(a.app), ServerThread(b.app)
    urls = [server_a.url, server_b.url]
    sender = sender_homed_on(urls, server_a.url)
    client = RasaClient(",".join(urls), timeout=5, retry_after=0.3)
    loop = asyncio.new_event_loop()  # one loop: the client keeps its connections between turns

    def say(text: str) -> str:
        replies = loop.run_until_complete(client.send(sender, text))
        return str(replies[0]["text"])

    with server_b:
        with server_a:
            assert say("1") == "a: 1"
            assert say("2") == "a: 2"
        # a is gone (its idle connection too): the next message is not lost, b answers it once
        assert say("3") == "b: 3"
        assert say("4") == "b: 4"
        assert loop.run_until_complete(client.healthy())
        time.sleep(0.35)
        with ServerThread(a.app, port=server_a.port):
            assert say("5") == "a: 5"  # probed, healthy: home again
        loop.run_until_complete(client.aclose())
        loop.close()
    assert a.received == ["1", "2", "5"]
    assert b.received == ["3", "4"]


@pytest.mark.parametrize("mode", ["slow", "error"])
def test_a_message_that_may_have_arrived_is_not_sent_again(mode: str) -> None:
    a, b = FakeRasa("a"), FakeRasa("b")
    with ServerThread(a.app) as server_a, ServerThread(b.app) as server_b:
        urls = [server_a.url, server_b.url]
        sender = sender_homed_on(urls, server_a.url)
        client = RasaClient(",".join(urls), timeout=1, retry_after=60)

        async def talk() -> str:
            try:
                a.mode = mode
                with pytest.raises(RasaUnavailable):
                    await client.send(sender, "filed once")
                a.mode = "ok"
                replies = await client.send(sender, "next")  # a rests: b takes the conversation
                return str(replies[0]["text"])
            finally:
                await client.aclose()

        assert asyncio.run(talk()) == "b: next"
    assert a.received == ["filed once"]
    assert b.received == ["next"]


def test_nothing_reachable_is_rasa_unavailable() -> None:
    client = RasaClient("http://127.0.0.1:9,http://127.0.0.1:10", timeout=1)

    async def talk() -> tuple[bool, bool]:
        try:
            with pytest.raises(RasaUnavailable):
                await client.send("web:x", "سلام")
            every_down = all(client.replicas.is_down(u) for u in client.replicas.urls)
            return await client.healthy(), every_down
        finally:
            await client.aclose()

    assert asyncio.run(talk()) == (False, True)
