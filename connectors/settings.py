"""Gateway settings, read from ``DASTYAR_GATEWAY_*`` environment variables.

Facts other processes share (the data folder, where Rasa and the backend are, the service account,
the attachment limit) are named in :mod:`shared.settings`; every setting is described in
``connectors/README.md``.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from shared import settings as shared

REPO_ROOT = shared.ROOT

BotMode = Literal["auto", "webhook", "polling"]
Keyboard = Literal["inline", "reply"]


def secret_value(value: SecretStr | None) -> str:
    """The plain text of an optional secret setting (empty when unset)."""
    return value.get_secret_value() if value is not None else ""


@dataclass(frozen=True)
class BotConfig:
    """One Bot API bot (Telegram or Bale): where its API is and how updates arrive."""

    channel: str
    token: str = field(repr=False)
    base_url: str
    file_url: str
    mode: Literal["webhook", "polling"]
    public_url: str
    secret: str = field(repr=False)
    require_secret_header: bool
    keyboard: Keyboard

    @property
    def webhook_path(self) -> str:
        """Path of this bot's webhook in the gateway (it contains a secret)."""
        return f"/channels/{self.channel}/webhook/{self.secret[:24]}"


class GatewaySettings(BaseSettings):
    """Where the gateway listens, where Rasa and the backend are, and which channels are on."""

    model_config = SettingsConfigDict(
        env_prefix="DASTYAR_GATEWAY_", extra="ignore", populate_by_name=True
    )

    host: str = "127.0.0.1"
    port: int = 8000
    rasa_url: str = Field(default=shared.DEFAULT_RASA_URL, validation_alias=shared.RASA_URL_ENV)
    rasa_timeout: float = 30.0
    rasa_concurrency: int = 64  # Rasa calls in flight at once, across every channel
    max_message_chars: int = 2000
    # Bot and SMS messages acknowledged but left unanswered (the gateway died meanwhile) are
    # answered again after this long; the sweep for them runs this often.
    inbox_replay_after_s: float = 300.0
    inbox_sweep_s: float = 60.0
    texts_file: Path = REPO_ROOT / "data" / "locale" / "connectors.fa.yaml"
    data_dir: Path = Field(default=shared.DEFAULT_DATA_DIR, validation_alias=shared.DATA_DIR_ENV)
    database_url: str = ""  # empty: SQLite file gateway.db in data_dir

    # backend (attachments, notifications outbox), as the assistant's service account
    backend_url: str = Field(
        default=shared.DEFAULT_BACKEND_URL, validation_alias=shared.BACKEND_URL_ENV
    )
    backend_username: str = Field(
        default=shared.DEFAULT_SERVICE_USERNAME, validation_alias=shared.SERVICE_USERNAME_ENV
    )
    backend_password: SecretStr | None = Field(
        default=None, validation_alias=shared.SERVICE_PASSWORD_ENV
    )
    backend_timeout: float = 10.0

    # web widget
    widget_origins: list[str] = ["*"]
    # messages and uploads a minute per web conversation, and per address whatever conversations
    # it names (many citizens share a carrier's address); 0: not limited. Counted in Redis when
    # one is configured (the backend's variable), so every replica shares the counts
    rate_limit_per_minute: int = Field(default=60, ge=0)
    rate_limit_per_address_per_minute: int = Field(default=1200, ge=0)
    redis_url: SecretStr = Field(default=SecretStr(""), validation_alias=shared.REDIS_URL_ENV)
    history_limit: int = 200  # entries kept and re-rendered per web session
    history_days: int = 30  # web sessions idle longer than this are forgotten
    # the backend's limit, so a file it would refuse is refused before it is sent
    max_upload_bytes: int = Field(
        default=shared.DEFAULT_MAX_ATTACHMENT_BYTES,
        validation_alias=shared.MAX_ATTACHMENT_BYTES_ENV,
    )

    # Telegram
    telegram_token: SecretStr | None = None
    telegram_base_url: str = "https://api.telegram.org/bot"
    telegram_file_url: str = "https://api.telegram.org/file/bot"
    telegram_mode: BotMode = "auto"  # auto: webhook when public_url is set, else polling
    telegram_public_url: str = ""  # public HTTPS base of this gateway, e.g. https://bot.example.ir
    telegram_webhook_secret: SecretStr | None = None  # default: derived from the token
    telegram_require_secret_header: bool = True
    telegram_keyboard: Keyboard = "inline"

    # Bale (the same Bot API at another address; what it supports is not verified)
    bale_token: SecretStr | None = None
    bale_base_url: str = "https://tapi.bale.ai/bot"
    bale_file_url: str = "https://tapi.bale.ai/file/bot"
    bale_mode: BotMode = "auto"
    bale_public_url: str = ""
    bale_webhook_secret: SecretStr | None = None
    bale_require_secret_header: bool = False  # the path secret is always checked
    bale_keyboard: Keyboard = "inline"

    # bot throttling (Telegram: ~30 messages/s per bot, ~1/s per chat)
    bot_global_rate: float = 25.0
    bot_chat_rate: float = 1.0
    bot_chat_burst: int = 3
    bot_max_retries: int = 3
    bot_poll_timeout: int = 25  # seconds each getUpdates long poll may wait

    # SMS (Kavenegar-style HTTP API)
    sms_api_key: SecretStr | None = None
    sms_base_url: str = "https://api.kavenegar.com"
    sms_sender: str = ""  # the line number replies are sent from
    sms_inbound_secret: SecretStr | None = None  # shared secret of the inbound webhook
    sms_max_parts: int = 5
    sms_timeout: float = 10.0

    # notifications outbox worker
    notify_enabled: bool = True  # needs backend_password
    notify_interval: float = 5.0  # seconds between claims when nothing is due
    # the widget: a person's reply in a live handoff shows within ~¼ s (bench/handoff.py: 1 s gave
    # p50 614 ms); an empty claim is one indexed query, four a second per gateway
    notify_interval_web: float = 0.25
    notify_batch: int = 20
    notify_lease_seconds: int = 120
    notify_max_backoff: float = 300.0
    shutdown_grace_s: int = 5  # requests still open at a stop (event streams) then end
    handoff_enabled: bool = True  # route messages to a person while a handoff holds them
    handoff_expire_every_s: float = 60.0  # how often waiting handoffs are checked for timeout

    def resolved_database_url(self) -> str:
        """The gateway's database: the configured URL or a SQLite file in the data dir."""
        return self.database_url or f"sqlite:///{self.data_dir / 'gateway.db'}"

    def bots(self) -> list[BotConfig]:
        """The Bot API bots whose token is configured."""
        configs = []
        for channel in ("telegram", "bale"):
            token = secret_value(getattr(self, f"{channel}_token"))
            if not token:
                continue
            public_url = str(getattr(self, f"{channel}_public_url")).rstrip("/")
            mode = getattr(self, f"{channel}_mode")
            if mode == "auto":
                mode = "webhook" if public_url else "polling"
            secret = (
                secret_value(getattr(self, f"{channel}_webhook_secret"))
                or hashlib.sha256(f"dastyar-webhook:{channel}:{token}".encode()).hexdigest()
            )
            configs.append(
                BotConfig(
                    channel=channel,
                    token=token,
                    base_url=getattr(self, f"{channel}_base_url"),
                    file_url=getattr(self, f"{channel}_file_url"),
                    mode=mode,
                    public_url=public_url,
                    secret=secret,
                    require_secret_header=getattr(self, f"{channel}_require_secret_header"),
                    keyboard=getattr(self, f"{channel}_keyboard"),
                )
            )
        return configs

    @property
    def sms_enabled(self) -> bool:
        """SMS is on when the provider's API key is configured."""
        return bool(secret_value(self.sms_api_key))

    @property
    def backend_enabled(self) -> bool:
        """The backend is reachable with the assistant's credentials."""
        return bool(secret_value(self.backend_password))

    def secrets(self) -> list[str]:
        """Every secret value, so logging can redact them."""
        values = [
            self.telegram_token,
            self.bale_token,
            self.telegram_webhook_secret,
            self.bale_webhook_secret,
            self.sms_api_key,
            self.sms_inbound_secret,
            self.backend_password,
        ]
        found = [secret_value(v) for v in values if secret_value(v)]
        return found + [bot.secret for bot in self.bots()]


@lru_cache
def get_settings() -> GatewaySettings:
    """The process-wide settings."""
    return GatewaySettings()
