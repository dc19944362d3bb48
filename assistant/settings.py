"""Operator settings, read from ``DASTYAR_*`` environment variables (and ``.env``).

Every setting is described in ``assistant/README.md``; the data folder is a fact every process
shares (:mod:`shared.settings`).
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from shared import settings as shared

ROOT = shared.ROOT


class AssistantSettings(BaseSettings):
    """Where each component listens and where the stack keeps its files."""

    model_config = SettingsConfigDict(env_prefix="DASTYAR_", extra="ignore", populate_by_name=True)

    host: str = "127.0.0.1"
    gateway_port: int = 8000
    backend_port: int = 8001
    rasa_port: int = 5005  # the first Rasa replica's; the others listen on the next ports
    # Rasa processes the stack starts; more than one needs the two shared stores below
    rasa_replicas: int = Field(default=1, ge=1, le=16)
    actions_port: int = 5055
    data_dir: Path = Field(default=shared.DEFAULT_DATA_DIR, validation_alias=shared.DATA_DIR_ENV)
    models_dir: Path = Field(
        default=shared.DEFAULT_MODELS_DIR, validation_alias=shared.MODELS_DIR_ENV
    )
    venv_root: Path = ROOT / ".venv"
    start_timeout: float = 240.0
    # Empty: conversations in a SQLite file under data_dir; postgresql://… for several replicas.
    rasa_tracker_store_url: SecretStr = SecretStr("")
    # Empty: conversation locks in Rasa's memory; redis://host:6379/1 for several replicas.
    rasa_lock_store_url: SecretStr = SecretStr("")

    @property
    def app_python(self) -> Path:
        """Interpreter of the app env."""
        return self.venv_root / "app" / "bin" / "python"

    @property
    def rasa_python(self) -> Path:
        """Interpreter of the Rasa env."""
        return self.venv_root / "rasa" / "bin" / "python"

    @property
    def rasa_ports(self) -> list[int]:
        """The Rasa replicas' ports: consecutive from ``rasa_port``."""
        return [self.rasa_port + n for n in range(self.rasa_replicas)]

    def url(self, port: int) -> str:
        """Base URL of a component on this host."""
        return f"http://{self.host}:{port}"


@lru_cache
def get_settings() -> AssistantSettings:
    """The process-wide settings."""
    return AssistantSettings()


def load_env_file(path: Path = ROOT / ".env") -> None:
    """Put ``KEY=value`` lines of ``path`` into the environment (variables already set win).

    Every component is a child process, so this one step configures them all.
    """
    if not path.is_file():
        return
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, value = line.split("=", 1)
        value = value.split(" #", 1)[0].strip().strip('"').strip("'")
        os.environ.setdefault(key.strip(), value)
