"""Jinja filters: Jalali dates, Persian digits, masked identifiers (all pure functions)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import jdatetime

from nlu.digits import format_amount, to_latin_digits, to_persian_digits
from nlu.identifiers import format_tracking_code, mask_mobile, mask_national_code

TEHRAN = ZoneInfo("Asia/Tehran")


def fa(value: object) -> str:
    """Any value as text with Persian digits."""
    return "" if value is None else to_persian_digits(str(value))


def fa_number(value: float | int | None, digits: int = 0) -> str:
    """A number with Persian digits and thousands separators."""
    if value is None:
        return "—"
    if digits:
        return to_persian_digits(f"{value:,.{digits}f}").replace(",", "٬").replace(".", "٫")
    return to_persian_digits(f"{round(value):,}").replace(",", "٬")


def jalali_date(value: dt.date | dt.datetime | None) -> str:
    """A date as «۱۴۰۳/۰۵/۱۲» (a timestamp in Tehran's time)."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        value = value.astimezone(TEHRAN).date()
    return to_persian_digits(jdatetime.date.fromgregorian(date=value).strftime("%Y/%m/%d"))


def jalali_datetime(value: dt.datetime | None) -> str:
    """A timestamp as «۱۴۰۳/۰۵/۱۲ ۱۰:۳۰» in Tehran's time."""
    if value is None:
        return ""
    local = value.astimezone(TEHRAN)
    stamp = jdatetime.datetime.fromgregorian(datetime=local.replace(tzinfo=None))
    return to_persian_digits(stamp.strftime("%Y/%m/%d %H:%M"))


def parse_jalali(text: str | None) -> dt.date | None:
    """«۱۴۰۳/۵/۱۲» or «1403-05-12» as a Gregorian date; None when empty; ValueError when wrong."""
    if not text or not text.strip():
        return None
    parts = to_latin_digits(text.strip()).replace("-", "/").split("/")
    if len(parts) != 3 or not all(p.isdigit() for p in parts):
        raise ValueError(text)
    year, month, day = (int(p) for p in parts)
    return jdatetime.date(year, month, day).togregorian()


def wait_time(
    since: dt.datetime | None, with_days: str = "{days} + {clock}", now: dt.datetime | None = None
) -> str:
    """How long ago ``since`` was, as «۲:۰۵» (hours:minutes) or, past a day, ``with_days``
    filled in (the console's locale file words it: «۳ روز و ۴:۰۰»)."""
    if since is None:
        return ""
    delta = (now or dt.datetime.now(dt.UTC)) - since
    minutes = max(int(delta.total_seconds() // 60), 0)
    days, minutes = divmod(minutes, 24 * 60)
    clock = f"{minutes // 60}:{minutes % 60:02d}"
    return to_persian_digits(with_days.format(days=days, clock=clock) if days else clock)


def money(value: int | None) -> str:
    """A rial amount with separators."""
    return "" if value is None else format_amount(value)


def tracking(code: str) -> str:
    """A tracking code grouped for reading."""
    return format_tracking_code(code)


def masked_national_code(code: str) -> str:
    """A national code with its middle hidden."""
    return mask_national_code(code) if code else ""


def masked_mobile(mobile: str) -> str:
    """A mobile number with its middle hidden."""
    return mask_mobile(mobile) if mobile else ""


FILTERS = {
    "fa": fa,
    "fa_number": fa_number,
    "jdate": jalali_date,
    "jdatetime": jalali_datetime,
    "wait": wait_time,
    "money": money,
    "tracking": tracking,
    "mask_nc": masked_national_code,
    "mask_mobile": masked_mobile,
}
