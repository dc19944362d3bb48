"""The asking part of a question told as a story is found; one-sentence questions have none."""

from __future__ import annotations

import pytest

from knowledge.ranking.focus import asking_part


@pytest.mark.parametrize(
    ("text", "part"),
    [
        (
            "پسرم هفته پیش به دنیا اومد و اسمش رو انتخاب نکردیم. شناسنامه‌ش رو کجا باید بگیریم؟",
            "شناسنامه‌ش رو کجا باید بگیریم؟",
        ),
        # every sentence that asks, wherever it stands; the others are left out
        (
            "کیفم رو دزدیدن. میتونم کارت ملی المثنی بگیرم؟ چقدر طول میکشه؟",
            "میتونم کارت ملی المثنی بگیرم؟ چقدر طول میکشه؟",
        ),
        # no sentence asks: the last one is the request
        ("سلام وقت بخیر.\nگذرنامه‌ام گم شده، المثنی میخوام", "گذرنامه‌ام گم شده، المثنی میخوام"),
        ("salam. hazine tamdid gozarname chande?", "hazine tamdid gozarname chande?"),
        (
            "المثنی کارت ملی چقدر هزینه داره؟ شنیدم از دفعه اول گرون‌تره",
            "المثنی کارت ملی چقدر هزینه داره؟",
        ),
        # a decimal point does not end a sentence
        ("هزینه ۲.۵ میلیون شد. چرا برای گذرنامه اینقدر زیاده؟", "چرا برای گذرنامه اینقدر زیاده؟"),
    ],
)
def test_the_asking_part_of_a_story(text, part):
    assert asking_part(text) == part


@pytest.mark.parametrize(
    "text",
    [
        "هزینه تمدید گذرنامه چنده؟",  # one sentence
        "هزینه گذرنامه چنده؟ مدارکش چیه؟",  # every sentence asks
        "خونه رو فروختم و کنتور آب هنوز به اسم منه. چیکار کنم؟",  # too short to read alone
    ],
)
def test_no_second_reading(text):
    assert asking_part(text) is None
