"""Iranian identifiers as tables: national codes, mobiles, tracking codes."""

import pytest

from nlu.identifiers import (
    format_tracking_code,
    is_complaint_code,
    mask_mobile,
    mask_national_code,
    normalize_mobile,
    normalize_national_code,
    normalize_tracking_code,
    verhoeff_check_digit,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("0013542419", "0013542419"),
        ("۰۰۱۳۵۴۲۴۱۹", "0013542419"),
        ("٠٠١٣٥٤٢٤١٩", "0013542419"),
        ("001-354241-9", "0013542419"),
        ("13542419", "0013542419"),  # leading zeros dropped on old cards
        ("0013542418", None),  # wrong check digit
        ("1111111111", None),  # one repeated digit
        ("00135424", None),
        ("abcdefghij", None),
        ("", None),
        ("00135424190", None),
    ],
)
def test_national_code(text, expected):
    assert normalize_national_code(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("09121234567", "09121234567"),
        ("9121234567", "09121234567"),
        ("+989121234567", "09121234567"),
        ("00989121234567", "09121234567"),
        ("989121234567", "09121234567"),
        ("۰۹۱۲ ۱۲۳ ۴۵۶۷", "09121234567"),
        ("0912-123-4567", "09121234567"),
        ("(0912) 1234567", "09121234567"),
        ("02112345678", None),  # a landline
        ("0912123456", None),
        ("091212345678", None),
    ],
)
def test_mobile(text, expected):
    assert normalize_mobile(text) == expected


def test_tracking_code_catches_single_digit_errors_and_adjacent_swaps():
    body = "123456789"
    code = body + verhoeff_check_digit(body)
    assert normalize_tracking_code(code) == code
    assert normalize_tracking_code(format_tracking_code(code)) == code
    for i in range(10):
        for digit in "0123456789":
            if digit != code[i]:
                typo = code[:i] + digit + code[i + 1 :]
                assert normalize_tracking_code(typo) is None
    for i in range(9):
        if code[i] != code[i + 1]:
            swapped = code[:i] + code[i + 1] + code[i] + code[i + 2 :]
            assert normalize_tracking_code(swapped) is None


def test_masks_hide_the_middle():
    assert mask_national_code("0013542419") == "00******19"
    assert mask_mobile("09121234567") == "0912*****67"


@pytest.mark.parametrize(
    ("code", "complaint"),
    [("5123456780", True), ("8000000000", True), ("1234567890", False), ("4999999999", False)],
)
def test_the_first_digit_tells_a_complaint_from_a_request(code, complaint):
    assert is_complaint_code(code) is complaint
