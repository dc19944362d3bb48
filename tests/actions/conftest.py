"""Action tests run in the Rasa env against the real backend, started from the app env."""

from __future__ import annotations

import os
import socket
import subprocess
import time
from pathlib import Path

import httpx
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
APP_PYTHON = Path(os.environ.get("DASTYAR_VENV_ROOT", ROOT / ".venv")) / "app" / "bin" / "python"
ASSISTANT_PASSWORD = "assistant-password-for-action-tests"
ADMIN_PASSWORD = "admin-password-for-action-tests"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def backend_url(tmp_path_factory) -> str:
    """A real backend with the sample catalogue, on its own port and SQLite file."""
    data_dir = tmp_path_factory.mktemp("backend")
    port = free_port()
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "DASTYAR_BACKEND_PORT": str(port),
        "DASTYAR_BACKEND_DATA_DIR": str(data_dir),
        "DASTYAR_BACKEND_DATABASE_URL": f"sqlite:///{data_dir / 'backend.db'}",
        "DASTYAR_BACKEND_JWT_SECRET": "action-tests-" + "z" * 40,
        "DASTYAR_BACKEND_ASSISTANT_PASSWORD": ASSISTANT_PASSWORD,
        "DASTYAR_BACKEND_ADMIN_PASSWORD": ADMIN_PASSWORD,
    }
    log = (data_dir / "backend.log").open("w")
    process = subprocess.Popen(
        [str(APP_PYTHON), "-m", "backend_api"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 180
    while True:
        try:
            if httpx.get(f"{url}/health", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            pytest.fail("backend did not start:\n" + (data_dir / "backend.log").read_text()[-3000:])
        time.sleep(0.3)
    yield url
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@pytest.fixture
def action_env(backend_url, monkeypatch):
    """Point the action settings at the test backend, with fresh cached objects."""
    from actions import backend, settings

    monkeypatch.setenv("DASTYAR_ACTIONS_BACKEND_URL", backend_url)
    monkeypatch.setenv("DASTYAR_ACTIONS_BACKEND_PASSWORD", ASSISTANT_PASSWORD)
    settings.get_settings.cache_clear()
    backend.backend.cache_clear()
    yield backend_url
    settings.get_settings.cache_clear()
    backend.backend.cache_clear()


@pytest.fixture(scope="session")
def domain() -> dict:
    """The assistant's domain, as the action server receives it."""
    return yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))


def admin_headers(backend_url: str) -> dict[str, str]:
    """Bearer header of the test backend's admin."""
    token = httpx.post(
        f"{backend_url}/api/v1/auth/token", json={"username": "admin", "password": ADMIN_PASSWORD}
    ).json()
    return {"Authorization": f"Bearer {token['access_token']}"}
