"""Gateway settings, read from ``DASTYAR_GATEWAY_*`` environment variables."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict

REPO_ROOT = Path(__file__).resolve().parent.parent


class GatewaySettings(BaseSettings):
    """Where the gateway listens and where Rasa is."""

    model_config = SettingsConfigDict(env_prefix="DASTYAR_GATEWAY_", extra="ignore")

    host: str = "127.0.0.1"
    port: int = 8000
    rasa_url: str = "http://127.0.0.1:5005"
    rasa_timeout: float = 30.0
    max_message_chars: int = 2000
    texts_file: Path = REPO_ROOT / "data" / "locale" / "connectors.fa.yaml"


@lru_cache
def get_settings() -> GatewaySettings:
    """The process-wide settings."""
    return GatewaySettings()
