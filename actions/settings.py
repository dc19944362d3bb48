"""Action server settings, read from ``DASTYAR_ACTIONS_*`` environment variables.

The Rasa env has pydantic 1 (Rasa 3.6 pins it), whose BaseSettings plays pydantic-settings' part.
"""

from __future__ import annotations

from functools import lru_cache

from pydantic import BaseSettings, SecretStr


class ActionSettings(BaseSettings):
    """How actions reach the backend."""

    backend_url: str = "http://127.0.0.1:8001"
    backend_username: str = "assistant"
    backend_password: SecretStr = SecretStr("")
    backend_timeout: float = 5.0
    search_limit: int = 5

    class Config:
        env_prefix = "DASTYAR_ACTIONS_"


@lru_cache
def get_settings() -> ActionSettings:
    """The process-wide settings."""
    return ActionSettings()
