"""Action tests run in the Rasa env against the real backend, started from the app env."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import yaml

from tests.support.backend_process import running_backend

ROOT = Path(__file__).resolve().parents[2]
APP_PYTHON = Path(os.environ.get("DASTYAR_VENV_ROOT", ROOT / ".venv")) / "app" / "bin" / "python"
ASSISTANT_PASSWORD = "assistant-password-for-action-tests"
ADMIN_PASSWORD = "admin-password-for-action-tests"


@pytest.fixture(scope="session")
def backend_url(tmp_path_factory) -> Iterator[str]:
    """A real backend with the sample catalogue, on its own port and SQLite file."""
    with running_backend(
        APP_PYTHON,
        tmp_path_factory.mktemp("backend"),
        assistant_password=ASSISTANT_PASSWORD,
        admin_password=ADMIN_PASSWORD,
    ) as url:
        yield url


@pytest.fixture
def action_env(backend_url, monkeypatch):
    """Point the action settings at the test backend, with fresh cached objects."""
    from actions import backend, settings

    monkeypatch.setenv("DASTYAR_BACKEND_URL", backend_url)
    monkeypatch.setenv("DASTYAR_BACKEND_ASSISTANT_PASSWORD", ASSISTANT_PASSWORD)
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
