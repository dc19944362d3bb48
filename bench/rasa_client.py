"""The gateway's hot path alone: ``RasaClient.send`` against a fake Rasa REST channel.

The fake Rasa runs in its own process (``bench/gateway.py``'s), answering after ``--rasa-delay``
ms; this process only runs the client, so its CPU time per message is the client's cost (the
figure that does not depend on the machine's other load). Each variant runs ``--concurrency``
conversations of ``--messages`` messages, in ``--rounds`` alternating rounds so that machine
noise hits every variant alike; reported: client CPU ms per message and latency percentiles.

    PYTHONPATH=. python bench/rasa_client.py [--rasa-delay MS] [--concurrency N ...]
        [--messages N] [--rounds N] [--json]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from bench.gateway import free_port, percentiles, serve_fake_rasa  # noqa: E402
from connectors.rasa_client import RasaClient  # noqa: E402

TIMEOUT = 30.0


def variants(url: str) -> dict[str, Callable[[], RasaClient]]:
    """The ways the gateway can call Rasa, by name."""
    return {
        "http1": lambda: RasaClient(url, TIMEOUT),
        "httpx": lambda: RasaClient(url, TIMEOUT, transport=httpx.AsyncHTTPTransport()),
    }


async def one_round(
    make: Callable[[], RasaClient], concurrency: int, messages: int
) -> tuple[float, list[float]]:
    """Client CPU seconds and every message's latency for one round."""
    client = make()
    latencies: list[float] = []

    async def conversation(index: int) -> None:
        for n in range(messages):
            started = time.perf_counter()
            await client.send(f"bench-{index}", f"پیام {n}", {"channel": "bench"})
            latencies.append(time.perf_counter() - started)

    try:
        await conversation(-1)  # open a connection outside the measurement
        latencies.clear()
        cpu = time.process_time()
        await asyncio.gather(*(conversation(i) for i in range(concurrency)))
        cpu = time.process_time() - cpu
    finally:
        await client.aclose()
    return cpu, latencies


def wait_ready(url: str) -> None:
    """Wait until the fake Rasa answers."""

    async def ready() -> bool:
        client = RasaClient(url, 1.0)
        try:
            return await client.healthy()
        finally:
            await client.aclose()

    deadline = time.monotonic() + 60
    while not asyncio.run(ready()):
        if time.monotonic() > deadline:
            raise RuntimeError("the fake Rasa did not start")
        time.sleep(0.2)


def measure(url: str, concurrency: int, messages: int, rounds: int) -> dict[str, Any]:
    """Every variant, alternating rounds; the figures per variant."""
    made = variants(url)
    cpu = dict.fromkeys(made, 0.0)
    samples: dict[str, list[float]] = {name: [] for name in made}
    for _ in range(rounds):
        for name, make in made.items():
            spent, latencies = asyncio.run(one_round(make, concurrency, messages))
            cpu[name] += spent
            samples[name] += latencies
    return {
        name: {
            "cpu_ms_per_message": cpu[name] * 1000 / len(samples[name]),
            "latency_ms": percentiles(samples[name]),
            "messages": len(samples[name]),
        }
        for name in made
    }


def main() -> int:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rasa-delay", type=float, default=5.0, help="fake Rasa delay, ms")
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 50])
    parser.add_argument("--messages", type=int, default=100, help="per conversation per round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    port = free_port()
    url = f"http://127.0.0.1:{port}"
    rasa = multiprocessing.get_context("spawn").Process(
        target=serve_fake_rasa, args=(port, args.rasa_delay), daemon=True
    )
    rasa.start()
    try:
        wait_ready(url)
        results = {
            str(c): measure(url, c, args.messages if c > 1 else args.messages * 5, args.rounds)
            for c in args.concurrency
        }
    finally:
        rasa.terminate()
        rasa.join(10)
    if args.json:
        print(json.dumps(results, indent=2))
        return 0
    print(f"fake Rasa delay {args.rasa_delay:.0f} ms, {args.rounds} alternating rounds")
    for concurrency, by_variant in results.items():
        for name, figures in by_variant.items():
            lat = figures["latency_ms"]
            print(
                f"  {concurrency:>3} in flight  {name:<6} CPU {figures['cpu_ms_per_message']:.3f}"
                f" ms/msg  p50 {lat['p50']:.2f}  p95 {lat['p95']:.2f}  p99 {lat['p99']:.2f} ms"
                f"  ({figures['messages']} messages)"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
