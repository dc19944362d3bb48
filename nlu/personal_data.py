"""Masking personal data in free text before it is stored where staff or operators read it.

Citizens type national codes, mobiles, card numbers, IBANs (شبا), emails and tracking codes into
their messages, in Persian, Arabic-Indic or Latin digits, with or without spaces and dashes.
:func:`mask_personal_data` is an ordered chain of small pure steps (as :mod:`nlu.normalize`);
how much of each kind stays readable is decided by the masks of :mod:`nlu.identifiers`.

What counts as a number to hide:

- Every run of ten or more digits. A ten-digit run that passes the national-code check digit is
  a national code and one that passes the Verhoeff digit a tracking code, but a ten-digit run
  that passes neither is hidden too: it is usually one of those mistyped by a digit (still the
  citizen's), a postal code or a landline, and the queue's readers need the question, not the
  number. Ten-digit amounts are written with thousands separators (٬ or ,), which end a run.
- Eight- and nine-digit runs only when they are a national code written without its leading
  zeros (the check digit passes) and not a round amount (ending in 000): fees and dates are
  eight digits too, and staff must still read them.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from nlu.digits import ARABIC_DIGITS, LATIN_DIGITS, PERSIAN_DIGITS, only_digits
from nlu.identifiers import (
    mask_mobile,
    mask_national_code,
    normalize_mobile,
    normalize_national_code,
)

_DIGIT = r"[0-9\u06f0-\u06f9\u0660-\u0669]"
# What people (and hostile input) put between the groups of a number: spaces, dashes,
# underscores, ZWNJ and the invisible marks (zero-width, bidi) that would otherwise split a run.
# Not dots: logs are full of IP addresses and version numbers, which are not a citizen's.
_SEP = r"[\s\-_\u00ad\u200b-\u200f\u2066-\u2069\ufeff]"
_RUN = re.compile(rf"\+?{_DIGIT}(?:{_SEP}{{0,3}}{_DIGIT})*")
_IBAN = re.compile(rf"(?<![A-Za-z])[Ii][Rr]{_SEP}{{0,3}}{_DIGIT}(?:{_SEP}{{0,3}}{_DIGIT}){{23}}")
# The look-behind tries a match only where a word of the address starts: linear on long text.
_EMAIL = re.compile(
    r"(?<![A-Za-z0-9._%+\-])([A-Za-z0-9._%+\-])[A-Za-z0-9._%+\-]*"
    r"@([A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)+)"
)

LONG_RUN = 10  # digits from which a number is always hidden
CARD_LENGTH = 16
SHORT_NATIONAL_CODE = (8, 9)  # a national code with its leading zeros dropped


def _same_script(masked: str, sample: str) -> str:
    """Write the digits of ``masked`` in the script of the digits of ``sample``."""
    for digits in (PERSIAN_DIGITS, ARABIC_DIGITS):
        if any(ch in digits for ch in sample):
            return masked.translate(str.maketrans(LATIN_DIGITS, digits))
    return masked


def _mask_number(digits: str) -> str | None:
    """The masked form of a run of ``digits`` (Latin), or None when it is left as it is."""
    mobile = normalize_mobile(digits)
    if mobile is not None:
        return mask_mobile(mobile)
    if len(digits) == CARD_LENGTH:
        return "*" * (CARD_LENGTH - 4) + digits[-4:]  # as card receipts print it
    if len(digits) >= LONG_RUN:
        return mask_national_code(digits)
    if (
        len(digits) in SHORT_NATIONAL_CODE
        and not digits.endswith("000")
        and normalize_national_code(digits) is not None
    ):
        return mask_national_code(digits.zfill(10))
    return None


def mask_emails(text: str) -> str:
    """Keep an email's first letter and its domain: «ali.r@gmail.com» → «a***@gmail.com»."""
    return _EMAIL.sub(lambda m: f"{m.group(1)}***@{m.group(2)}", text)


def mask_ibans(text: str) -> str:
    """Keep an IBAN's country and last four digits: «IR06 0170 … 01» → «IR**…**7901»."""

    def masked(match: re.Match[str]) -> str:
        digits = only_digits(match.group(0))
        return _same_script("IR" + "*" * 20 + digits[-4:], match.group(0))

    return _IBAN.sub(masked, text)


def mask_numbers(text: str) -> str:
    """Mask mobiles, card numbers, national and tracking codes and other long digit runs."""

    def masked(match: re.Match[str]) -> str:
        found = match.group(0)
        hidden = _mask_number(only_digits(found))
        if hidden is None:
            return found
        # a leading "+" stays: dropped, the masked digits could join a run before it
        # («۱۲۳۴ +۹۸…») and a second pass mask them again (found by test_properties)
        keep = "+" if found.startswith("+") else ""
        return keep + _same_script(hidden, found)

    return _RUN.sub(masked, text)


STEPS: tuple[Callable[[str], str], ...] = (mask_emails, mask_ibans, mask_numbers)


def mask_personal_data(text: str) -> str:
    """``text`` with the personal data in it masked; everything else unchanged."""
    for step in STEPS:
        text = step(text)
    return text
