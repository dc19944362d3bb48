"""Jalali (Solar Hijri) calendar conversion and Persian date formatting.

Arithmetic conversion valid for 1178–1633 SH (1799–2254 CE), the 33-year-cycle rule used by
Iran's official calendar in that range.
"""

from __future__ import annotations

import datetime as dt

from nlu.digits import to_persian_digits

MONTHS = (
    "فروردین",
    "اردیبهشت",
    "خرداد",
    "تیر",
    "مرداد",
    "شهریور",
    "مهر",
    "آبان",
    "آذر",
    "دی",
    "بهمن",
    "اسفند",
)

_CUMULATIVE_GREGORIAN = (0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334)


def gregorian_to_jalali(day: dt.date) -> tuple[int, int, int]:
    """Convert a Gregorian date to a Jalali ``(year, month, day)``."""
    gy, gm, gd = day.year, day.month, day.day
    gy2 = gy + 1 if gm > 2 else gy
    days = (
        355666
        + 365 * gy
        + (gy2 + 3) // 4
        - (gy2 + 99) // 100
        + (gy2 + 399) // 400
        + gd
        + _CUMULATIVE_GREGORIAN[gm - 1]
    )
    jy = -1595 + 33 * (days // 12053)
    days %= 12053
    jy += 4 * (days // 1461)
    days %= 1461
    if days > 365:
        jy += (days - 1) // 365
        days = (days - 1) % 365
    if days < 186:
        return jy, 1 + days // 31, 1 + days % 31
    return jy, 7 + (days - 186) // 30, 1 + (days - 186) % 30


def jalali_to_gregorian(jy: int, jm: int, jd: int) -> dt.date:
    """Convert a Jalali date to a Gregorian date (ValueError if it does not exist)."""
    if not 1 <= jm <= 12 or not 1 <= jd <= (31 if jm <= 6 else 30):
        raise ValueError(f"invalid Jalali date {jy}/{jm}/{jd}")
    jy += 1595
    days = (
        -355668
        + 365 * jy
        + (jy // 33) * 8
        + ((jy % 33) + 3) // 4
        + jd
        + ((jm - 1) * 31 if jm < 7 else (jm - 7) * 30 + 186)
    )
    return _from_day_count(days)


def _from_day_count(days: int) -> dt.date:
    gy = 400 * (days // 146097)
    days %= 146097
    if days > 36524:
        days -= 1
        gy += 100 * (days // 36524)
        days %= 36524
        if days >= 365:
            days += 1
    gy += 4 * (days // 1461)
    days %= 1461
    if days > 365:
        gy += (days - 1) // 365
        days = (days - 1) % 365
    return dt.date(gy, 1, 1) + dt.timedelta(days=days)


def format_jalali(day: dt.date, *, persian_digits: bool = True) -> str:
    """Format a date as «۱۵ مهر ۱۴۰۳»."""
    jy, jm, jd = gregorian_to_jalali(day)
    text = f"{jd} {MONTHS[jm - 1]} {jy}"
    return to_persian_digits(text) if persian_digits else text


def iso_jalali(day: dt.date) -> str:
    """Format a date as ``1403/07/15`` (Latin digits, for machines)."""
    jy, jm, jd = gregorian_to_jalali(day)
    return f"{jy:04d}/{jm:02d}/{jd:02d}"
