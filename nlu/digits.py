"""Digit handling: Persian (۰–۹), Arabic-Indic (٠–٩) and Latin (0–9) digits."""

from __future__ import annotations

PERSIAN_DIGITS = "۰۱۲۳۴۵۶۷۸۹"
ARABIC_DIGITS = "٠١٢٣٤٥٦٧٨٩"
LATIN_DIGITS = "0123456789"

_TO_LATIN = str.maketrans(PERSIAN_DIGITS + ARABIC_DIGITS, LATIN_DIGITS * 2)
_TO_PERSIAN = str.maketrans(LATIN_DIGITS + ARABIC_DIGITS, PERSIAN_DIGITS * 2)


def to_latin_digits(text: str) -> str:
    """Return ``text`` with Persian and Arabic-Indic digits replaced by Latin ones."""
    return text.translate(_TO_LATIN)


def to_persian_digits(text: str) -> str:
    """Return ``text`` with Latin and Arabic-Indic digits replaced by Persian ones."""
    return text.translate(_TO_PERSIAN)


def only_digits(text: str) -> str:
    """Keep the digits of ``text`` (any script), as Latin digits."""
    return "".join(ch for ch in to_latin_digits(text) if ch.isascii() and ch.isdigit())


def format_amount(amount: int) -> str:
    """Format an integer with Persian digits and the Persian thousands separator («٬»)."""
    return to_persian_digits(f"{amount:,}").replace(",", "٬")
