"""Two Rasa replicas behind the gateway, as `make run` starts them with DASTYAR_RASA_REPLICAS=2.

A web conversation goes through the gateway; the Rasa replica serving it is killed (kill -9)
between two of its messages; the conversation continues on the other replica, and the gateway's
web history and the shared tracker show every message once, each answered once, no apology.
The tracker store is a fresh PostgreSQL database, the lock store Redis on 127.0.0.1.
"""

from __future__ import annotations

import os
import secrets
import signal
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import redis
import yaml

from assistant.local_stack import LocalStack, local_stack
from assistant.settings import ROOT
from assistant.stack import latest_model
from connectors.replicas import rank
from shared.settings import models_dir
from tests.e2e.test_rasa_replicas import postgres, require

pytestmark = [pytest.mark.e2e, pytest.mark.postgres]

REDIS_URL = "redis://127.0.0.1:6379/12"
APOLOGY = yaml.safe_load((ROOT / "data/locale/connectors.fa.yaml").read_text(encoding="utf-8"))[
    "gateway"
]["assistant_unavailable"]


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalStack]:
    """The whole stack with two Rasa replicas on one tracker database and one lock store."""
    if latest_model(models_dir()) is None:
        pytest.fail("no trained model in models/: `make test` trains one first")
    require("PostgreSQL", lambda: postgres("SELECT 1"))
    require("Redis", lambda: redis.Redis.from_url(REDIS_URL).ping())
    database = f"dastyar_test_gateway_replicas_{secrets.token_hex(4)}"
    env = {
        "DASTYAR_RASA_REPLICAS": "2",
        "DASTYAR_RASA_TRACKER_STORE_URL": f"postgresql://postgres@127.0.0.1:5432/{database}",
        "DASTYAR_RASA_LOCK_STORE_URL": REDIS_URL,
        "DASTYAR_START_TIMEOUT": "420",
    }
    try:
        with local_stack(tmp_path_factory.mktemp("replicas"), timeout=1200, env=env) as running:
            yield running
    finally:
        postgres(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


def rasa_pid(port: int) -> int:
    """The process serving Rasa on ``port`` (found by its command line)."""
    wanted = ["rasa", "run", "--port", str(port)]
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            argv = (entry / "cmdline").read_bytes().decode().split("\0")
        except OSError:
            continue
        if all(word in argv for word in wanted) and argv[argv.index("--port") + 1] == str(port):
            return int(entry.name)
    raise AssertionError(f"no Rasa process on port {port}")


def chat(gateway: str, session: str, text: str) -> list[str]:
    """One message through the gateway's web channel; the texts shown to the citizen."""
    reply = httpx.post(
        f"{gateway}/api/chat", json={"sender": session, "message": text}, timeout=120
    )
    assert reply.status_code == 200, reply.text
    return [m.get("text", "") for m in reply.json()["messages"]]


def test_killing_a_replica_mid_conversation_loses_and_repeats_nothing(stack: LocalStack) -> None:
    gateway = stack.url("GATEWAY")
    first = stack.ports["RASA"]
    urls = [f"http://127.0.0.1:{port}" for port in (first, first + 1)]
    banner = stack.out.read_text(encoding="utf-8")
    assert all(url in banner for url in urls), banner
    # a conversation whose replica is the one to be killed (the gateway ranks by its sender)
    session = next(
        f"replicas{n:04d}" for n in range(1000) if rank(f"web:replicas{n:04d}", urls)[0] == urls[1]
    )
    sender = f"web:{session}"
    said = ["سلام وقت بخیر", "خیلی ممنون از راهنماییتون"]
    answers = [chat(gateway, session, text) for text in said]

    victim = rasa_pid(first + 1)
    os.kill(victim, signal.SIGKILL)
    deadline = time.monotonic() + 30
    while "✗ rasa-2 stopped" not in stack.out.read_text(encoding="utf-8"):
        assert time.monotonic() < deadline, stack.out.read_text(encoding="utf-8")[-2000:]
        time.sleep(0.5)
    assert "still serving: rasa-1" in stack.out.read_text(encoding="utf-8")

    more = ["چه کارهایی میتونی انجام بدی؟", "ممنون"]
    answers += [chat(gateway, session, text) for text in more]
    said += more
    assert all(texts and APOLOGY not in texts for texts in answers), answers
    assert any("دستیار" in text for text in answers[0])
    assert "مدارکی" in " ".join(answers[2])  # answered by the other replica, with its actions

    # the gateway's web history: each message once, followed by its one answer
    entries: list[dict[str, Any]] = httpx.get(
        f"{gateway}/api/history", params={"sender": session}, timeout=30
    ).json()["entries"]
    assert [e["text"] for e in entries if e["who"] == "user"] == said
    replies = [e["text"] for e in entries if e["who"] == "bot" and e.get("text")]
    assert replies == [text for texts in answers for text in texts if text]

    # the shared tracker, read through the surviving replica: the same four messages, once each
    tracker = httpx.get(f"{urls[0]}/conversations/{sender}/tracker", timeout=30).json()
    assert [e["text"] for e in tracker["events"] if e["event"] == "user"] == said
    bot_texts = [e["text"] for e in tracker["events"] if e["event"] == "bot" and e.get("text")]
    assert bot_texts == replies

    health = httpx.get(f"{gateway}/health", timeout=30).json()
    assert health["rasa"] == "ok"
    assert stack.process.poll() is None  # the stack is still up
