"""Identifiers found in free Persian text."""

import pytest

from nlu.entities import find_identifiers
from nlu.identifiers import verhoeff_check_digit

TRACKING = "123456789" + verhoeff_check_digit("123456789")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("کد ملی من ۰۰۱۳۵۴۲۴۱۹ است", [("national_code", "0013542419")]),
        ("شماره‌ام 0912 123 4567", [("mobile", "09121234567")]),
        ("موبایلم +98-912-123-4567 هست", [("mobile", "09121234567")]),
        (f"کد پیگیری {TRACKING}", [("tracking_code", TRACKING)]),
        ("کد ملی ۰۰۱۳۵۴۲۴۱۸", []),  # wrong check digit: nothing is claimed
        ("سلام", []),
    ],
)
def test_find_identifiers(text, expected):
    assert [(s.entity, s.value) for s in find_identifiers(text)] == expected


def test_spans_point_into_the_text():
    text = "کد ملی ۰۰۱۳۵۴۲۴۱۹ و موبایل ۰۹۱۲۱۲۳۴۵۶۷"
    for span in find_identifiers(text):
        assert text[span.start : span.end].strip()


@pytest.mark.parametrize("prefix", "12345678")
def test_every_kind_of_tracking_code_is_read_as_one_not_as_a_mobile(prefix):
    # Mobiles are often written without their 0 (912…): no tracking code starts with 9.
    code = prefix + "12345678" + verhoeff_check_digit(prefix + "12345678")
    assert [(s.entity, s.value) for s in find_identifiers(f"پیگیری {code}")] == [
        ("tracking_code", code)
    ]
