"""Action server settings: the backend's address and service account are shared facts.

Read from the variables named in :mod:`shared.settings` (the same ones the backend and the
gateway read) and ``DASTYAR_ACTIONS_*``; every setting is described in ``actions/README.md``.
The Rasa env has pydantic 1 (Rasa 3.6 pins it), whose BaseSettings plays pydantic-settings' part.
"""

from __future__ import annotations

from functools import lru_cache

from pydantic import BaseSettings, Field, SecretStr

from shared import settings as shared


class ActionSettings(BaseSettings):
    """How actions reach the backend."""

    backend_url: str = Field(shared.DEFAULT_BACKEND_URL, env=shared.BACKEND_URL_ENV)
    backend_username: str = Field(shared.DEFAULT_SERVICE_USERNAME, env=shared.SERVICE_USERNAME_ENV)
    backend_password: SecretStr = Field(SecretStr(""), env=shared.SERVICE_PASSWORD_ENV)
    backend_timeout: float = 5.0
    search_limit: int = 5

    class Config:
        env_prefix = "DASTYAR_ACTIONS_"


@lru_cache
def get_settings() -> ActionSettings:
    """The process-wide settings."""
    return ActionSettings()
