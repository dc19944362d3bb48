"""The citizen's calendar: dates are judged in Iran's time zone, wherever the server runs."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

TEHRAN = ZoneInfo("Asia/Tehran")


def citizen_today() -> dt.date:
    """Today's date in Tehran (after 20:30 UTC it is already tomorrow there)."""
    return dt.datetime.now(TEHRAN).date()
