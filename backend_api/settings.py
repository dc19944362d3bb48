"""Backend settings, read from ``DASTYAR_BACKEND_*`` environment variables.

Facts other processes share (the data and catalogue folders, the service account, the attachment
limit) are named in :mod:`shared.settings`; every setting is described in ``backend_api/README.md``.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from shared import settings as shared

REPO_ROOT = shared.ROOT


class BackendSettings(BaseSettings):
    """Everything the backend reads from its environment."""

    model_config = SettingsConfigDict(
        env_prefix="DASTYAR_BACKEND_", extra="ignore", populate_by_name=True
    )

    host: str = "127.0.0.1"
    port: int = 8001
    workers: int = Field(default=1, ge=1)  # uvicorn worker processes serving the API
    data_dir: Path = Field(default=shared.DEFAULT_DATA_DIR, validation_alias=shared.DATA_DIR_ENV)
    database_url: str = ""  # empty: SQLite file under data_dir
    catalogue_dir: Path = Field(
        default=shared.DEFAULT_CATALOGUE_DIR, validation_alias=shared.CATALOGUE_DIR_ENV
    )
    messages_file: Path = REPO_ROOT / "data" / "locale" / "backend.fa.yaml"
    seed_catalogue: bool = True  # import the sample catalogue into an empty database at start-up
    migrate_on_start: bool = True  # run Alembic migrations when the app starts
    # migrate, create the accounts and seed in the app (with several workers: once, before them)
    prepare_on_start: bool = True

    jwt_secret: SecretStr = Field(default=SecretStr(""))
    token_ttl_minutes: int = 60
    admin_username: str = "admin"
    admin_password: SecretStr = Field(default=SecretStr(""))
    assistant_username: str = Field(
        default=shared.DEFAULT_SERVICE_USERNAME, validation_alias=shared.SERVICE_USERNAME_ENV
    )
    assistant_password: SecretStr = Field(
        default=SecretStr(""), validation_alias=shared.SERVICE_PASSWORD_ENV
    )

    # Wrong guesses (tracking code + identity, one-time codes) allowed per code, per identity and
    # per conversation in the window (common/guard.py).
    lookup_max_failures: int = Field(default=10, ge=1)
    lookup_window_seconds: int = Field(default=900, ge=1)
    # Empty: counts kept per process; redis://host:6379/0 shares them across workers and replicas
    # (the lookup guard's and the rate limits'; the gateway reads the same variable).
    redis_url: SecretStr = Field(default=SecretStr(""), validation_alias=shared.REDIS_URL_ENV)
    # State-changing requests a minute (backend_api/common/rate_limit.py): per address for
    # callers not signed in, per account for staff and admins; the service account relays every
    # citizen (each one limited at the gateway), so it is not limited unless this is set (0: off).
    rate_limit_per_minute: int = Field(default=60, ge=0)
    rate_limit_staff_per_minute: int = Field(default=600, ge=0)
    rate_limit_service_per_minute: int = Field(default=0, ge=0)

    # One-time codes sent by SMS to prove a mobile (citizens/): how long a code lives, how many
    # tries it allows, how many codes one mobile or one conversation may be sent in the window,
    # and how long a conversation stays verified after the right code.
    otp_ttl_seconds: int = Field(default=120, ge=30, le=3600)
    otp_max_attempts: int = Field(default=5, ge=1, le=20)
    otp_max_sends: int = Field(default=3, ge=1, le=50)
    otp_send_window_seconds: int = Field(default=900, ge=60)
    otp_verified_minutes: int = Field(default=30, ge=1, le=24 * 60)

    max_attachment_bytes: int = Field(
        default=shared.DEFAULT_MAX_ATTACHMENT_BYTES,
        validation_alias=shared.MAX_ATTACHMENT_BYTES_ENV,
    )
    max_attachments_per_request: int = 5

    def resolved_database_url(self) -> str:
        """Return the configured database URL, defaulting to a SQLite file in ``data_dir``."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.data_dir / 'backend.db'}"

    @property
    def attachments_dir(self) -> Path:
        """Folder where uploaded attachments are stored."""
        return self.data_dir / "attachments"


@lru_cache
def get_settings() -> BackendSettings:
    """Return the process-wide settings (cached)."""
    return BackendSettings()
