"""Keeping secrets out of the logs: bot tokens and API keys travel inside request URLs."""

from __future__ import annotations

import logging

# Libraries that log request URLs (bot tokens and SMS API keys are part of those URLs).
NOISY = ("httpx", "httpcore", "telegram", "telegram.ext")


class RedactSecrets(logging.Filter):
    """Replaces every known secret in a log record's message with ``***``."""

    def __init__(self, secrets: list[str]) -> None:
        super().__init__()
        self.secrets = [s for s in secrets if len(s) >= 4]

    def filter(self, record: logging.LogRecord) -> bool:
        """Rewrite the message if it contains a secret; never drop the record."""
        if not self.secrets:
            return True
        message = record.getMessage()
        redacted = message
        for secret in self.secrets:
            redacted = redacted.replace(secret, "***")
        if redacted != message:
            record.msg, record.args = redacted, None
        return True


def install(secrets: list[str]) -> None:
    """Redact ``secrets`` from the noisy libraries' records and quieten their request logs."""
    redact = RedactSecrets(secrets)
    for name in NOISY:
        log = logging.getLogger(name)
        for old in [f for f in log.filters if isinstance(f, RedactSecrets)]:
            log.removeFilter(old)
        log.addFilter(redact)
        if log.level == logging.NOTSET or log.level < logging.WARNING:
            log.setLevel(logging.WARNING)
