"""Conversation capacity: the whole message path under load, beside Rasa's stock starter bot.

What it runs, all on 127.0.0.1:

* **our assistant**, started as an operator starts it (``python -m assistant run --no-train``,
  private ports and data folder, the trained model in ``models/``): gateway → Rasa → action
  server → backend search and filing;
* **Rasa's stock starter bot** (``rasa init``: its data, config and policies, no custom actions),
  trained in a temporary folder in the same run and served with ``rasa run`` — the yardstick the
  ratio is taken against, measured in the same hour on the same machine.

The load, each conversation new and seeded (``--seed``):

* ours: a realistic mix of eight-message conversations — questions about services (from the
  tuning question sets, never the frozen blind set), filing a request through the form, a status
  check with the tracking code just received, small talk;
* stock: eight messages of the starter bot's own dialogue (greet, mood, affirm/deny, goodbye).

Two shapes of load:

* **closed loop**: ``--conversations`` at once, each sending its next message when the reply
  has come (no pause); the figure is messages per second the machine sustains;
* **open loop**: new conversations arrive at a fixed rate so that ``--rate`` messages a second
  are offered whatever the replies do; the figure is latency at that offered load (and whether
  the machine kept up).

Ours is measured twice: through the gateway's web channel (``POST /api/chat``, the whole path)
and straight on Rasa's REST channel (as the stock bot is measured): like with like for the ratio.

    PYTHONPATH=. python bench/conversation.py [--conversations 50] [--messages 8]
        [--rate 10] [--duration 30] [--skip-stock] [--skip-open] [--json]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from assistant.local_stack import free_port, local_stack  # noqa: E402
from assistant.settings import AssistantSettings  # noqa: E402
from assistant.stack import latest_model  # noqa: E402
from bench.light_http import LightClient  # noqa: E402

log = logging.getLogger(__name__)

TUNING_SETS = ("data/knowledge-eval/tuning.jsonl", "data/knowledge-eval/tuning-2.jsonl")
GREETINGS = ("سلام", "سلام وقت بخیر", "درود", "سلام خسته نباشید")
THANKS = ("ممنون", "خیلی ممنون", "مرسی", "دستت درد نکنه")
FILING = (  # the form as the end-to-end test walks it; the service is chosen by its button
    "می‌خوام درخواست صدور گذرنامه ثبت کنم",
    '/choose_service{"service_code": "10202000001"}',
    "مریم احمدی",
    "۰۰۱۳۵۴۲۴۱۹",
    "0912 123 4567",
    "ندارم",
    "/affirm",
)
STOCK_DIALOGUE = (
    ("hello", "hi", "hey there", "good morning"),
    ("I am sad", "very sad", "unhappy", "I am great"),
    ("yes", "no", "indeed", "not really"),
    ("are you a bot?", "am I talking to a human?"),
    ("great", "perfect", "amazing"),
    ("bye", "goodbye", "see you later"),
)


def service_questions() -> list[str]:
    """Answerable questions of the tuning sets (written blind; for tuning, never for claims)."""
    questions = []
    for name in TUNING_SETS:
        for line in (REPO_ROOT / name).read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            if row.get("service"):
                questions.append(row["question"])
    return questions


def our_conversation(rng: random.Random, questions: list[str], length: int) -> list[str]:
    """One citizen's messages: greeting, then questions, a filing or a status check, thanks."""
    kind = rng.choices(("questions", "filing", "status"), weights=(6, 2, 2))[0]
    middle: list[str]
    if kind == "filing":
        middle = list(FILING)
    elif kind == "status":
        # a code nobody was given: the assistant asks for the mobile and answers "not found"
        code = f"{rng.randrange(10**4):04d}-{rng.randrange(10**4):04d}-{rng.randrange(100):02d}"
        middle = [rng.choice(questions), f"وضعیت درخواست با کد پیگیری {code}", "09121234567"]
    else:
        middle = []
    while len(middle) < length - 2:
        middle.append(rng.choice(questions))
    return [rng.choice(GREETINGS), *middle[: length - 2], rng.choice(THANKS)]


