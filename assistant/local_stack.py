"""The whole assistant started as an operator starts it (``python -m assistant run --no-train``),
on free ports with its own data folder: for the end-to-end evaluation and the end-to-end tests."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from assistant.settings import ROOT

BANNER_END = "Press Ctrl-C to stop."
COMPONENTS = ("GATEWAY", "BACKEND", "RASA", "ACTIONS")


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class LocalStack:
    """A running stack: its process, environment, ports, data folder and console output."""

    process: subprocess.Popen[bytes]
    env: dict[str, str]
    ports: dict[str, int]
    data_dir: Path
    out: Path

    def url(self, component: str) -> str:
        """The base URL of ``GATEWAY``, ``BACKEND``, ``RASA`` or ``ACTIONS``."""
        return f"http://127.0.0.1:{self.ports[component]}"


@contextmanager
def local_stack(
    data_dir: Path, *, timeout: float, env: Mapping[str, str] | None = None
) -> Iterator[LocalStack]:
    """Start the stack in ``data_dir`` and wait for its banner; stop it (Ctrl-C) afterwards.

    Settings of the caller's own backend (``DASTYAR_BACKEND_*``) are not passed on: the stack
    makes its own SQLite database and secrets in ``data_dir``.
    """
    data_dir.mkdir(parents=True, exist_ok=True)
    ports = {name: free_port() for name in COMPONENTS}
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("DASTYAR_BACKEND_")}
    full_env.update(env or {})
    full_env.update({f"DASTYAR_{name}_PORT": str(port) for name, port in ports.items()})
    full_env["DASTYAR_DATA_DIR"] = str(data_dir)
    out = data_dir / "run.out"
    with out.open("w") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "assistant", "run", "--no-train"],
            cwd=ROOT,
            env=full_env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + timeout
        while BANNER_END not in out.read_text(encoding="utf-8"):
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(
                    "the assistant did not start:\n" + out.read_text(encoding="utf-8")[-4000:]
                )
            time.sleep(0.5)
        yield LocalStack(process, full_env, ports, data_dir, out)
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                process.kill()
