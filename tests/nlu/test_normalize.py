"""The Persian normaliser, step by step and as a whole."""

import pytest

from nlu.normalize import (
    fix_half_spaces,
    normalize,
    squeeze_repeats,
    strip_diacritics,
    tokens,
    unify_digits,
    unify_letters,
)

ZWNJ = "\u200c"


@pytest.mark.parametrize(
    ("step", "text", "expected"),
    [
        (unify_letters, "كارت ملي", "کارت ملی"),
        (unify_letters, "هزينهٔ", "هزینهٔ"),
        (unify_letters, "مدرســه", "مدرسه"),
        (unify_digits, "۱۲۳ و ١٢٣", "123 و 123"),
        (strip_diacritics, "مَدرِسه", "مدرسه"),
        (squeeze_repeats, "سلاااام", "سلام"),
        (squeeze_repeats, "۱۱۱", "۱۱۱"),
        (fix_half_spaces, "می خواهم", f"می{ZWNJ}خواهم"),
        (fix_half_spaces, "نمی دانم", f"نمی{ZWNJ}دانم"),
        (fix_half_spaces, "کتاب ها", f"کتاب{ZWNJ}ها"),
    ],
)
def test_steps(step, text, expected):
    assert step(text) == expected


def test_the_chain_makes_variants_agree():
    variants = ["مي خواهم كارت ملي بگيرم", "می‌خواهم کارت ملی بگیرم", "می  خواهم کارت ملی بگیرم"]
    assert len({normalize(v) for v in variants}) == 1


def test_tokens_drop_punctuation_and_unify_digits():
    assert tokens("هزینه گذرنامه؟ (۱۴۰۳)") == ["هزینه", "گذرنامه", "1403"]