def stock_conversation(rng: random.Random, length: int) -> list[str]:
    """The starter bot's own kind of dialogue, ``length`` messages."""
    turns = [rng.choice(options) for options in STOCK_DIALOGUE]
    while len(turns) < length:
        turns.insert(-1, rng.choice(STOCK_DIALOGUE[rng.randrange(1, 5)]))
    return turns[:length]


@dataclass
class Run:
    """Latencies (ms) and failures of one load run."""

    name: str
    latencies: list[float] = field(default_factory=list)
    failures: int = 0
    wall_s: float = 0.0
    offered_per_s: float | None = None

    def summary(self) -> dict[str, Any]:
        """Throughput and latency percentiles."""
        lat = sorted(self.latencies)

        def pct(p: float) -> float:
            return round(lat[min(len(lat) - 1, int(p * len(lat)))], 1) if lat else float("nan")

        return {
            "run": self.name,
            "messages": len(lat),
            "failures": self.failures,
            "offered_per_s": self.offered_per_s,
            "per_s": round(len(lat) / self.wall_s, 2) if self.wall_s else 0.0,
            "p50_ms": pct(0.50),
            "p95_ms": pct(0.95),
            "mean_ms": round(statistics.fmean(lat), 1) if lat else float("nan"),
        }


Sender = Callable[[LightClient, str, str], Awaitable[bool]]


def gateway_sender(path: str = "/api/chat") -> Sender:
    """Send through the gateway's web channel (the widget's path)."""

    async def send(client: LightClient, sender: str, text: str) -> bool:
        status, _, body = await client.post(path, {"sender": sender, "message": text})
        return status == 200 and bool(json.loads(body).get("messages"))

    return send


def rasa_sender(path: str = "/webhooks/rest/webhook") -> Sender:
    """Send straight to Rasa's REST channel (as the gateway does)."""

    async def send(client: LightClient, sender: str, text: str) -> bool:
        status, _, body = await client.post(path, {"sender": sender, "message": text})
        return status == 200 and isinstance(json.loads(body), list)

    return send


async def _converse(url: str, send: Sender, sender: str, messages: list[str], run: Run) -> None:
    client = LightClient(url)
    try:
        for text in messages:
            started = time.perf_counter()
            try:
                ok = await send(client, sender, text)
            except (OSError, asyncio.IncompleteReadError, ValueError):
                ok = False
            if ok:
                run.latencies.append((time.perf_counter() - started) * 1000)
            else:
                run.failures += 1
    finally:
        client.close()


async def closed_loop(
    name: str, url: str, send: Sender, conversations: list[list[str]], prefix: str
) -> Run:
    """All conversations at once, each message when the previous reply has come."""
    run = Run(name)
    started = time.perf_counter()
    await asyncio.gather(
        *(_converse(url, send, f"{prefix}-{i}", msgs, run) for i, msgs in enumerate(conversations))
    )
    run.wall_s = time.perf_counter() - started
    return run


async def open_loop(
    name: str,
    url: str,
    send: Sender,
    make: Callable[[int], list[str]],
    rate: float,
    duration: float,
    prefix: str,
    length: int,
) -> Run:
    """New conversations arrive evenly so that ``rate`` messages a second are offered."""
    run = Run(name, offered_per_s=rate)
    interval = length / rate
    tasks = []
    started = time.perf_counter()
    i = 0
    while time.perf_counter() - started < duration:
        tasks.append(asyncio.create_task(_converse(url, send, f"{prefix}-{i}", make(i), run)))
        i += 1
        await asyncio.sleep(max(0.0, started + i * interval - time.perf_counter()))
    await asyncio.gather(*tasks)
    run.wall_s = time.perf_counter() - started
    return run


