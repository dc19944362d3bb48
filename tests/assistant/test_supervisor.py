"""The supervisor with real child processes: start order, health waits, failures, clean stop."""

from __future__ import annotations

import sys
import textwrap
import time

import pytest

from assistant.supervisor import Component, ComponentFailed, Scheduled, Supervisor
from tests.support.ports import free_port


def http_server(port: int, *, delay: float = 0.0, die_after: float | None = None) -> list[str]:
    """A tiny health endpoint that optionally starts late or dies."""
    code = textwrap.dedent(
        f"""
        import http.server, threading, time, os, sys
        time.sleep({delay})
        class H(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                self.send_response(200); self.end_headers(); self.wfile.write(b"ok")
            def log_message(self, *a): pass
        print("serving", flush=True)
        server = http.server.HTTPServer(("127.0.0.1", {port}), H)
        if {die_after!r} is not None:
            def die():
                print("fatal: out of memory", flush=True)
                os._exit(3)
            threading.Timer({die_after!r} or 0, die).start()
        server.serve_forever()
        """
    )
    return [sys.executable, "-c", code]


def make(name: str, port: int, **kwargs) -> Component:
    return Component(
        name=name, command=http_server(port, **kwargs), health_url=f"http://127.0.0.1:{port}/"
    )


def test_starts_in_order_waits_for_health_and_stops_all(tmp_path):
    said: list[str] = []
    supervisor = Supervisor(tmp_path, said.append)
    first, second = make("first", free_port()), make("second", free_port(), delay=1.0)
    supervisor.start(first, timeout=20)
    supervisor.start(second, timeout=20)
    assert [line.split()[1] for line in said] == ["first", "second"]
    processes = [first.process, second.process]
    supervisor.stop_all()
    assert all(p is not None and p.poll() is not None for p in processes)
    assert (tmp_path / "first.log").read_text().startswith("serving")


def test_a_component_that_exits_at_start_is_reported(tmp_path):
    supervisor = Supervisor(tmp_path, lambda _m: None)
    broken = Component(
        name="broken",
        command=[sys.executable, "-c", "import sys; sys.exit(7)"],
        health_url=f"http://127.0.0.1:{free_port()}/",
    )
    with pytest.raises(ComponentFailed, match="exited with code 7"):
        supervisor.start(broken, timeout=20)
    supervisor.stop_all()


def test_a_component_that_never_gets_healthy_times_out(tmp_path):
    supervisor = Supervisor(tmp_path, lambda _m: None)
    silent = Component(
        name="silent",
        command=[sys.executable, "-c", "import time; time.sleep(60)"],
        health_url=f"http://127.0.0.1:{free_port()}/",
    )
    with pytest.raises(ComponentFailed, match="not healthy"):
        supervisor.start(silent, timeout=1.5)
    supervisor.stop_all()
    assert silent.process is not None and silent.process.poll() is not None


def test_watch_returns_the_component_that_died_and_its_log_says_why(tmp_path):
    supervisor = Supervisor(tmp_path, lambda _m: None)
    fragile = make("fragile", free_port(), die_after=1.0)
    steady = make("steady", free_port())
    supervisor.start(steady, timeout=20)
    supervisor.start(fragile, timeout=20)
    started = time.monotonic()
    dead = supervisor.watch(lambda: time.monotonic() - started > 20)
    assert dead is fragile
    assert "fatal: out of memory" in (tmp_path / "fragile.log").read_text()
    supervisor.stop_all()
    assert steady.process is not None and steady.process.poll() is not None


def test_a_replica_dying_leaves_the_stack_up_while_another_of_its_group_lives(tmp_path):
    said: list[str] = []
    supervisor = Supervisor(tmp_path, said.append)
    first = make("rasa-1", free_port(), die_after=1.0)
    second = make("rasa-2", free_port(), die_after=3.0)
    first.group = second.group = "rasa"
    supervisor.start(first, timeout=20)
    supervisor.start(second, timeout=20)
    started = time.monotonic()
    dead = supervisor.watch(lambda: time.monotonic() - started > 20)
    assert dead is second  # the last of its group stops the stack, not the first one
    assert any(line.startswith("✗ rasa-1 stopped") and "rasa-2" in line for line in said)
    supervisor.stop_all()


def test_a_process_ignoring_sigterm_is_killed_after_the_grace_period(tmp_path):
    supervisor = Supervisor(tmp_path, lambda _m: None)
    port = free_port()
    stubborn = Component(
        name="stubborn",
        command=[
            sys.executable,
            "-c",
            "import signal, http.server\n"
            "signal.signal(signal.SIGTERM, signal.SIG_IGN)\n"
            "class H(http.server.BaseHTTPRequestHandler):\n"
            "    def do_GET(self):\n"
            "        self.send_response(200); self.end_headers()\n"
            f"http.server.HTTPServer(('127.0.0.1', {port}), H).serve_forever()\n",
        ],
        health_url=f"http://127.0.0.1:{port}/",
    )
    supervisor.start(stubborn, timeout=20)
    supervisor.stop_all(grace=1.0)
    assert stubborn.process is not None and stubborn.process.poll() is not None


def test_a_scheduled_chore_runs_again_and_again_while_watching_and_stops_with_it(tmp_path):
    said: list[str] = []
    supervisor = Supervisor(tmp_path, said.append)
    runs = tmp_path / "runs.txt"
    write = f"open({str(runs)!r}, 'a').write('x'); print('purged 0 transcripts')"
    chore = Scheduled("purge", [sys.executable, "-c", write], every_s=0.5, first_after_s=0.2)
    failing = Scheduled("broken", [sys.executable, "-c", "raise SystemExit(2)"], every_s=60)
    failing.first_after_s = 0
    supervisor.schedule(chore)
    supervisor.schedule(failing)
    started = time.monotonic()
    assert supervisor.watch(lambda: time.monotonic() - started > 2.2) is None
    assert 3 <= len(runs.read_text()) <= 5
    assert (tmp_path / "purge.log").read_text().count("purged 0 transcripts") == len(
        runs.read_text()
    )
    assert failing.runs == 1 and any("broken failed (exit 2)" in line for line in said)
    sleeper = Scheduled("slow", [sys.executable, "-c", "import time; time.sleep(60)"], every_s=1)
    sleeper.first_after_s = 0
    supervisor.schedule(sleeper)
    supervisor.watch(lambda: sleeper.process is not None)
    process = sleeper.process
    supervisor.stop_all(grace=5)
    assert process is not None and process.poll() is not None
