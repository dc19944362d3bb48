"""Backend throughput and latency: file requests, then look them up at a fixed rate.

Starts the real backend (``python -m backend_api serve``) as a subprocess on 127.0.0.1, once
per database (a SQLite file in a temporary folder, and PostgreSQL when it answers), and drives
it with a light keep-alive HTTP client (``bench/light_http.py``; httpx would spend as much CPU
per request as the endpoint it measures, on the same two cores):

* phase 1, filing: ``--clients`` concurrent clients file requests as fast as the server answers
  (closed loop), each with its own ``Idempotency-Key``, for ``--duration`` seconds;
* phase 2, status check: an open-loop load of ``--rate`` lookups per second spread across the
  same number of clients; every request has a planned start time and its latency is measured
  from that time, so waiting behind a slow server counts (no coordinated omission).

The target is "p95 < 50 ms at 200 req/s" for the status check. Progress goes to the log
(stderr); the result table (markdown) or, with ``--json``, one JSON object goes to stdout.

    PYTHONPATH=. python bench/backend.py [--db sqlite|postgres|both] [--duration S]
        [--rate R] [--clients N] [--workers W] [--json]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import os
import platform
import random
import secrets
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import httpx

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from bench.light_http import LightClient  # noqa: E402
from nlu.identifiers import national_code_check_digit  # noqa: E402

logger = logging.getLogger("bench.backend")

POSTGRES_URL = os.environ.get(
    "DASTYAR_BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/dastyar_bench"
)
HOST = "127.0.0.1"
ASSISTANT_USER = "assistant"
FALLBACK_SERVICE = "10202000001"  # passport, in the sample catalogue
TARGET_P95_MS = 50.0
# Two workers filed 15-45 % more requests per second than one on the 2-core machine this was
# tuned on, and looked up as fast or faster (measured with the former pre-fork server; uvicorn's
# workers against it: backend_api/README.md); the load generator shares those cores.
DEFAULT_WORKERS = 2
# The first start on a machine embeds the catalogue for search (minutes on 2 cores); later
# starts load the vectors from the shared knowledge cache below.
START_TIMEOUT_S = 600.0
KNOWLEDGE_CACHE = Path.home() / ".cache" / "dastyar" / "knowledge-index"
STOP_TIMEOUT_S = 15.0
REQUEST_TIMEOUT_S = 10.0
DRAIN_S = 10.0  # how long in-flight requests may finish after a phase's deadline


@dataclass
class PhaseResult:
    """What one phase measured."""

    name: str
    duration_s: float
    requests: int = 0
    ok: int = 0
    errors: int = 0
    throughput: float = 0.0
    p50_ms: float | None = None
    p95_ms: float | None = None
    p99_ms: float | None = None
    max_ms: float | None = None
    target_rate: float | None = None
    unsent: int = 0
    error_kinds: dict[str, int] = field(default_factory=dict)
    server_cpu_ms_per_req: float | None = None
    client_cpu_ms_per_req: float | None = None
    db_cpu_ms_per_req: float | None = None  # PostgreSQL's processes (none for SQLite)
    machine_busy_cores: float | None = None  # all cores' busy time / wall time
    other_cores: float | None = None  # of which neither server, load generator nor PostgreSQL
    met: bool | None = None


@dataclass
class RunResult:
    """The results for one database."""

    database: str
    db_version: str
    workers: int
    connections_per_process: list[int] = field(default_factory=list)
    phases: list[PhaseResult] = field(default_factory=list)
    note: str = ""


# --------------------------------------------------------------------------- helpers


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def national_code(rng: random.Random) -> str:
    """A random national code with a correct check digit."""
    first_nine = f"{rng.randrange(1, 10**9):09d}"
    return first_nine + str(national_code_check_digit(first_nine))


def mobile(rng: random.Random) -> str:
    """A random mobile number in the canonical 09xxxxxxxxx form."""
    return f"09{rng.randrange(10**9):09d}"


def percentile(sorted_values: list[float], pct: float) -> float | None:
    """The nearest-rank percentile of an ascending list, or None when it is empty."""
    if not sorted_values:
        return None
    rank = max(1, min(len(sorted_values), round(pct / 100.0 * len(sorted_values) + 0.5)))
    return sorted_values[rank - 1]


def _clock_ticks() -> int:
    return int(os.sysconf("SC_CLK_TCK")) if hasattr(os, "sysconf") else 100


def session_cpu_seconds(session_id: int) -> float | None:
    """User plus system CPU seconds of the live processes in a session (Linux /proc)."""
    return _proc_cpu_seconds(lambda comm, session: session == session_id)


def postgres_cpu_seconds() -> float | None:
    """User plus system CPU seconds of the live PostgreSQL server processes on this machine."""
    return _proc_cpu_seconds(lambda comm, session: comm == "postgres")


def _proc_cpu_seconds(select: Callable[[str, int], bool]) -> float | None:
    total = 0
    found = False
    try:
        entries = os.listdir("/proc")
    except OSError:
        return None
    for entry in entries:
        if not entry.isdigit():
            continue
        try:
            raw = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        comm = raw[raw.find("(") + 1 : raw.rfind(")")]
        fields = raw[raw.rfind(")") + 2 :].split()
        # fields[0] is the state (field 3 of stat), so field n is fields[n - 3]
        if not select(comm, int(fields[3])):
            continue
        found = True
        total += int(fields[11]) + int(fields[12])
    return total / _clock_ticks() if found else None


def machine_busy_seconds() -> float | None:
    """CPU seconds all cores of this machine spent busy since boot (``/proc/stat``)."""
    try:
        first = Path("/proc/stat").read_text().splitlines()[0].split()
    except (OSError, IndexError):
        return None
    user, nice, system, _idle, _iowait, irq, softirq, steal = (int(v) for v in first[1:9])
    return (user + nice + system + irq + softirq + steal) / _clock_ticks()


# --------------------------------------------------------------------------- databases


def postgres_version(url: str) -> str | None:
    """PostgreSQL's version string, or None when it does not answer."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url, connect_args={"connect_timeout": 3})
    try:
        with engine.connect() as conn:
            version = conn.scalar(text("SHOW server_version"))
        return f"PostgreSQL {version}"
    except Exception as exc:  # any failure means "not there"
        logger.info("PostgreSQL at %s does not answer: %s", _shown(url), exc.__class__.__name__)
        return None
    finally:
        engine.dispose()


