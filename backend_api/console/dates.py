"""The from/to date filter of the console's lists, typed in the Jalali calendar."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Query

from backend_api.console.formatting import parse_jalali
from backend_api.console.web import texts


@dataclass(frozen=True)
class DateRange:
    """The dates as typed (shown again in the form) and as read; unreadable ones filter nothing."""

    date_from: str
    date_to: str
    start: dt.date | None
    end: dt.date | None
    error: str  # the Persian message when a date could not be read, else ""


async def date_range(
    date_from: str = Query("", max_length=20), date_to: str = Query("", max_length=20)
) -> DateRange:
    """Read ``?date_from=`` and ``?date_to=``."""
    try:
        return DateRange(date_from, date_to, parse_jalali(date_from), parse_jalali(date_to), "")
    except ValueError:
        return DateRange(date_from, date_to, None, None, texts().get("errors", "invalid_date"))


Dates = Annotated[DateRange, Depends(date_range)]
