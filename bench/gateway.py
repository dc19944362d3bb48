"""Gateway overhead over Rasa, and bursts of webhook calls.

Everything runs on 127.0.0.1, each server in its own process:

* a fake Rasa REST channel answering every message after a fixed delay (``--rasa-delay``);
* the real gateway (``python -m connectors``) in front of it;
* phase 1, overhead: ``--conversations`` concurrent conversations send ``--messages`` messages
  each, one after the other (the next when the reply has come and the citizen has paused), once
  straight to the fake Rasa and once through the gateway's web REST path (``POST /api/chat``,
  history written as in production), in alternating rounds so that machine noise hits both alike.
  Like with like: the same senders and messages, the same concurrency, the same pauses (each
  conversation draws them from its own seeded generator), the same light client for both paths
  (httpx would spend as much CPU per request as the gateway, on the same two cores).
  ``overhead_ms``: gateway latency − Rasa latency at the same percentile; ``in_handler_ms``: the
  gateway's own time in its handler (``Server-Timing``: history write included, the wait for
  Rasa left out); CPU ms per message of every process, the figure that does not depend on the
  machine's other load. Target: p95 overhead ≤ 10 ms.

  Two runs by default (``--think-ms 1000 0``). Paced (citizens pause 0.5-1.5 s): 50
  conversations send ~45 messages a second and the benchmark does not saturate the machine
  itself; this is the target's measurement. Closed loop (no pause): 50 conversations against a
  50 ms fake Rasa ask for ~1,000 messages a second, every process competes for the CPU and
  latency becomes queueing (at saturation each message waits for about conversations × CPU per
  message ÷ cores of other work); it measures capacity, not the latency one message gains.
* phase 2, bursts: 1,000 Telegram webhook calls and 1,000 SMS inbound calls (plus 100 provider
  retries of each, same ids) fired at once with 100 in flight, against a local fake Bot API and
  a fake Kavenegar-style provider (tests/connectors/fake_*.py); counts replies lost or doubled.

    PYTHONPATH=. python bench/gateway.py [--rasa-delay MS] [--conversations N] [--messages N]
        [--rounds N] [--think-ms MS [MS ...]] [--burst N] [--json]
        [--rasa-url http://127.0.0.1:5005 [--rasa-pid PID]]   # phase 1 against a real Rasa
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from bench.light_http import LightClient  # noqa: E402

logger = logging.getLogger("bench.gateway")

BOT_TOKEN = "100:bench-bot-token"
SMS_KEY = "bench-sms-key"
SMS_SECRET = "bench-sms-secret"


# --- the fake Rasa, in its own process ---
def fake_rasa_app(delay: float) -> FastAPI:
    """Rasa's REST channel answering after ``delay`` seconds."""
    app = FastAPI()

    @app.get("/")
    def hello() -> str:
        return "Hello from Rasa"

    @app.post("/webhooks/rest/webhook")
    async def webhook(request: Request) -> JSONResponse:
        body = await request.json()
        await asyncio.sleep(delay)
        return JSONResponse(
            [{"recipient_id": body["sender"], "text": f"پاسخ به: {body['message']}"}]
        )

    return app


def serve_fake_rasa(port: int, delay_ms: float) -> None:
    """Entry point of the fake Rasa subprocess."""
    import uvicorn

    uvicorn.run(
        fake_rasa_app(delay_ms / 1000),
        host="127.0.0.1",
        port=port,
        log_level="warning",
        access_log=False,
        timeout_keep_alive=30,
    )


# --- processes ---
def free_port() -> int:
    """A port nobody listens on."""
    from tests.connectors.servers import free_port as pick

    return pick()


