"""Operator settings, read from ``DASTYAR_*`` environment variables (and ``.env``)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict

ROOT = Path(__file__).resolve().parent.parent


class AssistantSettings(BaseSettings):
    """Where each component listens and where the stack keeps its files."""

    model_config = SettingsConfigDict(
        env_prefix="DASTYAR_", env_file=ROOT / ".env", extra="ignore"
    )

    host: str = "127.0.0.1"
    gateway_port: int = 8000
    backend_port: int = 8001
    rasa_port: int = 5005
    actions_port: int = 5055
    data_dir: Path = ROOT / "var"
    models_dir: Path = ROOT / "models"
    venv_root: Path = ROOT / ".venv"
    start_timeout: float = 240.0

    @property
    def app_python(self) -> Path:
        """Interpreter of the app env."""
        return self.venv_root / "app" / "bin" / "python"

    @property
    def rasa_python(self) -> Path:
        """Interpreter of the Rasa env."""
        return self.venv_root / "rasa" / "bin" / "python"

    def url(self, port: int) -> str:
        """Base URL of a component on this host."""
        return f"http://{self.host}:{port}"


@lru_cache
def get_settings() -> AssistantSettings:
    """The process-wide settings."""
    return AssistantSettings()
