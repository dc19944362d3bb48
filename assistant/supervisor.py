"""A small process supervisor: start in order, wait until healthy, watch, stop cleanly, and run
the stack's periodic chores (the daily retention purge) while it watches."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import httpx


@dataclass
class Component:
    """One process of the stack."""

    name: str
    command: list[str]
    health_url: str
    env: dict[str, str] = field(default_factory=dict)
    cwd: Path | None = None
    process: subprocess.Popen[bytes] | None = None
    log_path: Path | None = None
    group: str = ""  # replicas of one service: the stack carries on while one of them lives


@dataclass
class Scheduled:
    """A command run every ``every_s`` seconds while the stack runs (not cron: it lives and
    stops with the stack, and logs into the run's folder like a component)."""

    name: str
    command: list[str]
    every_s: float
    first_after_s: float = 300.0  # after the stack is up, not while it starts
    env: dict[str, str] = field(default_factory=dict)
    cwd: Path | None = None
    due_at: float = 0.0
    process: subprocess.Popen[bytes] | None = None
    runs: int = 0


class ComponentFailed(RuntimeError):
    """A component exited or never became healthy."""

    def __init__(self, component: Component, reason: str) -> None:
        super().__init__(f"{component.name}: {reason}")
        self.component = component
        self.reason = reason


def is_healthy(url: str, timeout: float = 2.0) -> bool:
    """Tell whether ``url`` answers with a 2xx status."""
    try:
        return httpx.get(url, timeout=timeout).is_success
    except httpx.HTTPError:
        return False


class Supervisor:
    """Starts components one after another and stops all of them together."""

    def __init__(self, log_dir: Path, say: Callable[[str], None]) -> None:
        self.log_dir = log_dir
        self.components: list[Component] = []
        self.scheduled: list[Scheduled] = []
        self._say = say

    def start(self, component: Component, timeout: float) -> None:
        """Start ``component`` and wait until its health URL answers (or raise)."""
        self.log_dir.mkdir(parents=True, exist_ok=True)
        component.log_path = self.log_dir / f"{component.name}.log"
        log = component.log_path.open("ab")
        env = {**os.environ, **component.env}
        # Own process group: Ctrl-C in the terminal reaches the supervisor only, which then
        # stops every component in order instead of all of them dying at once mid-write.
        component.process = subprocess.Popen(
            component.command,
            stdout=log,
            stderr=subprocess.STDOUT,
            env=env,
            cwd=component.cwd,
            start_new_session=True,
        )
        log.close()
        self.components.append(component)
        started = time.monotonic()
        last_note = started
        while True:
            if component.process.poll() is not None:
                raise ComponentFailed(component, f"exited with code {component.process.returncode}")
            if is_healthy(component.health_url):
                self._say(f"✓ {component.name} is up ({time.monotonic() - started:.0f} s)")
                return
            if time.monotonic() - started > timeout:
                raise ComponentFailed(component, f"not healthy after {timeout:.0f} s")
            if time.monotonic() - last_note > 15:
                self._say(f"  … waiting for {component.name} ({time.monotonic() - started:.0f} s)")
                last_note = time.monotonic()
            time.sleep(0.5)

    def schedule(self, task: Scheduled) -> None:
        """Run ``task`` ``first_after_s`` seconds from now, then every ``every_s`` seconds."""
        task.due_at = time.monotonic() + task.first_after_s
        self.scheduled.append(task)

    def watch(self, stop_requested: Callable[[], bool]) -> Component | None:
        """Block until a stop is requested (None) or a component dies (that component).

        A replica that dies while others of its group live is reported and left out: the
        others serve its conversations (the gateway fails over), so the stack stays up.
        """
        while not stop_requested():
            for component in list(self.components):
                if component.process is None or component.process.poll() is None:
                    continue
                left = [c.name for c in self._alive() if c.group and c.group == component.group]
                if not left:
                    return component
                self.components.remove(component)
                self._say(
                    f"✗ {component.name} stopped (exit {component.process.returncode}); "
                    f"still serving: {', '.join(left)}. See {component.log_path}"
                )
            self._run_due(time.monotonic())
            time.sleep(0.5)
        return None

    def _alive(self) -> list[Component]:
        return [c for c in self.components if c.process is not None and c.process.poll() is None]

    def _run_due(self, now: float) -> None:
        for task in self.scheduled:
            if task.process is not None:
                code = task.process.poll()
                if code is None:
                    continue  # still running: a slow run is not started twice
                if code != 0:
                    self._say(f"✗ {task.name} failed (exit {code}); see {task.name}.log")
                task.process = None
            if now < task.due_at:
                continue
            self.log_dir.mkdir(parents=True, exist_ok=True)
            with (self.log_dir / f"{task.name}.log").open("ab") as log:
                task.process = subprocess.Popen(
                    task.command,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    env={**os.environ, **task.env},
                    cwd=task.cwd,
                    start_new_session=True,
                )
            task.runs += 1
            task.due_at = now + task.every_s

    def stop_all(self, grace: float = 15.0) -> None:
        """Stop a running chore, then the components in reverse order: SIGTERM, then SIGKILL
        after ``grace`` seconds."""
        for task in self.scheduled:
            if task.process is not None and task.process.poll() is None:
                task.process.terminate()
                try:
                    task.process.wait(timeout=grace)
                except subprocess.TimeoutExpired:
                    task.process.kill()
                    task.process.wait()
        self.scheduled.clear()
        for component in reversed(self.components):
            process = component.process
            if process is None or process.poll() is not None:
                continue
            try:
                os.killpg(process.pid, signal.SIGTERM)
            except ProcessLookupError:
                continue
            try:
                process.wait(timeout=grace)
            except subprocess.TimeoutExpired:
                self._say(f"  {component.name} did not stop in {grace:.0f} s; killing it")
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
            self._say(f"  stopped {component.name}")
        self.components.clear()
