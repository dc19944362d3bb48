"""Tokens keep offsets into the original text; canonical forms make variants agree."""

import pytest

from nlu.canonical import canonical
from nlu.tokenize import tokenize


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("سلام", [("سلام", 0, 4)]),
        ("سلام، خوبی؟", [("سلام", 0, 4), ("خوبی", 6, 10)]),
        ("می‌خواهم گذرنامه", [("می‌خواهم", 0, 8), ("گذرنامه", 9, 16)]),
        ("کد ۰۰۱۳۵۴۲۴۱۹ است", [("کد", 0, 2), ("۰۰۱۳۵۴۲۴۱۹", 3, 13), ("است", 14, 17)]),
        ("  هزینه   ", [("هزینه", 2, 7)]),
        ("salam khubi?", [("salam", 0, 5), ("khubi", 6, 11)]),
    ],
)
def test_offsets(text, expected):
    tokens = tokenize(text)
    assert [(t.text, t.start, t.end) for t in tokens] == expected
    for token in tokens:
        assert text[token.start : token.end] == token.text


def test_arabic_letters_get_the_persian_canonical_form():
    assert [t.canonical for t in tokenize("كارت ملي")] == ["کارت", "ملی"]


def test_colloquial_and_written_forms_agree():
    assert canonical("میخوام") == canonical("می‌خواهم")
    assert canonical("مدارکش چیه؟") == canonical("مدارک آن چیست")


@pytest.mark.parametrize(
    ("spoken", "written"),
    [
        ("تو ربات هستی؟", "تو ربات هستی"),  # "you", not «در»
        ("ناهار خوردی", "ناهار خوردی"),  # not «نهار», which reads like «نه»
        ("تنهام", "تنها هستم"),
        ("قبوله", "قبول است"),
        ("باشه", "باشد"),
    ],
)
def test_spoken_words_hazm_gets_wrong_are_kept_or_rewritten_as_meant(spoken, written):
    assert canonical(spoken) == written
