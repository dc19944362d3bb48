"""The request status workflow: which status may follow which."""

from __future__ import annotations

SUBMITTED = "submitted"
UNDER_REVIEW = "under_review"
NEEDS_INFO = "needs_info"
APPROVED = "approved"
REJECTED = "rejected"
COMPLETED = "completed"

STATUSES = (SUBMITTED, UNDER_REVIEW, NEEDS_INFO, APPROVED, REJECTED, COMPLETED)

TRANSITIONS: dict[str, frozenset[str]] = {
    SUBMITTED: frozenset({UNDER_REVIEW, REJECTED}),
    UNDER_REVIEW: frozenset({NEEDS_INFO, APPROVED, REJECTED}),
    NEEDS_INFO: frozenset({UNDER_REVIEW, REJECTED}),
    APPROVED: frozenset({COMPLETED}),
    REJECTED: frozenset(),
    COMPLETED: frozenset(),
}


def can_move(current: str, target: str) -> bool:
    """Tell whether a request in ``current`` may move to ``target``."""
    return target in TRANSITIONS.get(current, frozenset())
