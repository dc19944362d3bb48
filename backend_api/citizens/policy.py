"""What a one-time code is allowed to be and do, and the keyed hashes it is stored as."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from dataclasses import dataclass

from backend_api.settings import BackendSettings

CODE_DIGITS = 6
# Platforms whose shared contact is the user's own number, checked by the platform itself
# (the gateway passes only a contact whose user id is the sender's).
PLATFORM_VERIFIED_CHANNELS = ("telegram", "bale")


@dataclass(frozen=True)
class CodePolicy:
    """Lifetimes and limits of one-time codes, and the key their hashes are made with."""

    key: bytes
    ttl: dt.timedelta
    max_attempts: int
    max_sends: int
    send_window: dt.timedelta
    verified_for: dt.timedelta

    @classmethod
    def from_settings(cls, settings: BackendSettings) -> CodePolicy:
        """The policy the settings describe; its key is derived from the backend's secret."""
        secret = settings.jwt_secret.get_secret_value().encode()
        return cls(
            # a key of its own, so a hash made for another purpose never matches one of these
            key=hmac.new(secret, b"dastyar one-time codes", hashlib.sha256).digest(),
            ttl=dt.timedelta(seconds=settings.otp_ttl_seconds),
            max_attempts=settings.otp_max_attempts,
            max_sends=settings.otp_max_sends,
            send_window=dt.timedelta(seconds=settings.otp_send_window_seconds),
            verified_for=dt.timedelta(minutes=settings.otp_verified_minutes),
        )

    def hash(self, *parts: str) -> str:
        """A keyed hash of ``parts`` (a mobile; a row's nonce and a code)."""
        return hmac.new(self.key, "\x1f".join(parts).encode(), hashlib.sha256).hexdigest()

    def matches(self, nonce: str, code: str, stored: str) -> bool:
        """Whether ``code`` is the one hashed with ``nonce`` into ``stored`` (constant time)."""
        return hmac.compare_digest(self.hash(nonce, code), stored)


def new_code() -> str:
    """A random code of six digits, from the operating system's secure source."""
    return f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"


def new_nonce() -> str:
    """A random value hashed with a code, so two rows with the same code look different."""
    return secrets.token_hex(16)