def wait_healthy(url: str, process: subprocess.Popen[bytes], what: str) -> None:
    """Wait until ``url`` answers 200."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        if process.poll() is not None:
            break
        time.sleep(0.2)
    raise RuntimeError(f"{what} did not start")


def start(command: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    """Start a subprocess logging to ``log``."""
    with log.open("a") as out:
        return subprocess.Popen(command, cwd=REPO_ROOT, env=env, stdout=out, stderr=out)


def gateway_env(data_dir: Path, port: int, rasa_url: str, **extra: str) -> dict[str, str]:
    """The gateway's environment (nothing inherited from the caller's DASTYAR_* settings)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("DASTYAR_")}
    env.update(
        {
            "PYTHONPATH": str(REPO_ROOT),
            "DASTYAR_GATEWAY_PORT": str(port),
            "DASTYAR_RASA_URL": rasa_url,
            "DASTYAR_DATA_DIR": str(data_dir),
            # thousands of citizens from this one address: the per-address limit would refuse them
            "DASTYAR_GATEWAY_RATE_LIMIT_PER_MINUTE": "0",
            **extra,
        }
    )
    return env


def cpu_seconds(pid: int) -> float:
    """User + system CPU time a process has used so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def percentiles(samples: list[float]) -> dict[str, float]:
    """p50, p95, p99 and mean, in milliseconds."""
    ordered = sorted(samples)

    def at(q: float) -> float:
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000

    return {
        "p50": at(0.50),
        "p95": at(0.95),
        "p99": at(0.99),
        "mean": statistics.fmean(ordered) * 1000,
    }


# --- phase 1: overhead ---
async def post_ok(client: LightClient, path: str, body: dict[str, Any]) -> dict[str, str]:
    """POST ``body`` and return the response headers; anything but 200 is an error."""
    status, headers, content = await client.post(path, body)
    if status != 200:
        raise RuntimeError(f"{path} answered {status}: {content[:200]!r}")
    return headers


async def conversations(
    send: Callable[[LightClient, str, int], Awaitable[float | None]],
    url: str,
    count: int,
    messages: int,
    think: float,
    seed: int,
) -> tuple[list[float], list[float], float]:
    """``count`` concurrent conversations of ``messages`` messages each.

    Each conversation's pauses come from its own seeded generator, so the direct and the gateway
    rounds send the same messages on the same schedule. Returns the latencies the client saw, the
    gateway's own time in its handler (Server-Timing; empty straight to Rasa), in seconds, and the
    load generator's CPU seconds.
    """
    latencies: list[float] = []
    own: list[float] = []
    clients = [LightClient(url) for _ in range(count)]

    async def one(index: int) -> None:
        pauses = random.Random(seed * 100_003 + index)
        client = clients[index]
        sender = f"bench{index:04d}{'x' * 16}"
        await asyncio.sleep(think * pauses.random())  # conversations start spread out
        for n in range(messages):
            started = time.perf_counter()
            inside = await send(client, sender, n)
            latencies.append(time.perf_counter() - started)
            if inside is not None:
                own.append(inside)
            if think:
                await asyncio.sleep(think * (0.5 + pauses.random()))
        client.close()

    cpu = time.process_time()
    await asyncio.gather(*(one(i) for i in range(count)))
    return latencies, own, time.process_time() - cpu


def overhead(args: argparse.Namespace, work: Path, think_ms: float) -> dict[str, Any]:
    """Gateway latency minus Rasa latency: same conversations, same schedule, alternating rounds."""
    rasa_port, gateway_port = free_port(), free_port()
    rasa_url, gateway_url = f"http://127.0.0.1:{rasa_port}", f"http://127.0.0.1:{gateway_port}"
    fake: subprocess.Popen[bytes] | None = None
    rasa_pid = args.rasa_pid
    if args.rasa_url:  # a real Rasa server, already running
        rasa_url = args.rasa_url.rstrip("/")
    else:
        fake = start(
            [sys.executable, __file__, "--serve-fake-rasa", str(rasa_port), str(args.rasa_delay)],
            dict(os.environ, PYTHONPATH=str(REPO_ROOT)),
            work / f"fake-rasa-{think_ms:g}.log",
        )
        rasa_pid = fake.pid

    def rasa_seconds() -> float:
        return cpu_seconds(rasa_pid) if rasa_pid else 0.0

    gateway = start(
        [sys.executable, "-m", "connectors"],
        gateway_env(work / f"overhead-{think_ms:g}", gateway_port, rasa_url),
        work / f"gateway-overhead-{think_ms:g}.log",
    )
    try:
        if fake is not None:
            wait_healthy(f"{rasa_url}/", fake, "the fake Rasa")
        wait_healthy(f"{gateway_url}/health", gateway, "the gateway")

        def text(n: int) -> str:
            return str(args.message).format(n=n)

        async def direct(client: LightClient, sender: str, n: int) -> float | None:
            body = {"sender": f"web:{sender}", "message": text(n), "metadata": {}}
            await post_ok(client, "/webhooks/rest/webhook", body)
            return None

        async def through(client: LightClient, sender: str, n: int) -> float | None:
            body = {"sender": sender, "message": text(n)}
            headers = await post_ok(client, "/api/chat", body)
            timing = dict(
                part.strip().split(";dur=")
                for part in headers.get("server-timing", "").split(",")
                if ";dur=" in part
            )
            return float(timing["gateway"]) / 1000 if "gateway" in timing else None

        think = think_ms / 1000
        n = args.conversations
        asyncio.run(conversations(through, gateway_url, n, 3, 0.0, 0))  # warm up both paths
        asyncio.run(conversations(direct, rasa_url, n, 3, 0.0, 0))
        rasa: list[float] = []
        via: list[float] = []
        own: list[float] = []
        client_cpu = {"direct": 0.0, "gateway": 0.0}
        gateway_cpu, rasa_cpu = 0.0, {"direct": 0.0, "gateway": 0.0}
        load = [os.getloadavg()[0]]
        for round_ in range(1, args.rounds + 1):
            before = rasa_seconds()
            seen, _, cpu = asyncio.run(
                conversations(direct, rasa_url, n, args.messages, think, round_)
            )
            rasa += seen
            client_cpu["direct"] += cpu
            rasa_cpu["direct"] += rasa_seconds() - before
            before, before_gw = rasa_seconds(), cpu_seconds(gateway.pid)
            seen, inside, cpu = asyncio.run(
                conversations(through, gateway_url, n, args.messages, think, round_)
            )
            gateway_cpu += cpu_seconds(gateway.pid) - before_gw
            rasa_cpu["gateway"] += rasa_seconds() - before
            via += seen
            own += inside
            client_cpu["gateway"] += cpu
            load.append(os.getloadavg()[0])
            logger.info("think %g ms: round %d/%d done", think_ms, round_, args.rounds)
    finally:
        gateway.terminate()
        gateway.wait(timeout=30)
        if fake is not None:
            fake.terminate()
            fake.wait(timeout=30)
    direct_stats, gateway_stats = percentiles(rasa), percentiles(via)
    count = len(via)
    return {
        "think_ms": think_ms,
        "requests_each": count,
        "rasa_ms": direct_stats,
        "gateway_ms": gateway_stats,
        "overhead_ms": {k: gateway_stats[k] - direct_stats[k] for k in direct_stats},
        "in_handler_ms": percentiles(own),
        "cpu_ms_per_message": {
            "gateway": gateway_cpu / count * 1000,
            "rasa_direct": rasa_cpu["direct"] / count * 1000,
            "rasa_via_gateway": rasa_cpu["gateway"] / count * 1000,
            "load_generator_direct": client_cpu["direct"] / count * 1000,
            "load_generator_via_gateway": client_cpu["gateway"] / count * 1000,
        },
        "loadavg_1min_each_round": load,
    }


# --- phase 2: bursts ---
def burst(args: argparse.Namespace, work: Path) -> dict[str, Any]:
    """1,000 Telegram webhook calls and 1,000 SMS inbound calls at once (plus retries)."""
    from connectors.sms.router import SIGNATURE_HEADER, signature
    from tests.connectors.fake_botapi import FakeBotApi, text_update
    from tests.connectors.fake_sms import FakeSmsGateway
    from tests.connectors.servers import ServerThread

    api, sms = FakeBotApi(BOT_TOKEN), FakeSmsGateway(SMS_KEY)
    rasa_port, gateway_port = free_port(), free_port()
    rasa_url, gateway_url = f"http://127.0.0.1:{rasa_port}", f"http://127.0.0.1:{gateway_port}"
    fake = start(
        [sys.executable, __file__, "--serve-fake-rasa", str(rasa_port), str(args.rasa_delay)],
        dict(os.environ, PYTHONPATH=str(REPO_ROOT)),
        work / "fake-rasa-burst.log",
    )
    with ServerThread(api.app) as platform, ServerThread(sms.app) as provider:
        env = gateway_env(
            work / "burst",
            gateway_port,
            rasa_url,
            DASTYAR_GATEWAY_TELEGRAM_TOKEN=BOT_TOKEN,
            DASTYAR_GATEWAY_TELEGRAM_BASE_URL=f"{platform.url}/bot",
            DASTYAR_GATEWAY_TELEGRAM_PUBLIC_URL=gateway_url,
            DASTYAR_GATEWAY_BOT_GLOBAL_RATE=str(args.bot_rate),
            DASTYAR_GATEWAY_BOT_CHAT_RATE=str(args.bot_rate),
            DASTYAR_GATEWAY_BOT_CHAT_BURST="100",
            DASTYAR_GATEWAY_SMS_API_KEY=SMS_KEY,
            DASTYAR_GATEWAY_SMS_BASE_URL=provider.url,
            DASTYAR_GATEWAY_SMS_INBOUND_SECRET=SMS_SECRET,
        )
        gateway = start([sys.executable, "-m", "connectors"], env, work / "gateway-burst.log")
        try:
            wait_healthy(f"{rasa_url}/", fake, "the fake Rasa")
            wait_healthy(f"{gateway_url}/health", gateway, "the gateway")
            deadline = time.monotonic() + 30
            while api.webhook is None and time.monotonic() < deadline:
                time.sleep(0.1)
            if api.webhook is None:
                raise RuntimeError("the gateway did not register its webhook")
            hook, secret = api.webhook["url"], api.webhook["secret_token"]
            updates = [text_update(api, 5000 + i % 200, f"پیام {i}") for i in range(args.burst)]
            texts = [
                {
                    "messageid": f"m{i}",
                    "from": f"0912{i % 200:07d}",
                    "to": "1000",
                    "message": f"پیام {i}",
                }
                for i in range(args.burst)
            ]
            calls: list[tuple[str, bytes, dict[str, str]]] = []
            for update in updates + updates[:100]:
                headers = {
                    "X-Telegram-Bot-Api-Secret-Token": secret,
                    "content-type": "application/json",
                }
                calls.append((hook, json.dumps(update).encode(), headers))
            for fields in texts + texts[:100]:
                body = urlencode(fields).encode()
                headers = {
                    "content-type": "application/x-www-form-urlencoded",
                    SIGNATURE_HEADER: signature(SMS_SECRET, body),
                }
                calls.append((f"{gateway_url}/channels/sms/inbound", body, headers))

            async def fire() -> list[int]:
                limit = asyncio.Semaphore(100)
                async with httpx.AsyncClient(timeout=60) as client:

                    async def post(url: str, body: bytes, headers: dict[str, str]) -> int:
                        async with limit:
                            response = await client.post(url, content=body, headers=headers)
                            return response.status_code

                    return await asyncio.gather(*(post(*call) for call in calls))

            started = time.perf_counter()
            statuses = asyncio.run(fire())
            accepted = time.perf_counter() - started
            deadline = time.monotonic() + 300
            while (len(api.sent()) < args.burst or len(sms.sent) < args.burst) and (
                time.monotonic() < deadline
            ):
                time.sleep(0.05)
            answered = time.perf_counter() - started
            time.sleep(1.0)  # anything doubled would arrive now
        finally:
            gateway.terminate()
            fake.terminate()
            gateway.wait(timeout=60)
            fake.wait(timeout=30)

    def tally(replies: list[str]) -> dict[str, int]:
        expected = {f"پاسخ به: پیام {i}" for i in range(args.burst)}
        return {
            "replies": len(replies),
            "lost": len(expected - set(replies)),
            "doubled": len(replies) - len(set(replies)),
        }

    return {
        "calls": len(calls),
        "non_200": sum(1 for s in statuses if s != 200),
        "all_accepted_s": accepted,
        "all_answered_s": answered,
        "telegram": tally([m["text"] for m in api.sent()]),
        "sms": tally([m["message"] for m in sms.sent]),
    }


def report(results: dict[str, Any]) -> str:
    """The results as markdown tables."""
    config = results["config"]
    lines: list[str] = []
    for o in results["overhead"]:
        mode = "closed loop, saturating" if not o["think_ms"] else f"think {o['think_ms']:g} ms"
        lines += [
            f"Gateway overhead, {mode}: {o['requests_each']} messages each way, "
            f"{config['conversations']} concurrent conversations, "
            + (
                f"Rasa at {config['rasa_url']}"
                if config["rasa_url"]
                else f"fake Rasa delay {config['rasa_delay_ms']:g} ms"
            ),
            "",
            "| ms | p50 | p95 | p99 | mean |",
            "|---|---|---|---|---|",
        ]
        for name in ("rasa_ms", "gateway_ms", "overhead_ms", "in_handler_ms"):
            row = o[name]
            cells = " | ".join(f"{row[k]:.1f}" for k in ("p50", "p95", "p99", "mean"))
            lines.append(f"| {name} | {cells} |")
        cpu = o["cpu_ms_per_message"]
        lines += [
            "",
            "CPU ms per message: "
            + ", ".join(f"{name} {value:.2f}" for name, value in cpu.items()),
            "Load average (1 min) before and after each round: "
            + ", ".join(f"{value:.2f}" for value in o["loadavg_1min_each_round"]),
            "",
        ]
    lines.append(f"{config['cpus']} CPUs; load average before the run: {config['loadavg_before']}")
    b = results.get("burst")
    if b:
        lines += [
            "",
            f"Burst: {b['calls']} calls (Telegram webhook + SMS inbound, 10% retries), "
            f"{b['non_200']} not 200; all accepted in {b['all_accepted_s']:.1f} s, "
            f"all answered in {b['all_answered_s']:.1f} s",
            f"Telegram: {b['telegram']}; SMS: {b['sms']}",
        ]
    return "\n".join(lines)


def main() -> int:
    """Run the benchmark."""
    if len(sys.argv) == 4 and sys.argv[1] == "--serve-fake-rasa":
        serve_fake_rasa(int(sys.argv[2]), float(sys.argv[3]))
        return 0
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rasa-delay", type=float, default=50.0, help="fake Rasa delay, ms")
    parser.add_argument(
        "--rasa-url", default="", help="measure against this running Rasa instead of the fake"
    )
    parser.add_argument("--rasa-pid", type=int, default=0, help="its pid, for its CPU time")
    parser.add_argument(
        "--message", default="پیام {n}", help="what each message says ({n}: its number)"
    )
    parser.add_argument("--conversations", type=int, default=50)
    parser.add_argument("--messages", type=int, default=12, help="per conversation per round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--think-ms",
        type=float,
        nargs="+",
        default=[1000.0, 0.0],
        help="citizens' pause between a reply and their next message, one run per value "
        "(0: closed loop, every conversation sends again at once: a saturation test)",
    )
    parser.add_argument("--burst", type=int, default=1000, help="0 skips the burst phase")
    parser.add_argument("--bot-rate", type=float, default=1000.0, help="bot messages a second")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", stream=sys.stderr)
    logging.getLogger("httpx").setLevel(logging.WARNING)
    with tempfile.TemporaryDirectory(prefix="dastyar-bench-") as tmp:
        work = Path(tmp)
        results: dict[str, Any] = {
            "config": {
                "rasa_delay_ms": args.rasa_delay,
                "rasa_url": args.rasa_url,
                "conversations": args.conversations,
                "messages": args.messages,
                "rounds": args.rounds,
                "think_ms": args.think_ms,
                "cpus": os.cpu_count(),
                "loadavg_before": os.getloadavg(),
            }
        }
        logger.info("load average before: %s", results["config"]["loadavg_before"])
        try:
            logger.info("phase 1: overhead")
            results["overhead"] = [overhead(args, work, think) for think in args.think_ms]
            if args.burst:
                logger.info("phase 2: bursts")
                results["burst"] = burst(args, work)
        except Exception:
            for log in sorted(work.glob("*.log")):
                logger.error("%s:\n%s", log.name, log.read_text(errors="replace")[-3000:])
            raise
    print(json.dumps(results, ensure_ascii=False, indent=2) if args.json else report(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
