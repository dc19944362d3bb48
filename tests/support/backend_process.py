"""A real backend in its own process, for tests in either env (stdlib and httpx only)."""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from shared.settings import CATALOGUE_DIR_ENV
from tests.support.ports import free_port

ROOT = Path(__file__).resolve().parents[2]
# The first start builds the search index (embeddings of the whole catalogue); a shared
# DASTYAR_KNOWLEDGE_CACHE_DIR, as `make test` sets, makes later starts quick.
# Generous: on a busy 2-core machine that first build has taken over five minutes.
START_TIMEOUT = 900


def backend_env(
    port: int,
    data_dir: Path,
    *,
    assistant_password: str,
    admin_password: str,
    catalogue_dir: Path | None = None,
) -> dict[str, str]:
    """The environment of a test backend on ``port`` with its own SQLite file in ``data_dir``
    (seeded from ``catalogue_dir``, the sample catalogue by default)."""
    keep = {k: v for k, v in os.environ.items() if not k.startswith("DASTYAR_")}
    if "DASTYAR_KNOWLEDGE_CACHE_DIR" in os.environ:
        keep["DASTYAR_KNOWLEDGE_CACHE_DIR"] = os.environ["DASTYAR_KNOWLEDGE_CACHE_DIR"]
    if catalogue_dir is not None:
        keep[CATALOGUE_DIR_ENV] = str(catalogue_dir)
    return {
        **keep,
        "PYTHONPATH": str(ROOT),
        "DASTYAR_BACKEND_PORT": str(port),
        "DASTYAR_DATA_DIR": str(data_dir),
        "DASTYAR_BACKEND_DATABASE_URL": f"sqlite:///{data_dir / 'backend.db'}",
        "DASTYAR_BACKEND_JWT_SECRET": "backend-for-tests-" + "z" * 40,
        "DASTYAR_BACKEND_ASSISTANT_PASSWORD": assistant_password,
        "DASTYAR_BACKEND_ADMIN_PASSWORD": admin_password,
        # the tests sign in anew, test after test, from one address: the per-address limit would
        # refuse them within a minute (the limits have their own tests: test_rate_limit.py)
        "DASTYAR_BACKEND_RATE_LIMIT_PER_MINUTE": "0",
    }


@contextmanager
def running_backend(
    python: Path | str,
    data_dir: Path,
    *,
    assistant_password: str,
    admin_password: str,
    catalogue_dir: Path | None = None,
) -> Iterator[str]:
    """Start ``python -m backend_api`` on a free port with its own SQLite file; yield its URL."""
    port = free_port()
    env = backend_env(
        port,
        data_dir,
        assistant_password=assistant_password,
        admin_password=admin_password,
        catalogue_dir=catalogue_dir,
    )
    log_path = data_dir / "backend.log"
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [str(python), "-m", "backend_api"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + START_TIMEOUT
    while True:
        try:
            if httpx.get(f"{url}/health", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            pytest.fail("backend did not start:\n" + log_path.read_text()[-3000:])
        time.sleep(0.3)
    try:
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
