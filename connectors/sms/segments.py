"""SMS segments: GSM-7 (160 / 153 per part) or UCS-2 (70 / 67 per part), and a cap on parts."""

from __future__ import annotations

# GSM 03.38 basic character set, and the extension set (each costs two septets).
_GSM_BASIC = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\x1bÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
_GSM_EXTENDED = set("^{}\\[~]|€\f")


def is_gsm(text: str) -> bool:
    """Whether ``text`` fits the GSM-7 alphabet (else it travels as UCS-2)."""
    return all(ch in _GSM_BASIC or ch in _GSM_EXTENDED for ch in text)


def _units(text: str, gsm: bool) -> list[int]:
    """The cost of each character: septets (GSM-7) or UTF-16 code units (UCS-2)."""
    if gsm:
        return [2 if ch in _GSM_EXTENDED else 1 for ch in text]
    return [2 if ord(ch) > 0xFFFF else 1 for ch in text]


def limits(gsm: bool) -> tuple[int, int]:
    """(units in a single message, units per part of a split message)."""
    return (160, 153) if gsm else (70, 67)


def split(text: str) -> list[str]:
    """The parts the network carries ``text`` in, never cutting a character in two."""
    gsm = is_gsm(text)
    single, per_part = limits(gsm)
    costs = _units(text, gsm)
    if sum(costs) <= single:
        return [text] if text else []
    parts: list[str] = []
    start = used = 0
    for index, cost in enumerate(costs):
        if used + cost > per_part:
            parts.append(text[start:index])
            start, used = index, 0
        used += cost
    parts.append(text[start:])
    return parts


def count(text: str) -> int:
    """How many parts ``text`` takes."""
    return len(split(text))


def fit(text: str, max_parts: int, suffix: str, tail: str = "") -> str:
    """``text`` cut (at a word break where possible) to at most ``max_parts`` parts.

    ``tail`` always ends the message, whole: only ``text`` is cut (then followed by ``suffix``).
    """
    if count(text + tail) <= max_parts:
        return text + tail
    low, high = 0, len(text)
    while low < high:  # the longest prefix that still fits with the suffix
        middle = (low + high + 1) // 2
        if count(text[:middle].rstrip() + suffix + tail) <= max_parts:
            low = middle
        else:
            high = middle - 1
    cut = text.rfind(" ", 0, low + 1)
    if cut < low * 0.8:
        cut = low
    return text[:cut].rstrip() + suffix + tail
