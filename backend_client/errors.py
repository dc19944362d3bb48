"""The client's typed errors: every failure of a backend call is one of these."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


class BackendError(Exception):
    """Base of every client error."""


class BackendUnavailable(BackendError):
    """The backend could not be reached, timed out or failed (5xx): try again later."""


@dataclass
class BackendRejected(BackendError):
    """The backend refused the call (4xx) with a machine code and a Persian message."""

    status: int
    code: str
    message: str
    details: Any = None

    def __str__(self) -> str:
        return f"{self.status} {self.code}"


class NotFoundError(BackendRejected):
    """The thing asked for does not exist (404)."""
