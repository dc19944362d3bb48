"""Which fields a question asks about: a table of formal, spoken, English and mixed questions."""

from __future__ import annotations

import pytest

from knowledge.deciding.asks import AskedFields, name_words
from knowledge.locale import load_texts

ASKED = AskedFields.from_texts(load_texts())


@pytest.mark.parametrize(
    ("question", "fields"),
    [
        ("هزینه صدور گذرنامه چقدر است؟", ("cost",)),
        ("کارت بازرگانی چند درمیاد", ("cost",)),
        ("gozarname chand tamom mishe?", ("cost",)),
        ("تمدید جواز کسب چقدر وقت میبره", ("duration",)),
        ("کارت ملی کی آماده میشه", ("duration",)),
        ("چقدر طول میکشه تا شناسنامه بچه صادر بشه", ("duration",)),
        ("واسه المثنی کارت ملی چیا لازمه؟", ("documents",)),
        ("برای گواهینامه چی ببرم", ("documents",)),
        ("گواهینامه رو کجا تمدید کنم", ("channels",)),
        ("تمدید گذرنامه آنلاین میشه؟", ("online",)),
        ("حضوری باید برم یا از طریق سایت هم میشه؟", ("online",)),
        ("مراحلش چیه", ("steps",)),
        ("چطوری معافیت تحصیلی بگیرم", ("steps",)),
        ("طبق کدوم قانون باید پلاک رو عوض کنم", ("legal",)),
        ("مبنای قانونی کارت بهداشت چیست؟", ("legal",)),
        ("کارت ملی هوشمند چیه؟", ("about",)),
        ("هزینه و مدارک تمدید گذرنامه چیه؟", ("cost", "documents")),
        ("ماهی چقدره و اینترنتی میشه ثبت نام کرد؟", ("cost", "online")),
        ("documents لازم برای renew پاسپورت", ("documents",)),
        ("گذرنامه", ()),
    ],
)
def test_the_fields_a_question_asks(question, fields):
    assert ASKED.of(question) == fields


def test_words_of_the_service_name_do_not_ask_anything():
    # «استعلام» and «سامانه» name these services; they do not ask for the legal basis or where
    ignore = name_words(["استعلام وضعیت ثبتی ملک", "سامانه ۱۳۷"])
    assert ASKED.of("استعلام وضعیت ثبتی ملک", ignore) == ()
    assert ASKED.of("هزینه استعلام وضعیت ثبتی ملک", ignore) == ("cost",)
