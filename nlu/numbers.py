"""Numbers written in Persian words or digits: «دو میلیون و پانصد هزار» → 2500000."""

from __future__ import annotations

import re

from nlu.digits import to_latin_digits
from nlu.normalize import unify_letters

UNITS = {
    "صفر": 0, "یک": 1, "یه": 1, "دو": 2, "سه": 3, "چهار": 4, "پنج": 5, "شش": 6, "شیش": 6,
    "هفت": 7, "هشت": 8, "نه": 9, "ده": 10, "یازده": 11, "دوازده": 12, "سیزده": 13,
    "چهارده": 14, "پانزده": 15, "پونزده": 15, "شانزده": 16, "شونزده": 16, "هفده": 17,
    "هیفده": 17, "هجده": 18, "هیجده": 18, "نوزده": 19, "بیست": 20, "سی": 30, "چهل": 40,
    "پنجاه": 50, "شصت": 60, "هفتاد": 70, "هشتاد": 80, "نود": 90, "صد": 100, "یکصد": 100,
    "دویست": 200, "سیصد": 300, "چهارصد": 400, "پانصد": 500, "پونصد": 500, "ششصد": 600,
    "هفتصد": 700, "هشتصد": 800, "نهصد": 900,
}  # fmt: skip
SCALES = {"هزار": 1_000, "میلیون": 1_000_000, "ملیون": 1_000_000, "میلیارد": 1_000_000_000}
_SPLIT = re.compile(r"[\s\u200c]+")
_NUMBER_WORDS = set(UNITS) | set(SCALES) | {"و"}


def words_to_number(text: str) -> int | None:
    """Parse a number written in words and/or digits («۲ میلیون», «سیصد و پنجاه»), else None."""
    words = [w for w in _SPLIT.split(unify_letters(to_latin_digits(text.strip()))) if w]
    if not words:
        return None
    total = 0
    current = 0
    seen_value = False
    for word in words:
        if word == "و":
            continue
        if word.replace(",", "").replace("٬", "").isdigit():
            current += int(word.replace(",", "").replace("٬", ""))
            seen_value = True
        elif word in UNITS:
            current += UNITS[word]
            seen_value = True
        elif word in SCALES:
            total += (current or 1) * SCALES[word]
            current = 0
            seen_value = True
        else:
            return None
    return total + current if seen_value else None


def small_number(text: str, low: int, high: int) -> int | None:
    """The one number between ``low`` and ``high`` in ``text`` (digits or words), if exactly one."""
    found: list[int] = []
    for token in _SPLIT.split(unify_letters(to_latin_digits(text))):
        token = token.strip(".,!?؟،")
        value = int(token) if token.isdigit() else UNITS.get(token)
        if value is not None and low <= value <= high:
            found.append(value)
    return found[0] if len(set(found)) == 1 else None
