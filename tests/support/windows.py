"""Rate-limit tests count within one fixed minute window: start them early in a minute."""

from __future__ import annotations

import time

from shared.rate_limit import WINDOW_S

ROOM_S = 15.0  # the longest a rate-limit test takes, with room


def fresh_window() -> None:
    """Wait, if needed, until the current window has ``ROOM_S`` seconds left at least."""
    left = WINDOW_S - time.time() % WINDOW_S
    if left < ROOM_S:
        time.sleep(left + 0.05)
