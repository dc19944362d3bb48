"""Retention periods, read from ``DASTYAR_RETENTION_*`` environment variables.

One place for every kind, the Rasa conversations included (``python -m assistant purge`` purges
those in Rasa's tracker store); 0 days keeps a kind forever. Described in backend_api/README.md.
"""

from __future__ import annotations

from functools import lru_cache

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class RetentionSettings(BaseSettings):
    """How many days each kind of personal data is kept once it is no longer in use."""

    model_config = SettingsConfigDict(
        env_prefix="DASTYAR_RETENTION_", extra="ignore", populate_by_name=True
    )

    # Rasa's tracker store: events of conversations (the citizen's words and slots, national code
    # and mobile among them); as long as the gateway keeps a web session's history
    conversations_days: int = Field(default=30, ge=0)
    # a closed handoff's transcript and live messages (the handoff row stays, for the reports)
    transcripts_days: int = Field(default=90, ge=0)
    # answered or dismissed unresolved questions (the FAQ an answer made stays)
    unresolved_days: int = Field(default=90, ge=0)
    # notifications delivered to the citizen (outbox rows)
    notifications_days: int = Field(default=30, ge=0)
    # files attached to a request, counted from when the request was completed or rejected
    attachments_days: int = Field(default=365, ge=0)


@lru_cache
def get_retention_settings() -> RetentionSettings:
    """The process-wide retention settings (cached)."""
    return RetentionSettings()