def _wait_http(url: str, process: subprocess.Popen[bytes], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("the stock bot stopped while starting")
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(1)
    raise RuntimeError(f"{url} did not answer within {timeout:.0f} s")


@contextmanager
def stock_bot(rasa_python: Path, folder: Path) -> Iterator[str]:
    """Rasa's starter project (``rasa init``), trained here and served on a free port."""
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2", "PYTHONWARNINGS": "ignore"}
    env.pop("PYTHONPATH", None)
    started = time.monotonic()
    log.info("stock bot: rasa init (trains the starter model)…")
    folder.mkdir(parents=True, exist_ok=True)  # rasa init wants the folder to exist
    subprocess.run(
        [str(rasa_python), "-m", "rasa", "init", "--no-prompt", "--init-dir", str(folder)],
        cwd=folder.parent,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    log.info("stock bot: trained in %.0f s", time.monotonic() - started)
    port = free_port()
    command = [str(rasa_python), "-m", "rasa", "run", "--enable-api", "--port", str(port)]
    with (folder / "run.log").open("w") as out:
        process = subprocess.Popen(command, cwd=folder, env=env, stdout=out, stderr=out)
    try:
        url = f"http://127.0.0.1:{port}"
        _wait_http(f"{url}/status", process, timeout=300)
        yield url
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()


def profile_rasa(
    settings: AssistantSettings, data_dir: Path, conversations: list[list[str]]
) -> dict[str, Any]:
    """Time each step of Rasa's message handling (bench/rasa_profile.py, in the Rasa env),
    against the running stack's action server and tracker store, one message at a time."""
    endpoints = max(data_dir.glob("logs/*/endpoints.yml"), key=lambda p: p.stat().st_mtime)
    model = latest_model(settings.models_dir)
    messages = data_dir / "profile-conversations.json"
    messages.write_text(json.dumps(conversations, ensure_ascii=False), encoding="utf-8")
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2", "PYTHONWARNINGS": "ignore"}
    command = [
        str(settings.rasa_python),
        str(REPO_ROOT / "bench" / "rasa_profile.py"),
        "--model",
        str(model),
        "--endpoints",
        str(endpoints),
        "--conversations",
        str(messages),
    ]
    log.info("profiling Rasa's steps over %d conversations…", len(conversations))
    done = subprocess.run(
        command, cwd=REPO_ROOT, env=env, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"the profile failed:\n{done.stderr[-3000:]}")
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def _print(rows: list[dict[str, Any]]) -> None:
    head = (
        f"{'run':<34}{'msgs':>6}{'fail':>6}{'offered/s':>10}{'msg/s':>8}{'p50 ms':>9}{'p95 ms':>9}"
    )
    print(head)
    for row in rows:
        offered = "" if row["offered_per_s"] is None else f"{row['offered_per_s']:.1f}"
        print(
            f"{row['run']:<34}{row['messages']:>6}{row['failures']:>6}{offered:>10}"
            f"{row['per_s']:>8.1f}{row['p50_ms']:>9.0f}{row['p95_ms']:>9.0f}"
        )


async def load_runs(
    args: argparse.Namespace,
    name: str,
    url: str,
    send: Sender,
    make: Callable[[int, int], list[str]],
    open_loop_too: bool,
) -> list[Run]:
    """Warm up, then ``--rounds`` closed-loop runs and (if asked) one open-loop run."""
    n, length = args.conversations, args.messages
    # the first messages load models and fill caches: not part of the figures
    tag = name.replace(" ", "_")  # a sender id the web channel accepts
    await closed_loop("warm-up", url, send, [make(i, 7) for i in range(4)], f"{tag}-w")
    runs = []
    for rnd in range(args.rounds):
        convs = [make(i, 100 * (rnd + 1)) for i in range(n)]
        runs.append(await closed_loop(f"{name} closed N={n}", url, send, convs, f"{tag}-{rnd}"))
    if open_loop_too:
        rate = args.rate
        runs.append(
            await open_loop(
                f"{name} open {rate:g}/s",
                url,
                send,
                lambda i: make(i, 900),
                rate,
                args.duration,
                f"{tag}-o",
                length,
            )
        )
    return runs


async def measure(args: argparse.Namespace) -> dict[str, Any]:
    """Run every load against our stack, then against the stock bot; return the figures."""
    settings = AssistantSettings()
    if latest_model(settings.models_dir) is None:
        raise SystemExit("no trained model in models/: run `make train` first")
    questions = service_questions()
    length, seed = args.messages, args.seed * 1_000_003

    def ours(i: int, salt: int) -> list[str]:
        return our_conversation(random.Random(seed + salt + i), questions, length)

    def stock(i: int, salt: int) -> list[str]:
        return stock_conversation(random.Random(seed + salt + i), length)

    opened = not args.skip_open
    profile: dict[str, Any] = {}
    rows: list[Run] = []
    with tempfile.TemporaryDirectory(prefix="dastyar-bench-") as tmp:
        # many citizens from this one address: the web channel's per-address limit is lifted
        unlimited = {"DASTYAR_GATEWAY_RATE_LIMIT_PER_MINUTE": "0"}
        with local_stack(Path(tmp) / "ours", timeout=900, env=unlimited) as stack:
            gateway, rasa = stack.url("GATEWAY"), stack.url("RASA")
            rows += await load_runs(args, "ours gateway", gateway, gateway_sender(), ours, opened)
            rows += await load_runs(args, "ours rasa-rest", rasa, rasa_sender(), ours, False)
            if args.profile:
                convs = [ours(i, 5000) for i in range(args.profile)]
                profile = profile_rasa(settings, stack.data_dir, convs)
        if not args.skip_stock:
            with stock_bot(settings.rasa_python, Path(tmp) / "stock") as url:
                rows += await load_runs(args, "stock rasa-rest", url, rasa_sender(), stock, opened)
    table = [r.summary() for r in rows]
    result: dict[str, Any] = {"runs": table}
    if args.profile:
        result["profile"] = profile

    def closed_rate(prefix: str) -> float:
        values = [r["per_s"] for r in table if r["run"].startswith(f"{prefix} closed")]
        return statistics.median(values) if values else float("nan")

    if not args.skip_stock:
        stock_rate = closed_rate("stock rasa-rest")
        result["ratio_rasa_rest"] = round(closed_rate("ours rasa-rest") / stock_rate, 2)
        result["ratio_gateway"] = round(closed_rate("ours gateway") / stock_rate, 2)
    return result


def main() -> None:
    """Parse the options, run, print a table (or JSON)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--conversations", type=int, default=50)
    parser.add_argument("--messages", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--rate", type=float, default=10.0, help="open loop: messages a second")
    parser.add_argument(
        "--duration", type=float, default=30.0, help="open loop: seconds of arrivals"
    )
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--skip-stock", action="store_true")
    parser.add_argument("--skip-open", action="store_true")
    parser.add_argument("--json", action="store_true")
    parser.add_argument(
        "--profile", type=int, default=0, help="conversations to profile inside Rasa (0: none)"
    )
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="[bench] %(message)s")
    result = asyncio.run(measure(args))
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=2))
        return
    _print(result["runs"])
    if "profile" in result:
        prof = result["profile"]
        print(f"\nInside Rasa, one message at a time ({prof['messages']} messages):")
        print(f"  mean {prof['mean_ms']} ms, p50 {prof['p50_ms']} ms")
        for step, ms in prof["steps_ms"].items():
            calls = prof["calls_per_message"].get(step)
            print(f"  {step:<20}{ms:>8.1f} ms" + (f"  ({calls} calls)" if calls else ""))
    for key in ("ratio_rasa_rest", "ratio_gateway"):
        if key in result:
            print(f"{key}: {result[key]} (ours ÷ stock, closed loop msg/s, median of rounds)")


if __name__ == "__main__":
    main()
