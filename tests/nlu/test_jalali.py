"""Jalali calendar conversion."""

import datetime as dt

import pytest

from nlu.jalali import format_jalali, gregorian_to_jalali, iso_jalali, jalali_to_gregorian


@pytest.mark.parametrize(
    ("gregorian", "jalali"),
    [
        (dt.date(2024, 3, 20), (1403, 1, 1)),  # Nowruz 1403
        (dt.date(2025, 3, 21), (1404, 1, 1)),
        (dt.date(2025, 3, 20), (1403, 12, 30)),  # 1403 is a leap year
        (dt.date(2026, 11, 21), (1405, 8, 30)),
        (dt.date(1979, 2, 11), (1357, 11, 22)),
    ],
)
def test_known_dates(gregorian, jalali):
    assert gregorian_to_jalali(gregorian) == jalali
    assert jalali_to_gregorian(*jalali) == gregorian


def test_round_trip_over_a_century():
    day = dt.date(1950, 1, 1)
    while day < dt.date(2050, 1, 1):
        assert jalali_to_gregorian(*gregorian_to_jalali(day)) == day
        day += dt.timedelta(days=7)


def test_formatting():
    assert format_jalali(dt.date(2024, 10, 6)) == "۱۵ مهر ۱۴۰۳"
    assert iso_jalali(dt.date(2024, 10, 6)) == "1403/07/15"


def test_invalid_jalali_date():
    with pytest.raises(ValueError):
        jalali_to_gregorian(1403, 7, 31)
