"""Iranian identifiers: national code (کد ملی), mobile numbers and tracking codes.

All functions accept Persian, Arabic-Indic or Latin digits and common separators.
"""

from __future__ import annotations

import re

from nlu.digits import to_latin_digits

_SEPARATORS = re.compile(r"[\s\-_.\u200c/]+")


def _compact(text: str) -> str:
    return _SEPARATORS.sub("", to_latin_digits(text.strip()))


def normalize_national_code(text: str) -> str | None:
    """Return the 10-digit national code in ``text`` if its check digit is valid, else None.

    Codes written with fewer digits (leading zeros dropped, common on old cards) are padded,
    and codes made of one repeated digit are refused, as the national registry does.
    """
    code = _compact(text)
    if not code.isdigit() or not 8 <= len(code) <= 10:
        return None
    code = code.zfill(10)
    if len(set(code)) == 1:
        return None
    total = sum(int(code[i]) * (10 - i) for i in range(9))
    remainder = total % 11
    check = remainder if remainder < 2 else 11 - remainder
    return code if int(code[9]) == check else None


def national_code_check_digit(first_nine: str) -> int:
    """Compute the check digit for the first nine digits of a national code."""
    total = sum(int(first_nine[i]) * (10 - i) for i in range(9))
    remainder = total % 11
    return remainder if remainder < 2 else 11 - remainder


_MOBILE = re.compile(r"^(?:\+98|0098|98|0)?(9\d{9})$")


def normalize_mobile(text: str) -> str | None:
    """Return an Iranian mobile number as ``09XXXXXXXXX``, or None if ``text`` is not one.

    Accepts 09…, 9…, +989…, 00989…, 989…, with Persian or Arabic digits and spaces or dashes.
    """
    compact = _compact(text).replace("(", "").replace(")", "")
    match = _MOBILE.match(compact)
    return "0" + match.group(1) if match else None


def mask_national_code(code: str) -> str:
    """Mask a national code for logs: keep the first and last two digits."""
    return _mask(code, keep_first=2)


def mask_mobile(mobile: str) -> str:
    """Mask a mobile number for logs: keep the operator prefix and the last two digits."""
    return _mask(mobile, keep_first=4)


def _mask(text: str, keep_first: int) -> str:
    """The digits of ``text`` with all but the first ``keep_first`` and the last two starred
    (too short to hide anything: four stars)."""
    digits = _compact(text)
    kept = keep_first + 2
    if len(digits) <= kept:
        return "****"
    return digits[:keep_first] + "*" * (len(digits) - kept) + digits[-2:]


# Verhoeff check digit: detects every single-digit error and every adjacent transposition,
# the two mistakes people make when typing a code on a phone keypad.
_VERHOEFF_D = (
    (0, 1, 2, 3, 4, 5, 6, 7, 8, 9),
    (1, 2, 3, 4, 0, 6, 7, 8, 9, 5),
    (2, 3, 4, 0, 1, 7, 8, 9, 5, 6),
    (3, 4, 0, 1, 2, 8, 9, 5, 6, 7),
    (4, 0, 1, 2, 3, 9, 5, 6, 7, 8),
    (5, 9, 8, 7, 6, 0, 4, 3, 2, 1),
    (6, 5, 9, 8, 7, 1, 0, 4, 3, 2),
    (7, 6, 5, 9, 8, 2, 1, 0, 4, 3),
    (8, 7, 6, 5, 9, 3, 2, 1, 0, 4),
    (9, 8, 7, 6, 5, 4, 3, 2, 1, 0),
)
_VERHOEFF_P = (
    (0, 1, 2, 3, 4, 5, 6, 7, 8, 9),
    (1, 5, 7, 6, 2, 8, 3, 0, 9, 4),
    (5, 8, 0, 3, 7, 9, 6, 1, 4, 2),
    (8, 9, 1, 6, 0, 4, 3, 5, 2, 7),
    (9, 4, 5, 3, 1, 2, 6, 8, 7, 0),
    (4, 2, 8, 6, 5, 7, 3, 9, 0, 1),
    (2, 7, 9, 3, 8, 0, 6, 4, 1, 5),
    (7, 0, 4, 6, 9, 1, 3, 2, 5, 8),
)
_VERHOEFF_INV = (0, 4, 3, 2, 1, 5, 6, 7, 8, 9)

TRACKING_CODE_LENGTH = 10
# The first digit of a tracking code tells its kind. 9 is never used: a ten-digit number that
# starts with 9 is how many people write a mobile number without its leading 0.
REQUEST_CODE_PREFIXES = "1234"
COMPLAINT_CODE_PREFIXES = "5678"


def verhoeff_check_digit(digits: str) -> str:
    """Compute the Verhoeff check digit to append to ``digits``."""
    c = 0
    for i, ch in enumerate(reversed(digits)):
        c = _VERHOEFF_D[c][_VERHOEFF_P[(i + 1) % 8][int(ch)]]
    return str(_VERHOEFF_INV[c])


def verhoeff_is_valid(digits: str) -> bool:
    """Tell whether ``digits`` ends with a correct Verhoeff check digit."""
    c = 0
    for i, ch in enumerate(reversed(digits)):
        c = _VERHOEFF_D[c][_VERHOEFF_P[i % 8][int(ch)]]
    return c == 0


def normalize_tracking_code(text: str) -> str | None:
    """Return the 10-digit tracking code in ``text`` if its check digit is valid, else None.

    Tracking codes never start with 0 (the first digit tells their kind), which also keeps most
    national codes, many of which do start with 0, from passing for one.
    """
    code = _compact(text)
    if len(code) != TRACKING_CODE_LENGTH or not code.isdigit() or code[0] == "0":
        return None
    if not verhoeff_is_valid(code):
        return None
    return code


def is_complaint_code(code: str) -> bool:
    """Tell whether a (valid) tracking code belongs to a complaint or suggestion."""
    return bool(code) and code[0] in COMPLAINT_CODE_PREFIXES


def format_tracking_code(code: str) -> str:
    """Group a tracking code for reading aloud or typing: ``1234-5678-90``."""
    return f"{code[:4]}-{code[4:8]}-{code[8:]}"
