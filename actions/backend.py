"""The one backend client the action server shares between actions."""

from __future__ import annotations

from functools import lru_cache

from actions.settings import get_settings
from backend_client import BackendClient


@lru_cache
def backend() -> BackendClient:
    """A client configured from the action settings (created once per process)."""
    settings = get_settings()
    return BackendClient(
        settings.backend_url,
        settings.backend_username,
        settings.backend_password.get_secret_value(),
        timeout=settings.backend_timeout,
    )