def _shown(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


def reset_postgres(url: str) -> None:
    """Drop and create the benchmark's own database, so the backend starts from empty.

    Only a database whose name contains "bench" is dropped: pointing the benchmark at a shared
    database (say the tests' ``test``) must not wipe it.
    """
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    target = make_url(url)
    name = target.database or ""
    if "bench" not in name:
        raise SystemExit(f"refusing to drop PostgreSQL database {name!r}: its name lacks 'bench'")
    engine = create_engine(
        target.set(database="postgres"),
        isolation_level="AUTOCOMMIT",
        connect_args={"connect_timeout": 3},
    )
    try:
        with engine.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        engine.dispose()


# --------------------------------------------------------------------------- the server


class Backend:
    """The real backend as a subprocess; a context manager that always stops it."""

    def __init__(
        self, database_url: str, data_dir: Path, workers: int, password: str, log_name: str
    ) -> None:
        self.port = free_port()
        self.base_url = f"http://{HOST}:{self.port}"
        self.password = password
        self.workers = workers
        self.log_path = data_dir / log_name
        self.database_url = database_url
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("DASTYAR_BACKEND_")}
        self.env.setdefault("DASTYAR_KNOWLEDGE_CACHE_DIR", str(KNOWLEDGE_CACHE))
        pythonpath = [str(REPO_ROOT), *filter(None, [os.environ.get("PYTHONPATH")])]
        self.env.update(
            {
                "PYTHONPATH": os.pathsep.join(pythonpath),
                "DASTYAR_BACKEND_HOST": HOST,
                "DASTYAR_BACKEND_PORT": str(self.port),
                "DASTYAR_BACKEND_DATABASE_URL": database_url,
                "DASTYAR_DATA_DIR": str(data_dir),
                "DASTYAR_BACKEND_JWT_SECRET": secrets.token_urlsafe(48),
                "DASTYAR_BACKEND_ASSISTANT_USERNAME": ASSISTANT_USER,
                "DASTYAR_BACKEND_ASSISTANT_PASSWORD": self.password,
                "DASTYAR_BACKEND_SEED_CATALOGUE": "true",
                "DASTYAR_BACKEND_MIGRATE_ON_START": "true",
            }
        )
        self.proc: subprocess.Popen[bytes] | None = None
        self.spread: list[int] = []  # connections per server process, seen after the warm-up
        self._log: Any = None

    def __enter__(self) -> Backend:
        """Start the server (its own session, so a Ctrl-C here reaches it only through us)."""
        self._log = self.log_path.open("wb")
        command = [sys.executable, "-m", "backend_api", "serve", "--workers", str(self.workers)]
        logger.info("starting the backend on port %d with %d worker(s)", self.port, self.workers)
        self.proc = subprocess.Popen(
            command,
            cwd=REPO_ROOT,
            env=self.env,
            stdin=subprocess.DEVNULL,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        return self

    def __exit__(self, *exc: object) -> None:
        """Stop the server: SIGTERM, then SIGKILL to its process group if it lingers."""
        self.stop()

    def stop(self) -> None:
        """Stop the server and wait for it."""
        proc = self.proc
        if proc is None:
            return
        self.proc = None
        if proc.poll() is None:
            logger.info("stopping the backend (pid %d)", proc.pid)
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(STOP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                logger.warning("the backend did not stop in %.0f s; killing it", STOP_TIMEOUT_S)
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        # workers of a multi-process server share its process group; none may outlive it
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, signal.SIGKILL)
        if self._log is not None:
            self._log.close()
            self._log = None

    def cpu_seconds(self) -> float | None:
        """CPU seconds used so far by the server's processes."""
        return session_cpu_seconds(self.proc.pid) if self.proc else None

    def db_cpu_seconds(self) -> float | None:
        """CPU seconds used so far by PostgreSQL's processes; None for SQLite."""
        return postgres_cpu_seconds() if self.database_url.startswith("postgresql") else None

    def started_workers(self) -> int:
        """How many server processes have finished their application's start-up (uvicorn
        logs each)."""
        try:
            return self.log_path.read_text(errors="replace").count("Application startup complete")
        except OSError:
            return 0

    def connections_per_process(self) -> list[int]:
        """Established client connections held by each server process, most first (Linux)."""
        listening_hex = f":{self.port:04X}"
        inodes: set[str] = set()
        for table in ("/proc/net/tcp", "/proc/net/tcp6"):
            with contextlib.suppress(OSError):
                for line in Path(table).read_text().splitlines()[1:]:
                    cols = line.split()
                    if cols[1].endswith(listening_hex) and cols[3] == "01":  # ESTABLISHED
                        inodes.add(cols[9])
        counts = []
        for pid in self._pids():
            with contextlib.suppress(OSError):
                fds = os.listdir(f"/proc/{pid}/fd")
                held = 0
                for fd in fds:
                    with contextlib.suppress(OSError):
                        target = os.readlink(f"/proc/{pid}/fd/{fd}")
                        if target.startswith("socket:[") and target[8:-1] in inodes:
                            held += 1
                if held:
                    counts.append(held)
        return sorted(counts, reverse=True)

    def _pids(self) -> list[int]:
        if self.proc is None:
            return []
        pids = []
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                with contextlib.suppress(OSError, IndexError, ValueError):
                    raw = Path(f"/proc/{entry}/stat").read_text()
                    if int(raw[raw.rfind(")") + 2 :].split()[3]) == self.proc.pid:
                        pids.append(int(entry))
        return pids

    def log_tail(self, lines: int = 30) -> str:
        """The last lines of the server's output."""
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def problems(self, limit: int = 12) -> list[str]:
        """Error lines the server logged: the first ``limit``, then a count of the rest."""
        try:
            lines = self.log_path.read_text(errors="replace").splitlines()
        except OSError:
            return []
        marks = (" ERROR ", " CRITICAL ", "Traceback", "Error:", "Exception:")
        found = [line for line in lines if any(mark in line for mark in marks)]
        if len(found) > limit:
            found = [*found[:limit], f"... {len(found) - limit} more"]
        return found

    def wait_ready(self) -> None:
        """Poll /health until it answers 200; fail if the process exits or it takes too long."""
        deadline = time.monotonic() + START_TIMEOUT_S
        with httpx.Client(base_url=self.base_url, timeout=2.0) as client:
            while time.monotonic() < deadline:
                if self.proc is None or self.proc.poll() is not None:
                    raise RuntimeError(f"the backend exited at start-up:\n{self.log_tail()}")
                with contextlib.suppress(httpx.HTTPError):
                    # Every worker must be able to answer: clients that connected before all
                    # were would crowd onto the first one.
                    healthy = client.get("/health").status_code == 200
                    if healthy and self.started_workers() >= self.workers:
                        return
                time.sleep(0.2)
        raise RuntimeError(
            f"the backend was not ready in {START_TIMEOUT_S:.0f} s:\n{self.log_tail()}"
        )

    def token(self) -> str:
        """A bearer token for the assistant account."""
        with httpx.Client(base_url=self.base_url, timeout=30.0) as client:
            response = client.post(
                "/api/v1/auth/token", json={"username": ASSISTANT_USER, "password": self.password}
            )
            response.raise_for_status()
            return str(response.json()["access_token"])

    def service_codes(self, headers: dict[str, str]) -> list[str]:
        """Codes of the active services in the catalogue (the passport service if none)."""
        with httpx.Client(base_url=self.base_url, timeout=30.0, headers=headers) as client:
            response = client.get("/api/v1/catalogue/services", params={"limit": 200})
            codes = [item["code"] for item in response.json().get("items", [])]
        return codes or [FALLBACK_SERVICE]


# --------------------------------------------------------------------------- load


@dataclass
class Samples:
    """Raw observations of one phase."""

    latencies_ms: list[float] = field(default_factory=list)
    errors: dict[str, int] = field(default_factory=dict)
    unsent: int = 0

    def error(self, kind: str) -> None:
        """Count one failed request."""
        self.errors[kind] = self.errors.get(kind, 0) + 1


async def _timed(call: Awaitable[tuple[int, dict[str, str], bytes]]) -> tuple[int, bytes]:
    status, _, content = await asyncio.wait_for(call, REQUEST_TIMEOUT_S)
    return status, content


class _Meter:
    """Wall time and CPU time (server, load generator, PostgreSQL, others) over one phase."""

    def __init__(self, backend: Backend) -> None:
        self._server_cpu = backend.cpu_seconds
        self._db_cpu = backend.db_cpu_seconds
        self.start = time.perf_counter()
        self._server0 = self._server_cpu()
        self._client0 = time.process_time()
        self._db0 = self._db_cpu()
        self._busy0 = machine_busy_seconds()

    def finish(self, phase: PhaseResult) -> None:
        """Fill in the CPU cost per request of ``phase`` and the load from other processes."""
        elapsed = time.perf_counter() - self.start
        server1, db1, busy1 = self._server_cpu(), self._db_cpu(), machine_busy_seconds()
        client = time.process_time() - self._client0
        done = max(phase.requests, 1)
        server = db = None
        if self._server0 is not None and server1 is not None:
            server = server1 - self._server0
            phase.server_cpu_ms_per_req = round(server * 1000 / done, 2)
        phase.client_cpu_ms_per_req = round(client * 1000 / done, 2)
        if self._db0 is not None and db1 is not None and db1 >= self._db0:
            # approximate: every postgres process on the machine, and those that exited
            # during the phase take their CPU time with them
            db = db1 - self._db0
            phase.db_cpu_ms_per_req = round(db * 1000 / done, 2)
        if self._busy0 is not None and busy1 is not None and server is not None and elapsed > 0:
            phase.machine_busy_cores = round((busy1 - self._busy0) / elapsed, 2)
            others = (busy1 - self._busy0) - server - client - (db or 0.0)
            phase.other_cores = round(max(others, 0.0) / elapsed, 2)


def _summarise(
    name: str, samples: Samples, elapsed: float, target_rate: float | None
) -> PhaseResult:
    ordered = sorted(samples.latencies_ms)
    errors = sum(samples.errors.values())
    return PhaseResult(
        name=name,
        duration_s=round(elapsed, 2),
        requests=len(ordered) + errors,
        ok=len(ordered),
        errors=errors,
        throughput=round(len(ordered) / elapsed, 1) if elapsed > 0 else 0.0,
        p50_ms=_round(percentile(ordered, 50)),
        p95_ms=_round(percentile(ordered, 95)),
        p99_ms=_round(percentile(ordered, 99)),
        max_ms=_round(ordered[-1] if ordered else None),
        target_rate=target_rate,
        unsent=samples.unsent,
        error_kinds=dict(samples.errors),
    )


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


async def file_requests(
    clients: list[LightClient],
    services: list[str],
    duration: float,
    backend: Backend,
) -> tuple[PhaseResult, list[tuple[str, str]]]:
    """Phase 1: closed-loop filing by every client for ``duration`` seconds."""
    samples = Samples()
    filed: list[tuple[str, str]] = []
    meter = _Meter(backend)
    deadline = meter.start + duration

    async def one_client(index: int, client: LightClient) -> None:
        rng = random.Random(f"file-{index}")
        while time.perf_counter() < deadline:
            code = national_code(rng)
            body = {
                "service_code": rng.choice(services),
                "full_name": "شهروند آزمایشی",
                "national_code": code,
                "mobile": mobile(rng),
                "description": "درخواست آزمایشی برای سنجش کارایی",
                "channel": "web",
            }
            sent = time.perf_counter()
            try:
                status, content = await _timed(
                    client.post(
                        "/api/v1/requests", body, headers={"Idempotency-Key": uuid.uuid4().hex}
                    )
                )
            except (OSError, asyncio.IncompleteReadError, TimeoutError) as exc:
                samples.error(exc.__class__.__name__)
                continue
            if status == 201:
                samples.latencies_ms.append((time.perf_counter() - sent) * 1000)
                filed.append((json.loads(content)["tracking_code"], code))
            else:
                samples.error(f"HTTP {status}")

    await asyncio.wait_for(
        asyncio.gather(*(one_client(i, c) for i, c in enumerate(clients))),
        duration + DRAIN_S + REQUEST_TIMEOUT_S,
    )
    result = _summarise("filing", samples, time.perf_counter() - meter.start, None)
    meter.finish(result)
    return result, filed


async def look_up_requests(
    clients: list[LightClient],
    filed: list[tuple[str, str]],
    duration: float,
    rate: float,
    backend: Backend,
) -> PhaseResult:
    """Phase 2: open-loop lookups at ``rate`` per second spread over the clients.

    Request ``i`` is planned at ``start + i / rate`` and sent by client ``i % len(clients)``;
    its latency runs from the planned time, so a request that had to wait for its client (or
    for the event loop) counts the wait. Requests still unsent at the deadline are ``unsent``.
    """
    samples = Samples()
    total = int(rate * duration)
    interval = 1.0 / rate
    meter = _Meter(backend)
    start = meter.start
    deadline = start + duration
    step = len(clients)

    async def one_client(index: int, client: LightClient) -> None:
        rng = random.Random(f"lookup-{index}")
        for i in range(index, total, step):
            planned = start + i * interval
            now = time.perf_counter()
            if now >= deadline:
                samples.unsent += len(range(i, total, step))
                return
            if planned > now:
                await asyncio.sleep(planned - now)
            tracking_code, code = rng.choice(filed)
            try:
                status, _ = await _timed(
                    client.post(
                        "/api/v1/requests/lookup",
                        {"tracking_code": tracking_code, "national_code": code},
                    )
                )
            except (OSError, asyncio.IncompleteReadError, TimeoutError) as exc:
                samples.error(exc.__class__.__name__)
                continue
            if status == 200:
                samples.latencies_ms.append((time.perf_counter() - planned) * 1000)
            else:
                samples.error(f"HTTP {status}")

    await asyncio.wait_for(
        asyncio.gather(*(one_client(i, c) for i, c in enumerate(clients))),
        duration + DRAIN_S + REQUEST_TIMEOUT_S,
    )
    result = _summarise("status check", samples, max(time.perf_counter() - start, duration), rate)
    meter.finish(result)
    result.met = (
        result.p95_ms is not None
        and result.p95_ms < TARGET_P95_MS
        and result.errors == 0
        and result.unsent == 0
        and result.throughput >= 0.97 * rate
    )
    return result


async def run_phases(
    backend: Backend, headers: dict[str, str], services: list[str], args: argparse.Namespace
) -> list[PhaseResult]:
    """Open the clients (connections warmed up outside the measurement), then run both phases."""
    phases: list[PhaseResult] = []
    # one keep-alive connection per simulated client, as a real caller would hold
    clients = [LightClient(backend.base_url, headers) for _ in range(args.clients)]
    try:
        await asyncio.gather(*(client.get("/health") for client in clients))
        spread = backend.connections_per_process()
        logger.info("client connections held by each server process: %s", spread)
        backend.spread = spread
        logger.info("phase 1, filing with %d clients for %.0f s", args.clients, args.duration)
        filing, filed = await file_requests(clients, services, args.duration, backend)
        phases.append(filing)
        logger.info("filed %d requests, %.1f req/s", filing.ok, filing.throughput)
        if not filed:
            logger.warning("nothing was filed, so the status check is skipped")
            return phases
        logger.info(
            "phase 2, status check at %.0f req/s over %d clients for %.0f s",
            args.rate,
            args.clients,
            args.duration,
        )
        await asyncio.sleep(1.0)  # let the server settle after phase 1
        lookup = await look_up_requests(clients, filed, args.duration, args.rate, backend)
        phases.append(lookup)
        logger.info("status check %.1f req/s, p95 %s ms", lookup.throughput, lookup.p95_ms)
    finally:
        for client in clients:
            client.close()
    return phases


# --------------------------------------------------------------------------- one database


def run_database(name: str, args: argparse.Namespace) -> RunResult | None:
    """Start the backend on one database, run both phases, and stop it; None if skipped."""
    with tempfile.TemporaryDirectory(prefix=f"dastyar-bench-{name}-") as tmp:
        data_dir = Path(tmp)
        if name == "postgres":
            from sqlalchemy.engine import make_url

            server = make_url(args.postgres_url).set(database="postgres")
            version = postgres_version(server.render_as_string(hide_password=False))
            if version is None:
                sys.stderr.write(
                    f"note: PostgreSQL at {_shown(args.postgres_url)} does not answer; "
                    "its benchmark is skipped\n"
                )
                return None
            reset_postgres(args.postgres_url)
            url = args.postgres_url
        else:
            version = f"SQLite {sqlite3.sqlite_version} (WAL, file)"
            url = f"sqlite:///{data_dir / 'backend.db'}"
        result = RunResult(database=name, db_version=version, workers=args.workers)
        password = secrets.token_urlsafe(18)
        with Backend(url, data_dir, args.workers, password, "backend.log") as backend:
            backend.wait_ready()
            headers = {"Authorization": f"Bearer {backend.token()}"}
            services = backend.service_codes(headers)
            logger.info("%s: ready; %d services in the catalogue", name, len(services))
            try:
                result.phases = asyncio.run(run_phases(backend, headers, services, args))
            finally:
                result.connections_per_process = backend.spread
                problems = backend.problems()
                if problems:
                    logger.warning("%s: the backend logged errors:\n%s", name, "\n".join(problems))
            if len(result.phases) < 2:
                result.note = "nothing was filed, so the status check was skipped"
            if problems:
                result.note = (result.note + "; " if result.note else "") + (
                    f"the backend logged errors, e.g. {problems[0].strip()[:160]}"
                )
        return result


# --------------------------------------------------------------------------- report


def background_load(seconds: float = 1.0) -> float | None:
    """How many cores other processes keep busy right now (sampled over ``seconds``)."""
    before = machine_busy_seconds()
    time.sleep(seconds)
    after = machine_busy_seconds()
    return None if before is None or after is None else round((after - before) / seconds, 2)


def machine_facts() -> dict[str, Any]:
    """Cores, Python and platform of this machine, and its load before the benchmark."""
    return {
        "background_load_cores": background_load(),
        "cores": os.cpu_count(),
        "python": f"{platform.python_implementation()} {platform.python_version()}",
        "platform": platform.platform(),
        "processor": platform.processor() or platform.machine(),
        "httpx": httpx.__version__,
    }


def _cell(value: object) -> str:
    return "–" if value is None else str(value)


def markdown_report(facts: dict[str, Any], runs: list[RunResult], args: argparse.Namespace) -> str:
    """The results as a markdown table with the machine facts above it."""
    lines = [
        "## Dastyar backend benchmark",
        "",
        f"- machine: {facts['cores']} cores, {facts['processor']}, {facts['platform']}",
        f"- Python: {facts['python']}; load generator (bench/light_http.py) on the same machine",
        f"- background load before the run: {_cell(facts['background_load_cores'])} cores busy;"
        " 'other load' below is what processes other than the server, the load generator and"
        " PostgreSQL used during each phase",
        f"- server: `python -m backend_api serve --workers {args.workers}` (uvicorn), 127.0.0.1",
        f"- load: {args.clients} clients, {args.duration:.0f} s per phase; status check open loop"
        f" at {args.rate:.0f} req/s",
    ]
    for run in runs:
        spread = "/".join(map(str, run.connections_per_process)) or "?"
        lines.append(
            f"- {run.database}: {run.db_version}; client connections per server process: {spread}"
        )
    lines += [
        "",
        "| database | workers | phase | requests | errors | req/s | p50 ms | p95 ms | p99 ms "
        "| max ms | CPU ms/req server | client | PostgreSQL | other load (cores) | target |",
        "| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: "
        "| ---: | ---: | --- |",
    ]
    for run in runs:
        for phase in run.phases:
            if phase.met is None:
                target = ""
            else:
                target = f"p95 < {TARGET_P95_MS:.0f} ms at {phase.target_rate:.0f} req/s: " + (
                    "**met**" if phase.met else "**missed**"
                )
            errors = str(phase.errors)
            if phase.unsent:
                errors += f" (+{phase.unsent} unsent)"
            lines.append(
                f"| {run.database} | {run.workers} | {phase.name} | {phase.requests} | {errors} "
                f"| {phase.throughput} | {_cell(phase.p50_ms)} | {_cell(phase.p95_ms)} "
                f"| {_cell(phase.p99_ms)} | {_cell(phase.max_ms)} "
                f"| {_cell(phase.server_cpu_ms_per_req)} | {_cell(phase.client_cpu_ms_per_req)} "
                f"| {_cell(phase.db_cpu_ms_per_req if run.database == 'postgres' else None)} "
                f"| {_cell(phase.other_cores)} | {target} |"
            )
    lines.append("")
    for run in runs:
        for phase in run.phases:
            if phase.met is not None:
                verdict = "MET" if phase.met else "MISSED"
                lines.append(
                    f"- target p95 < {TARGET_P95_MS:.0f} ms at {phase.target_rate:.0f} req/s on "
                    f"{run.database}: **{verdict}** (p95 {_cell(phase.p95_ms)} ms at "
                    f"{phase.throughput} req/s achieved, {phase.errors} errors, "
                    f"{phase.unsent} unsent)"
                )
    for run in runs:
        for phase in run.phases:
            if phase.error_kinds:
                kinds = ", ".join(f"{k} × {v}" for k, v in sorted(phase.error_kinds.items()))
                lines.append(f"\n{run.database} {phase.name} errors: {kinds}")
        if run.note:
            lines.append(f"\n{run.database}: {run.note}")
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------- main


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--duration", type=float, default=15.0, help="seconds per phase")
    parser.add_argument("--rate", type=float, default=200.0, help="status checks per second")
    parser.add_argument("--clients", type=int, default=50, help="concurrent clients")
    parser.add_argument("--workers", type=int, default=DEFAULT_WORKERS, help="server processes")
    parser.add_argument(
        "--postgres-url",
        default=POSTGRES_URL,
        help="a database of the benchmark's own, dropped and created anew (its name must contain "
        "'bench'; default: $DASTYAR_BENCH_POSTGRES_URL or dastyar_bench on 127.0.0.1)",
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args(argv)
    if args.duration <= 0 or args.rate <= 0 or args.clients < 1 or args.workers < 1:
        parser.error("--duration, --rate, --clients and --workers must be positive")
    return args


def _raise_on_sigterm(signum: int, _frame: object) -> None:
    raise SystemExit(128 + signum)


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print the report."""
    args = parse_args(argv)
    logging.basicConfig(
        level=logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    logging.getLogger("httpx").setLevel(logging.WARNING)
    signal.signal(signal.SIGTERM, _raise_on_sigterm)  # so the server is stopped on SIGTERM too
    with contextlib.suppress(ImportError):
        import uvloop  # a faster event loop keeps the load generator's own cost down

        asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())
    facts = machine_facts()
    busy = facts["background_load_cores"]
    if busy is not None and busy > 0.2:
        logger.warning(
            "the machine is already busy (%.2f cores in use by other processes): "
            "the results will be pessimistic",
            busy,
        )
    databases = ("sqlite", "postgres") if args.db == "both" else (args.db,)
    runs: list[RunResult] = []
    skipped: list[str] = []
    try:
        for name in databases:
            run = run_database(name, args)
            if run is None:
                skipped.append(f"{name}: {_shown(args.postgres_url)} does not answer")
            else:
                runs.append(run)
    except KeyboardInterrupt:
        logger.warning("interrupted; the backend was stopped")
        return 130
    if args.json:
        payload = {
            "machine": facts,
            "settings": _settings(args),
            "runs": [asdict(r) for r in runs],
            "skipped": skipped,
        }
        sys.stdout.write(json.dumps(payload, ensure_ascii=False) + "\n")
    else:
        report = markdown_report(facts, runs, args)
        sys.stdout.write(report + "".join(f"\nskipped {line}\n" for line in skipped))
    return 0


def _settings(args: argparse.Namespace) -> dict[str, Any]:
    return {
        "duration_s": args.duration,
        "rate": args.rate,
        "clients": args.clients,
        "workers": args.workers,
        "target": f"p95 < {TARGET_P95_MS:.0f} ms at {args.rate:.0f} req/s",
    }


if __name__ == "__main__":
    sys.exit(main())
