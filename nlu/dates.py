"""Jalali dates as people write them: «۱۵ مهر»، «۱۵ مهر ۱۴۰۳»، «1403/07/15»."""

from __future__ import annotations

import datetime as dt
import re

from nlu.digits import to_latin_digits
from nlu.jalali import MONTHS, gregorian_to_jalali, jalali_to_gregorian
from nlu.normalize import unify_letters

_MONTH_INDEX = {name: i + 1 for i, name in enumerate(MONTHS)}
_MONTH_INDEX.update({"ارديبهشت": 2, "امرداد": 5})
_NUMERIC = re.compile(r"\b(1[34]\d\d)[/\-.](\d{1,2})[/\-.](\d{1,2})\b")
_WORDY = re.compile(r"\b(\d{1,2})\s*(" + "|".join(MONTHS) + r")(?:\s*(?:ماه)?\s*(1[34]\d\d))?")


def parse_jalali_date(text: str, today: dt.date | None = None) -> dt.date | None:
    """The Gregorian date of the first Jalali date in ``text``; the year defaults to this year."""
    clean = unify_letters(to_latin_digits(text))
    try:
        if match := _NUMERIC.search(clean):
            return jalali_to_gregorian(int(match[1]), int(match[2]), int(match[3]))
        if match := _WORDY.search(clean):
            year = int(match[3]) if match[3] else gregorian_to_jalali(today or dt.date.today())[0]
            return jalali_to_gregorian(year, _MONTH_INDEX[match[2]], int(match[1]))
    except ValueError:
        return None
    return None
