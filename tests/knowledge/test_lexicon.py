"""The synonym lexicon: colloquial names searched with the catalogue's words."""

from __future__ import annotations

from knowledge.ranking.lexicon import Lexicon, base_synonyms


def test_a_colloquial_name_adds_the_catalogue_word():
    lexicon = Lexicon.of({"پاسپورت": "گذرنامه", "لایسنس": "گواهی‌نامه رانندگی"})
    assert lexicon.expand("هزینه پاسپورت") == "هزینه پاسپورت گذرنامه"
    assert lexicon.expand("تمدید لایسنس") == "تمدید لایسنس گواهی‌نامه رانندگی"
    assert lexicon.expand("هزینه گذرنامه") == "هزینه گذرنامه"


def test_the_longest_phrase_wins_and_later_sources_override():
    lexicon = Lexicon.of({"کارت": "کارت", "کارت ملی": "کارت ملی هوشمند"}, {"کارت": "برگه"})
    assert lexicon.meanings("المثنی کارت ملی") == ["کارت ملی هوشمند"]
    assert lexicon.meanings("کارت بازرگانی") == ["برگه"]


def test_the_base_file_names_the_common_colloquial_names():
    base = Lexicon.of(base_synonyms())
    for phrase in ("پاسپورت", "لایسنس", "سربازی", "محضر", "ماشین", "سند تک برگ", "جواز"):
        assert base.meanings(phrase), phrase
