"""Two Rasa replicas serving the same citizens: tracker store on PostgreSQL, locks in Redis.

This is the scale-out setting of `.env.example` (``DASTYAR_RASA_TRACKER_STORE_URL`` and
``DASTYAR_RASA_LOCK_STORE_URL``), with the endpoints file `python -m assistant run` writes,
the trained model, and the PostgreSQL and Redis servers on 127.0.0.1.
"""

from __future__ import annotations

import os
import secrets
import subprocess
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest
import redis
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from assistant.rasa_endpoints import LOCK_KEY_PREFIX, write_endpoints
from assistant.settings import ROOT, AssistantSettings
from assistant.stack import latest_model
from shared.settings import models_dir
from tests.support.ports import free_port
from tests.support.services import unavailable

pytestmark = [pytest.mark.e2e, pytest.mark.postgres]

POSTGRES_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
REDIS_URL = "redis://127.0.0.1:6379/11"
START_TIMEOUT = 420.0


def require(service: str, check: Any) -> None:
    """Skip when ``service`` does not answer, or fail where CI says it must be there."""
    try:
        check()
    except Exception as exc:
        unavailable(f"{service} on 127.0.0.1", str(exc))


def postgres(statement: str) -> None:
    """Run one statement on the PostgreSQL server outside a transaction."""
    engine = create_engine(POSTGRES_SERVER, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.execute(text(statement))
    finally:
        engine.dispose()


@pytest.fixture(scope="module")
def replicas(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """Two ``rasa run`` processes on one tracker database and one Redis lock store."""
    model = latest_model(models_dir())
    if model is None:
        pytest.fail("no trained model in models/: `make test` trains one first")
    require("PostgreSQL", lambda: postgres("SELECT 1"))
    require("Redis", lambda: redis.Redis.from_url(REDIS_URL).ping())
    database = f"dastyar_test_tracker_{secrets.token_hex(4)}"
    folder = tmp_path_factory.mktemp("replicas")
    endpoints = folder / "endpoints.yml"
    store_secrets = write_endpoints(
        endpoints,
        # No action server: the messages below are answered by rules with responses only.
        actions_url=f"http://127.0.0.1:{free_port()}/webhook",
        tracker_store_url=f"postgresql://postgres@127.0.0.1:5432/{database}",
        lock_store_url=REDIS_URL,
        sqlite_file=folder / "unused.db",
    )
    rasa_python = AssistantSettings().rasa_python
    env = {**os.environ, **store_secrets, "PYTHONPATH": str(ROOT)}
    processes: list[subprocess.Popen[bytes]] = []
    urls = []
    for name in ("a", "b"):
        port = free_port()
        with (folder / f"rasa-{name}.log").open("wb") as log:
            command = [str(rasa_python), "-m", "rasa", "run", "--enable-api", "--port", str(port)]
            command += ["--model", str(model), "--endpoints", str(endpoints)]
            processes.append(
                subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
            )
        urls.append(f"http://127.0.0.1:{port}")
    try:
        for url, process, name in zip(urls, processes, "ab", strict=True):
            wait_until_loaded(url, process, folder / f"rasa-{name}.log")
        yield {"urls": urls, "database": database}
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        postgres(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


def wait_until_loaded(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    """Wait until the replica answers with its model loaded."""
    deadline = time.monotonic() + START_TIMEOUT
    while True:
        try:
            reply = httpx.get(f"{url}/status", timeout=2)
            if reply.status_code == 200 and reply.json().get("model_file"):
                return
        except httpx.HTTPError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            pytest.fail("a Rasa replica did not start:\n" + log.read_text()[-3000:])
        time.sleep(1)


def say(url: str, sender: str, message: str) -> list[str]:
    """Send one message through Rasa's REST channel; the bot's texts."""
    reply = httpx.post(
        f"{url}/webhooks/rest/webhook", json={"sender": sender, "message": message}, timeout=120
    )
    assert reply.status_code == 200, reply.text
    return [m.get("text", "") for m in reply.json()]


def events(url: str, sender: str) -> list[dict[str, Any]]:
    """The conversation's events as a replica reads them from the tracker store."""
    reply = httpx.get(f"{url}/conversations/{sender}/tracker", timeout=30)
    assert reply.status_code == 200, reply.text
    return reply.json()["events"]


def test_a_conversation_continues_on_the_other_replica(replicas: dict[str, Any]) -> None:
    first, second = replicas["urls"]
    sender = f"replica-{secrets.token_hex(3)}"
    assert any("دستیار" in t for t in say(first, sender, "سلام وقت بخیر"))
    assert say(second, sender, "خیلی ممنون از راهنماییتون")
    on_first = events(first, sender)
    assert [e["text"] for e in on_first if e["event"] == "user"] == [
        "سلام وقت بخیر",
        "خیلی ممنون از راهنماییتون",
    ]
    assert [e["name"] for e in on_first if e["event"] == "action"].count("utter_thanks") == 1
    rows = 0
    engine = create_engine(make_url(POSTGRES_SERVER).set(database=replicas["database"]))
    try:
        with engine.connect() as conn:
            rows = conn.scalar(
                text("SELECT count(*) FROM events WHERE sender_id = :s"), {"s": sender}
            )
    finally:
        engine.dispose()
    assert rows == len(on_first)


def test_each_message_takes_the_conversation_lock_in_redis(replicas: dict[str, Any]) -> None:
    _, second = replicas["urls"]
    sender = f"lock-{secrets.token_hex(3)}"
    client = redis.Redis.from_url(REDIS_URL)
    seen: list[str] = []
    ready = threading.Event()
    stop = threading.Event()

    def watch() -> None:
        with client.monitor() as monitor:
            ready.set()
            for command in monitor.listen():
                seen.append(command["command"])
                if stop.is_set():
                    return

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    assert ready.wait(10)
    say(second, sender, "سلام")
    stop.set()
    client.ping()  # one more command wakes the watcher so it sees the stop
    watcher.join(10)
    lock_key = f"{LOCK_KEY_PREFIX}:lock:{sender}"
    assert any(lock_key in command for command in seen), seen[:20]


def test_concurrent_messages_on_both_replicas_are_handled_one_at_a_time(
    replicas: dict[str, Any],
) -> None:
    urls = replicas["urls"]
    sender = f"burst-{secrets.token_hex(3)}"
    messages = ["سلام", "ممنون", "سلام وقت بخیر", "خیلی ممنون", "درود", "مرسی", "سلام خوبی", "تشکر"]
    with ThreadPoolExecutor(max_workers=len(messages)) as pool:
        list(pool.map(lambda pair: say(urls[pair[0] % 2], sender, pair[1]), enumerate(messages)))
    history = events(urls[0], sender)
    assert sorted(e["text"] for e in history if e["event"] == "user") == sorted(messages)
    # Under the lock each message is finished (down to listening again) before the next one
    # starts: no user message arrives in the middle of another one's turn.
    kinds = [
        "user" if e["event"] == "user" else "listen"
        for e in history
        if e["event"] == "user" or (e["event"] == "action" and e["name"] == "action_listen")
    ]
    first = kinds.index("user")
    assert kinds[first:] == ["user", "listen"] * len(messages), kinds
