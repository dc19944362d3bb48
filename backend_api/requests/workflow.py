"""The request status workflow: the statuses, and which status may follow which.

The one source of the status vocabulary: the API schemas take their ``Status`` type from here,
and tests/backend_api/test_status_vocabulary.py checks that the locale files and domain.yml
label exactly these statuses.
"""

from __future__ import annotations

from typing import Literal, get_args

Status = Literal["submitted", "under_review", "needs_info", "approved", "rejected", "completed"]

STATUSES: tuple[Status, ...] = get_args(Status)
SUBMITTED, UNDER_REVIEW, NEEDS_INFO, APPROVED, REJECTED, COMPLETED = STATUSES

TRANSITIONS: dict[str, frozenset[str]] = {
    SUBMITTED: frozenset({UNDER_REVIEW, REJECTED}),
    UNDER_REVIEW: frozenset({NEEDS_INFO, APPROVED, REJECTED}),
    NEEDS_INFO: frozenset({UNDER_REVIEW, REJECTED}),
    APPROVED: frozenset({COMPLETED}),
    REJECTED: frozenset(),
    COMPLETED: frozenset(),
}

# A request in one of these is closed: no status follows (its attachments' retention starts).
CLOSED: frozenset[str] = frozenset(status for status, after in TRANSITIONS.items() if not after)


def can_move(current: str, target: str) -> bool:
    """Tell whether a request in ``current`` may move to ``target``."""
    return target in TRANSITIONS.get(current, frozenset())
