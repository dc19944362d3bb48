"""Serve the backend: one uvicorn process, or uvicorn's own multi-worker mode.

With several workers, one short-lived process first prepares the database (migrations, accounts,
seed) and builds the search index into the data folder, so the workers neither race nor embed
the catalogue twice, and the supervising parent stays small (it imports neither SQLAlchemy nor
the models). Then uvicorn's supervisor starts the workers on one shared socket, restarts a
worker that dies, and stops them all on SIGINT/SIGTERM.

Uvicorn's shared socket replaced a home-made pre-fork server with one ``SO_REUSEPORT`` socket per
worker; the figures of both, measured back to back, are in backend_api/README.md.
"""

from __future__ import annotations

import errno
import logging
import multiprocessing
import os
import socket

import uvicorn

logger = logging.getLogger(__name__)

APP_FACTORY = "backend_api.app:create_app"


class PortInUse(RuntimeError):
    """The address is already taken by another program."""


def serve(host: str, port: int, workers: int) -> int:
    """Run the backend until SIGINT/SIGTERM; return the process exit status."""
    # Checked first: preparing the database and the index can take minutes, and uvicorn would
    # find the port taken only afterwards.
    ensure_port_free(host, port)
    if workers > 1:
        prepare = multiprocessing.get_context("spawn").Process(
            target=_prepare, name="backend-prepare"
        )
        prepare.start()
        prepare.join()
        if prepare.exitcode != 0:
            logger.error("preparing the database failed (exit code %s)", prepare.exitcode)
            return 1
        # The workers find everything prepared: they must not migrate or seed concurrently.
        os.environ["DASTYAR_BACKEND_PREPARE_ON_START"] = "false"
    uvicorn.run(
        APP_FACTORY,
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="info",
        access_log=False,
    )
    return 0


def ensure_port_free(host: str, port: int) -> None:
    """Raise :class:`PortInUse` if something already listens on ``host:port``."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    probe = socket.socket(family, socket.SOCK_STREAM)
    # As uvicorn binds: connections of a server that was just killed linger in TIME_WAIT for a
    # minute and must not keep its restart out (only a listening socket means "in use").
    probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        probe.bind((host, port))
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            raise PortInUse(f"{host}:{port} is already in use") from None
        raise
    finally:
        probe.close()


def _prepare() -> None:
    """Migrate, create accounts, seed, and build the search index (in a child process)."""
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    from backend_api.app import prepare_database
    from backend_api.catalogue.service import kb_version
    from backend_api.db import make_engine, make_session_factory
    from backend_api.search.service import LiveIndex
    from backend_api.settings import get_settings
    from backend_api.users.security import production_hasher

    settings = get_settings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    engine = make_engine(settings.resolved_database_url())
    factory = make_session_factory(engine)
    prepare_database(settings, factory, production_hasher())
    with factory() as session:
        has_content = kb_version(session) > 0
    if has_content:
        # Saved in the data folder: every worker then loads it instead of embedding again.
        index = LiveIndex(factory)
        index.use_data_dir(settings.data_dir)
        index.current()
    engine.dispose()
