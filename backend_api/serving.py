"""Serve the backend from one process or from several worker processes.

With several workers, each worker binds its own listening socket with ``SO_REUSEPORT`` and the
kernel spreads new connections evenly over them. Uvicorn's own multi-worker mode shares one
socket instead, and there the process that happens to be awake takes nearly every connection:
with keep-alive clients one worker ended up serving 48 of 50 clients and the other idled.

Before the workers start, one short-lived process prepares the database (migrations, accounts,
seed) and builds the search index into the data folder, so the workers neither race nor embed
the catalogue twice; the supervising parent stays small (it imports neither SQLAlchemy nor the
models). A worker that dies is restarted; one that keeps dying at start-up stops the server.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import logging
import multiprocessing
import os
import signal
import socket
import time
from multiprocessing.context import SpawnProcess
from types import FrameType

import uvicorn

logger = logging.getLogger(__name__)

APP_FACTORY = "backend_api.app:create_app"
STOP_GRACE_S = 15.0
# A worker that exits sooner than this after its start counts as a start-up failure.
EARLY_EXIT_S = 10.0
MAX_EARLY_EXITS = 3
PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>


class PortInUse(RuntimeError):
    """The address is already taken by another program."""


def serve(host: str, port: int, workers: int) -> int:
    """Run the backend until SIGINT/SIGTERM; return the process exit status."""
    if workers <= 1:
        uvicorn.run(
            APP_FACTORY,
            factory=True,
            host=host,
            port=port,
            log_level="info",
            access_log=False,
        )
        return 0
    ensure_port_free(host, port)
    spawn = multiprocessing.get_context("spawn")
    prepare = spawn.Process(target=_prepare, name="backend-prepare")
    prepare.start()
    prepare.join()
    if prepare.exitcode != 0:
        logger.error("preparing the database failed (exit code %s)", prepare.exitcode)
        return 1
    # The workers find everything prepared: they must not migrate or seed concurrently.
    os.environ["DASTYAR_BACKEND_PREPARE_ON_START"] = "false"
    return _Supervisor(spawn, host, port, workers).run()


def ensure_port_free(host: str, port: int) -> None:
    """Raise :class:`PortInUse` if something already listens on ``host:port``.

    The workers' ``SO_REUSEPORT`` sockets would otherwise share the port with another
    instance of the backend started by the same user, instead of failing.
    """
    probe = socket.socket(_family(host), socket.SOCK_STREAM)
    try:
        probe.bind((host, port))
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            raise PortInUse(f"{host}:{port} is already in use") from None
        raise
    finally:
        probe.close()


def reuseport_socket(host: str, port: int) -> socket.socket:
    """A bound, not yet listening, socket that shares its port with the other workers.

    Listening starts when the worker's server starts, after its application has started, so
    the kernel gives a worker no connection before it can answer.
    """
    sock = socket.socket(_family(host), socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    sock.set_inheritable(False)
    return sock


def _family(host: str) -> socket.AddressFamily:
    return socket.AF_INET6 if ":" in host else socket.AF_INET


def _configure_logging() -> None:
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )


def _prepare() -> None:
    """Migrate, create accounts, seed, and build the search index (in a child process)."""
    _configure_logging()
    from backend_api.app import prepare_database
    from backend_api.catalogue.service import kb_version
    from backend_api.db import make_engine, make_session_factory
    from backend_api.errors import load_messages
    from backend_api.search.service import LiveIndex
    from backend_api.settings import get_settings
    from backend_api.users.security import production_hasher

    settings = get_settings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    engine = make_engine(settings.resolved_database_url())
    factory = make_session_factory(engine)
    factory.configure(info={"messages": load_messages(settings.messages_file)})
    prepare_database(settings, factory, production_hasher())
    with factory() as session:
        has_content = kb_version(session) > 0
    if has_content:
        # Saved in the data folder: every worker then loads it instead of embedding again.
        index = LiveIndex(factory)
        index.use_data_dir(settings.data_dir)
        index.current()
    engine.dispose()


def _worker(host: str, port: int, parent: int) -> None:
    """One worker process: its own socket on the shared port, one uvicorn server."""
    # The parent alone receives the terminal's Ctrl-C and stops the workers with one SIGTERM
    # each (a second signal would make uvicorn skip its graceful shutdown) ...
    os.setpgrp()
    # ... and a parent that is killed outright takes its workers with it.
    _exit_with_parent(parent)
    _configure_logging()
    sock = reuseport_socket(host, port)
    config = uvicorn.Config(
        APP_FACTORY, factory=True, log_level="info", access_log=False, host=host, port=port
    )
    uvicorn.Server(config).run(sockets=[sock])


def _exit_with_parent(parent: int) -> None:
    """Ask Linux to send SIGTERM when the parent dies; exit now if it already has."""
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    if os.getppid() != parent:
        os._exit(0)


class _Supervisor:
    """Starts the workers, restarts one that dies, and stops them all on a signal."""

    def __init__(
        self, spawn: multiprocessing.context.SpawnContext, host: str, port: int, workers: int
    ) -> None:
        self._spawn = spawn
        self._host = host
        self._port = port
        self._slots: list[tuple[SpawnProcess, float] | None] = [None] * workers
        self._stopping = False
        self._early_exits = 0

    def run(self) -> int:
        """Supervise until a stop signal, or until workers keep failing at start-up."""
        previous = {
            sig: signal.signal(sig, self._on_signal) for sig in (signal.SIGINT, signal.SIGTERM)
        }
        status = 0
        try:
            for slot in range(len(self._slots)):
                self._start(slot)
            logger.info(
                "backend on http://%s:%d with %d workers", self._host, self._port, len(self._slots)
            )
            while not self._stopping:
                if not self._restart_dead():
                    status = 1
                    break
                time.sleep(0.5)
        finally:
            self._stop_all()
            for sig, handler in previous.items():
                signal.signal(sig, handler)
        return status

    def _on_signal(self, signum: int, _frame: FrameType | None) -> None:
        self._stopping = True

    def _start(self, slot: int) -> None:
        proc = self._spawn.Process(
            target=_worker,
            args=(self._host, self._port, os.getpid()),
            name=f"backend-worker-{slot}",
        )
        proc.start()
        self._slots[slot] = (proc, time.monotonic())

    def _restart_dead(self) -> bool:
        """Restart workers that exited; False once start-up failures repeat."""
        for slot, entry in enumerate(self._slots):
            if entry is None or entry[0].is_alive() or self._stopping:
                continue
            proc, started = entry
            lived = time.monotonic() - started
            logger.error(
                "backend worker %d (pid %s) exited with code %s after %.1f s; restarting it",
                slot,
                proc.pid,
                proc.exitcode,
                lived,
            )
            if lived < EARLY_EXIT_S:
                self._early_exits += 1
                if self._early_exits >= MAX_EARLY_EXITS:
                    logger.error("backend workers keep failing at start-up; stopping")
                    return False
            self._start(slot)
        return True

    def _stop_all(self) -> None:
        procs = [entry[0] for entry in self._slots if entry is not None]
        for proc in procs:
            if proc.is_alive() and proc.pid is not None:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(proc.pid, signal.SIGTERM)
        deadline = time.monotonic() + STOP_GRACE_S
        for proc in procs:
            proc.join(max(0.0, deadline - time.monotonic()))
            if proc.is_alive():
                logger.warning("backend worker pid %s did not stop in time; killing it", proc.pid)
                proc.kill()
                proc.join()
