"""Buttons over SMS: numbered options, and a reply of «۲» or "2" choosing the second one."""

from __future__ import annotations

from connectors.messages import Button
from connectors.texts import Texts
from nlu.digits import to_latin_digits, to_persian_digits

_TRIM = " \t\r\n.)-:،"


def numbered(
    buttons: list[Button], texts: Texts, start: int = 0
) -> tuple[str, list[dict[str, str]]]:
    """The option lines to append to a reply, and the options to remember for the sender.

    Numbering goes on from ``start`` (the options already offered in the same SMS), so every
    number in one message picks a different option.
    """
    lines: list[str] = []
    remembered: list[dict[str, str]] = []
    for button in buttons:
        if button.url:
            lines.append(f"{button.title}: {button.url}")
            continue
        remembered.append({"title": button.title, "payload": button.payload})
        number = to_persian_digits(str(start + len(remembered)))
        lines.append(texts.get("sms.option", number=number, title=button.title))
    if remembered:
        lines.append(texts.get("sms.options_hint"))
    return "\n".join(lines), remembered


def choice(text: str, remembered: list[dict[str, str]]) -> str | None:
    """The payload of the option ``text`` picks («۲», "2", "2)"), or None if it picks none."""
    digits = to_latin_digits(text.strip(_TRIM)).strip()
    if not digits.isascii() or not digits.isdigit():
        return None
    index = int(digits) - 1
    if 0 <= index < len(remembered):
        return remembered[index]["payload"]
    return None
