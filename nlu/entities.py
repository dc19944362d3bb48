"""Finding identifiers in free text: national codes, mobile numbers, tracking codes."""

from __future__ import annotations

import re
from dataclasses import dataclass

from nlu.digits import to_latin_digits
from nlu.identifiers import normalize_mobile, normalize_national_code, normalize_tracking_code

# Digit runs (Persian, Arabic or Latin) possibly broken by spaces or dashes, with an optional +.
_DIGIT_RUN = re.compile(r"\+?[0-9۰-۹٠-٩](?:[\s\-]?[0-9۰-۹٠-٩]){6,15}")
_TRACKING_CONTEXT = ("پیگیری", "رهگیری", "peygiri", "tracking")
_NATIONAL_CONTEXT = ("ملی", "meli", "national")


@dataclass(frozen=True)
class Span:
    """An identifier found in text: its kind, normalised value and place."""

    entity: str
    value: str
    start: int
    end: int


def _context(text: str, start: int) -> str:
    return to_latin_digits(text[max(0, start - 25) : start]).lower()


def find_identifiers(text: str) -> list[Span]:
    """Every national code, mobile number and tracking code in ``text``, by checksum and context."""
    spans = []
    for match in _DIGIT_RUN.finditer(text):
        raw = match.group(0)
        before = _context(text, match.start())
        if mobile := normalize_mobile(raw):
            spans.append(Span("mobile", mobile, match.start(), match.end()))
            continue
        national = normalize_national_code(raw)
        tracking = normalize_tracking_code(raw)
        said_tracking = any(word in before for word in _TRACKING_CONTEXT)
        said_national = any(word in before for word in _NATIONAL_CONTEXT)
        # The words before a number decide what it is; checksums alone decide only when
        # nothing was said (both can pass for the same number, one time in ten).
        if said_tracking and not said_national:
            national = None
        elif said_national and not said_tracking:
            tracking = None
        if national and len(re.sub(r"\D", "", to_latin_digits(raw))) == 10:
            spans.append(Span("national_code", national, match.start(), match.end()))
        if tracking:
            spans.append(Span("tracking_code", tracking, match.start(), match.end()))
    return spans
