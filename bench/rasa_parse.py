"""The Rasa server's parse latency and throughput on the held-out NLU sentences.

Starts ``rasa run --enable-api`` on a trained model (the newest under ``models/`` unless
``--model`` names one), or uses a running server (``--url``), then sends every sentence of
``data/tests/test_nlu.yml`` to ``POST /model/parse``: once one after the other, then with
``--concurrency`` requests in flight. Prints p50/p95/mean latency and throughput per phase.

    python bench/rasa_parse.py [--model PATH | --url URL] [--concurrency N] [--rounds N] [--json]

Only the standard library is used, so any env can run it; the server runs in the Rasa env
(``--rasa-python``, default ``$DASTYAR_VENV_ROOT/rasa/bin/python`` or ``.venv/rasa``).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from shared.settings import model_archives, models_dir

ROOT = Path(__file__).resolve().parent.parent
TEST_SET = ROOT / "data" / "tests" / "test_nlu.yml"

logger = logging.getLogger("bench.rasa_parse")

_EXAMPLE = re.compile(r"^\s+- (.+)$")
_ANNOTATION = re.compile(r"\[([^\]]*)\](?:\([^)]*\)|\{[^}]*\})")


def sentences(path: Path = TEST_SET) -> list[str]:
    """The plain text of every example in a Rasa NLU YAML file (entity markup removed)."""
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        match = _EXAMPLE.match(line)
        if match and not line.lstrip().startswith("- intent:"):
            out.append(_ANNOTATION.sub(r"\1", match.group(1)).strip())
    return out


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def newest_model() -> Path:
    """The newest trained model archive under ``models/``."""
    models = model_archives(models_dir())
    if not models:
        raise SystemExit("no trained model in models/: train one or pass --model/--url")
    return models[-1]


def start_server(rasa_python: str, model: Path, port: int, log: Path) -> subprocess.Popen:
    """Start ``rasa run --enable-api`` on ``model`` (its output goes to ``log``)."""
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "PYTHONWARNINGS": "ignore",
        "TF_CPP_MIN_LOG_LEVEL": "3",
    }
    command = [rasa_python, "-m", "rasa", "run", "--enable-api", "--model", str(model)]
    command += ["--port", str(port), "--interface", "127.0.0.1"]
    with log.open("wb") as out:
        return subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)


def wait_ready(url: str, server: subprocess.Popen | None, timeout: float) -> float:
    """Wait until the server has loaded a model; the seconds it took."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if server is not None and server.poll() is not None:
            raise SystemExit(f"rasa exited with code {server.returncode} before it was ready")
        try:
            with urllib.request.urlopen(f"{url}/status", timeout=2) as response:
                if json.load(response).get("model_file"):
                    return time.monotonic() - started
        except (urllib.error.URLError, OSError, ValueError):
            pass
        time.sleep(0.5)
    raise SystemExit(f"rasa not ready after {timeout:.0f} s")


def parse(url: str, text: str) -> float:
    """Send one sentence to /model/parse; its latency in milliseconds."""
    body = json.dumps({"text": text}).encode()
    request = urllib.request.Request(
        f"{url}/model/parse", data=body, headers={"Content-Type": "application/json"}
    )
    started = time.perf_counter()
    with urllib.request.urlopen(request, timeout=60) as response:
        json.load(response)
    return (time.perf_counter() - started) * 1000


def run_phase(url: str, texts: list[str], concurrency: int) -> dict[str, float]:
    """Parse every text with ``concurrency`` requests in flight; latency percentiles and rate."""
    started = time.perf_counter()
    if concurrency == 1:
        latencies = [parse(url, text) for text in texts]
    else:
        with ThreadPoolExecutor(max_workers=concurrency) as pool:
            latencies = list(pool.map(lambda text: parse(url, text), texts))
    wall = time.perf_counter() - started
    cuts = statistics.quantiles(latencies, n=100)
    return {
        "concurrency": concurrency,
        "requests": len(latencies),
        "p50_ms": round(cuts[49], 1),
        "p95_ms": round(cuts[94], 1),
        "mean_ms": round(statistics.fmean(latencies), 1),
        "max_ms": round(max(latencies), 1),
        "per_second": round(len(latencies) / wall, 1),
    }


def table(rows: list[dict[str, float]]) -> str:
    """A Markdown table of the phases."""
    keys = list(rows[0])
    lines = ["| " + " | ".join(keys) + " |", "|" + "---|" * len(keys)]
    lines += ["| " + " | ".join(str(row[key]) for key in keys) + " |" for row in rows]
    return "\n".join(lines)


def main() -> None:
    """Run the benchmark and print its table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, help="model archive (default: newest in models/)")
    parser.add_argument("--url", help="a running Rasa server, e.g. http://127.0.0.1:5005")
    default_venv = Path(os.environ.get("DASTYAR_VENV_ROOT", ROOT / ".venv"))
    parser.add_argument("--rasa-python", default=str(default_venv / "rasa" / "bin" / "python"))
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=1, help="passes over the test sentences")
    parser.add_argument("--timeout", type=float, default=300.0, help="seconds to wait for rasa")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(message)s", stream=sys.stderr)

    texts = sentences() * args.rounds
    server: subprocess.Popen | None = None
    url = (args.url or "").rstrip("/")
    log = Path(tempfile.gettempdir()) / "bench-rasa-parse.log"
    if not url:
        model = args.model or newest_model()
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        logger.info("starting rasa on %s with %s (log: %s)", url, model.name, log)
        server = start_server(args.rasa_python, model, port, log)
    try:
        ready = wait_ready(url, server, args.timeout)
        logger.info("ready after %.1f s; %d sentences per phase", ready, len(texts))
        for text in texts[:20]:  # warm-up: first calls build TensorFlow's graphs
            parse(url, text)
        rows = [run_phase(url, texts, 1), run_phase(url, texts, args.concurrency)]
    finally:
        if server is not None:
            server.terminate()
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
    print(json.dumps(rows, indent=2) if args.json else table(rows))


if __name__ == "__main__":
    main()
