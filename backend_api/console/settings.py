"""Console settings, read from ``DASTYAR_CONSOLE_*`` environment variables."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from backend_api.settings import REPO_ROOT


class ConsoleSettings(BaseSettings):
    """How long sessions live and how many wrong passwords lock an account out."""

    model_config = SettingsConfigDict(env_prefix="DASTYAR_CONSOLE_", extra="ignore")

    idle_minutes: int = Field(default=30, ge=1)  # a session unused this long is over
    max_hours: int = Field(default=12, ge=1)  # and none lasts longer than this
    max_failures: int = Field(default=5, ge=1)  # wrong passwords in the window before a lock-out
    failure_window_minutes: int = Field(default=15, ge=1)
    lockout_minutes: int = Field(default=15, ge=1)
    texts_file: Path = REPO_ROOT / "data" / "locale" / "console.fa.yaml"
    fonts_dir: Path = REPO_ROOT / "connectors" / "static" / "fonts"
    page_size: int = Field(default=50, ge=5, le=500)
    cluster_limit: int = Field(default=5000, ge=10)  # newest unresolved questions grouped


@lru_cache
def get_console_settings() -> ConsoleSettings:
    """The process-wide console settings (cached)."""
    return ConsoleSettings()
