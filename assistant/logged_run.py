"""Run a long command with its output in a log file and only progress on the terminal.

Standard library only: the environment bootstrap runs it before any virtualenv exists.
"""

from __future__ import annotations

import subprocess
import threading
import time
from collections.abc import Callable, Mapping
from pathlib import Path

HEARTBEAT_SECONDS = 15
TAIL_LINES = 30


def tail(path: Path | None, lines: int = TAIL_LINES) -> list[str]:
    """The last ``lines`` lines of a log file."""
    if path is None or not path.exists():
        return []
    return path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:]


def run_logged(
    command: list[str],
    log_path: Path,
    *,
    title: str,
    say: Callable[[str], None],
    cwd: Path,
    env: Mapping[str, str] | None = None,
) -> int:
    """Run ``command`` with its output appended to ``log_path``; return its exit code.

    While it runs, ``say`` gets a line every few seconds; when it fails, the log's last lines.
    """
    started = time.monotonic()
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("a", encoding="utf-8") as log:
        log.write(f"\n$ {' '.join(command)}\n")
        log.flush()
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, cwd=cwd, env=env)
        done = threading.Event()

        def heartbeat() -> None:
            while not done.wait(HEARTBEAT_SECONDS):
                say(f"  … still on {title} ({time.monotonic() - started:.0f} s; log: {log_path})")

        thread = threading.Thread(target=heartbeat, daemon=True)
        thread.start()
        code = process.wait()
        done.set()
    if code != 0:
        say(f"FAILED: {title} (exit {code}). Last lines of {log_path}:")
        for line in tail(log_path):
            say(f"    {line}")
        return code
    say(f"  done: {title} in {time.monotonic() - started:.0f} s")
    return 0
