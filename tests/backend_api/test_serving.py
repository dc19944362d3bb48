"""The multi-worker server (uvicorn's own): every worker serves, restarts, clean stop."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from backend_api.serving import PortInUse, ensure_port_free
from tests.support.backend_process import ROOT, START_TIMEOUT, backend_env
from tests.support.ports import free_port

pytestmark = pytest.mark.slow  # starts real server processes

WORKERS = 2


def sockets_on(port: int, state: str) -> list[str]:
    """Inodes of the server-side sockets on ``port`` in ``state`` (Linux /proc; "0A" listening,
    "01" established)."""
    found = []
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with contextlib.suppress(OSError):
            for line in Path(table).read_text().splitlines()[1:]:
                cols = line.split()
                if cols[1].endswith(f":{port:04X}") and cols[3] == state:
                    found.append(cols[9])
    return found


def listening_sockets(port: int) -> list[str]:
    """Inodes of the sockets listening on ``port``."""
    return sockets_on(port, "0A")


def children_of(pid: int) -> list[int]:
    """Direct child processes of ``pid``."""
    kids = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            with contextlib.suppress(OSError):
                raw = Path(f"/proc/{entry}/stat").read_text()
                if int(raw[raw.rfind(")") + 2 :].split()[1]) == pid:
                    kids.append(int(entry))
    return kids


def holders(server: subprocess.Popen[bytes], inodes: set[str]) -> dict[int, int]:
    """Child processes of the server holding any of the sockets ``inodes``: how many each."""
    held: dict[int, int] = {}
    for pid in children_of(server.pid):
        with contextlib.suppress(OSError):
            for fd in os.listdir(f"/proc/{pid}/fd"):
                with contextlib.suppress(OSError):
                    target = os.readlink(f"/proc/{pid}/fd/{fd}")
                    if target.startswith("socket:[") and target[8:-1] in inodes:
                        held[pid] = held.get(pid, 0) + 1
    return held


def worker_pids(server: subprocess.Popen[bytes], port: int) -> set[int]:
    """Processes of the server that hold the listening socket on ``port``."""
    return set(holders(server, set(listening_sockets(port))))


def started_workers(log: Path) -> int:
    """How many workers have finished their application's start-up (uvicorn logs each)."""
    return log.read_text(errors="replace").count("Application startup complete")


def wait_for(condition: Callable[[], bool], what: str, timeout: float = START_TIMEOUT) -> None:
    """Poll ``condition`` until it holds, or fail the test."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.3)


def start(port: int, data_dir: Path, log_name: str) -> subprocess.Popen[bytes]:
    """``python -m backend_api serve --workers 2`` on ``port``."""
    env = backend_env(port, data_dir, assistant_password="a" * 16, admin_password="b" * 16)
    with (data_dir / log_name).open("wb") as log:
        return subprocess.Popen(
            [sys.executable, "-m", "backend_api", "serve", "--workers", str(WORKERS)],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )


@pytest.fixture(scope="module")
def server(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[subprocess.Popen[bytes], int, Path]]:
    """A two-worker backend, stopped after the module."""
    data_dir = tmp_path_factory.mktemp("serving")
    port = free_port()
    proc = start(port, data_dir, "backend.log")

    def ready() -> bool:
        if proc.poll() is not None:
            pytest.fail("server exited:\n" + (data_dir / "backend.log").read_text()[-3000:])
        return started_workers(data_dir / "backend.log") == WORKERS

    try:
        wait_for(ready, "both workers to start")
        yield proc, port, data_dir / "backend.log"
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_every_worker_serves_connections_from_the_one_socket(
    server: tuple[subprocess.Popen[bytes], int, Path],
) -> None:
    proc, port, _ = server
    assert len(listening_sockets(port)) == 1
    assert len(worker_pids(proc, port)) == WORKERS
    clients = [httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10) for _ in range(40)]
    try:
        # 40 keep-alive connections at once, each held open after its answer
        with ThreadPoolExecutor(len(clients)) as pool:
            replies = list(pool.map(lambda client: client.get("/health"), clients))
        assert all(r.status_code == 200 and r.json()["kb_version"] > 0 for r in replies)
        served = holders(proc, set(sockets_on(port, "01")))
        assert len(served) == WORKERS, served
        assert sum(served.values()) == len(clients)
    finally:
        for client in clients:
            client.close()


def test_a_second_server_on_the_same_port_refuses_to_start(
    server: tuple[subprocess.Popen[bytes], int, Path], tmp_path: Path
) -> None:
    _, port, _ = server
    with pytest.raises(PortInUse):
        ensure_port_free("127.0.0.1", port)
    other = start(port, tmp_path, "second.log")
    assert other.wait(timeout=120) == 1
    assert "already in use" in (tmp_path / "second.log").read_text()
    assert len(listening_sockets(port)) == 1


def test_a_worker_that_dies_is_replaced(server: tuple[subprocess.Popen[bytes], int, Path]) -> None:
    proc, port, log = server
    victim = min(worker_pids(proc, port))
    os.kill(victim, signal.SIGKILL)
    wait_for(
        lambda: len(worker_pids(proc, port)) == WORKERS and victim not in worker_pids(proc, port),
        "a replacement worker",
    )
    wait_for(lambda: started_workers(log) == WORKERS + 1, "the replacement to start")
    assert httpx.get(f"http://127.0.0.1:{port}/health", timeout=10).status_code == 200


def test_sigterm_stops_every_worker_and_frees_the_port(
    server: tuple[subprocess.Popen[bytes], int, Path],
) -> None:
    proc, port, _ = server
    workers = worker_pids(proc, port)
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=60) == 0
    for pid in workers:
        wait_for(lambda pid=pid: not Path(f"/proc/{pid}").exists(), f"worker {pid} to exit", 30)
    assert listening_sockets(port) == []
    ensure_port_free("127.0.0.1", port)


def test_a_port_left_by_a_killed_server_is_free_at_once() -> None:
    # the server closes a connection first (as a killed one does): the port stays in TIME_WAIT
    listener = socket.socket()
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    port = listener.getsockname()[1]
    client = socket.create_connection(("127.0.0.1", port))
    accepted, _ = listener.accept()
    with pytest.raises(PortInUse):
        ensure_port_free("127.0.0.1", port)  # listening: in use
    accepted.close()
    listener.close()
    client.close()
    ensure_port_free("127.0.0.1", port)  # only TIME_WAIT left: free, as uvicorn will bind it
