"""Repairing the spelling of a question against the knowledge base's words."""

from __future__ import annotations

from collections import Counter

import pytest

from knowledge.ranking.spelling import Speller, persian_lexicon, phonetic_key

VOCABULARY = Counter(
    {
        "هزینه": 50,
        "گواهی‌نامه": 30,
        "گذرنامه": 40,
        "تمدید": 40,
        "ثبت": 60,
        "مدرسه": 10,
        "کارت": 50,
        "ملی": 50,
        "خسارت": 5,
        "پرداخت": 20,
        "اظهارنامه": 8,
        "سند": 12,
        "دفترچه": 4,
        "ممنوع‌الخروجی": 3,
        "باشید": 2,
    }
)


@pytest.fixture(scope="module")
def speller() -> Speller:
    return Speller(VOCABULARY, persian_lexicon())


def test_homophone_letters_share_a_key():
    assert phonetic_key("حزینه") == phonetic_key("هزینه")
    assert phonetic_key("طمدید") == phonetic_key("تمدید")
    assert phonetic_key("گواحی‌نامه") == phonetic_key("گواهی‌نامه")


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("حزینه", "هزینه"),  # ه/ح
        ("طمدید", "تمدید"),  # ت/ط
        ("ثبط", "ثبت"),  # a rare real word that is mostly a typo: repaired by sound
        ("مدرصه", "مدرسه"),  # س/ص
        ("خصارت", "خسارت"),
        ("گواحینامه", "گواهی‌نامه"),  # and no half-space
        ("گذرنامع", "گذرنامه"),  # one letter off
        ("اظهارنمه", "اظهارنامه"),  # a dropped letter
        ("کارتملی", "کارت ملی"),  # two words run together
    ],
)
def test_typos_are_repaired(speller, typed, meant):
    assert speller.repair_word(typed) == meant


@pytest.mark.parametrize("word", ["فوتبال", "هزینه", "مدارکش", "عوضش", "چی", "salam", "۱۲۳"])
def test_known_words_and_short_or_foreign_ones_are_kept(speller, word):
    assert speller.repair_word(word) is None


@pytest.mark.parametrize(
    ("spelt_back", "meant"),
    [
        ("ساناده", "سند"),  # "sanade": Latin vowels spelt as letters
        ("دافتارچه", "دفترچه"),
        ("مامنولخوروجی", "ممنوع‌الخروجی"),
    ],
)
def test_words_typed_in_latin_letters_are_matched_by_their_consonants(speller, spelt_back, meant):
    assert speller.repair_word(spelt_back, from_latin=True) == meant


@pytest.mark.parametrize("word", ["نباشید", "دادیم", "نمیرسه", "میفروختیم"])
def test_verb_forms_are_never_edited_into_other_words(speller, word):
    assert speller.repair_word(word) is None
