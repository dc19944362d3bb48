"""Live handoff settings, read from ``DASTYAR_HANDOFF_*`` environment variables."""

from __future__ import annotations

from functools import lru_cache

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from shared import settings as shared


class HandoffSettings(BaseSettings):
    """Where Rasa's HTTP API is and how long a citizen may wait for a person."""

    model_config = SettingsConfigDict(
        env_prefix="DASTYAR_HANDOFF_", extra="ignore", populate_by_name=True
    )

    # Rasa's HTTP API (Rasa runs with --enable-api), the same Rasa the gateway talks to; empty
    # turns pausing off (the gateway still holds the citizen's messages for the person)
    rasa_url: str = Field(default=shared.DEFAULT_RASA_URL, validation_alias=shared.RASA_URL_ENV)
    rasa_timeout: float = Field(default=5.0, gt=0)
    max_wait_minutes: int = Field(default=30, ge=1)  # then the question waits as unresolved


@lru_cache
def get_handoff_settings() -> HandoffSettings:
    """The process-wide handoff settings (cached)."""
    return HandoffSettings()
