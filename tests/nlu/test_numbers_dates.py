"""Numbers in words and Jalali dates."""

import datetime as dt

import pytest

from nlu.dates import parse_jalali_date
from nlu.numbers import small_number, words_to_number


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("دو میلیون", 2_000_000),
        ("دو میلیون و پانصد هزار", 2_500_000),
        ("سیصد و پنجاه", 350),
        ("۵ میلیون", 5_000_000),
        ("5,200,000", 5_200_000),
        ("هزار", 1000),
        ("یک میلیارد و دویست میلیون", 1_200_000_000),
        ("بیست و یک", 21),
        ("چند تومن", None),
        ("", None),
    ],
)
def test_words_to_number(text, expected):
    assert words_to_number(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [("۵", 5), ("پنج", 5), ("عالی بود ۵", 5), ("بهش 4 میدم", 4), ("۱۰", None), ("۳ یا ۴", None)],
)
def test_small_number(text, expected):
    assert small_number(text, 1, 5) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("۱۵ مهر ۱۴۰۳", dt.date(2024, 10, 6)),
        ("تاریخ 1403/07/15 بود", dt.date(2024, 10, 6)),
        ("۱۵ مهر", dt.date(2026, 10, 7)),
        ("۳۱ اسفند ۱۴۰۳", None),
        ("فردا", None),
    ],
)
def test_jalali_dates(text, expected):
    assert parse_jalali_date(text, today=dt.date(2026, 11, 21)) == expected
