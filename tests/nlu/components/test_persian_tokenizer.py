"""The Rasa adapters of nlu/: the tokenizer keeps offsets and lemmas, the extractor finds ids."""

from __future__ import annotations

import pytest
from rasa.nlu.constants import TOKENS_NAMES
from rasa.shared.nlu.constants import ENTITIES, INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message

from nlu.components.identifier_extractor import IdentifierExtractor
from nlu.components.persian_tokenizer import PersianTokenizer
from nlu.identifiers import verhoeff_check_digit

TRACKING = "512345678" + verhoeff_check_digit("512345678")


def _tokenizer() -> PersianTokenizer:
    return PersianTokenizer(PersianTokenizer.get_default_config())


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("سلام", [("سلام", 0, 4)]),
        ("هزینه‌ش چقدره؟", [("هزینه‌ش", 0, 7), ("چقدره", 8, 13)]),
        ("كارت ملي", [("كارت", 0, 4), ("ملي", 5, 8)]),
        ("gozarname chejori", [("gozarname", 0, 9), ("chejori", 10, 17)]),
        ("کد ۰۰۱۳۵۴۲۴۱۹", [("کد", 0, 2), ("۰۰۱۳۵۴۲۴۱۹", 3, 13)]),
    ],
)
def test_tokens_point_into_what_the_citizen_wrote(text, expected):
    message = Message(data={TEXT: text})
    _tokenizer().process([message])
    tokens = message.get(TOKENS_NAMES[TEXT])
    assert [(t.text, t.start, t.end) for t in tokens] == expected
    assert all(text[t.start : t.end] == t.text for t in tokens)


def test_lemmas_carry_the_canonical_persian_the_featurizers_read():
    arabic, persian = Message(data={TEXT: "كارت ملي"}), Message(data={TEXT: "کارت ملی"})
    _tokenizer().process([arabic, persian])
    lemmas = [[t.lemma for t in m.get(TOKENS_NAMES[TEXT])] for m in (arabic, persian)]
    assert lemmas[0] == lemmas[1] == ["کارت", "ملی"]


def test_training_messages_are_tokenized_too():
    from rasa.shared.nlu.training_data.training_data import TrainingData

    data = TrainingData([Message(data={TEXT: "می‌خوام گذرنامه بگیرم", INTENT: "file_request"})])
    _tokenizer().process_training_data(data)
    assert [t.text for t in data.training_examples[0].get(TOKENS_NAMES[TEXT])] == [
        "می‌خوام",
        "گذرنامه",
        "بگیرم",
    ]


def test_the_extractor_adds_normalised_identifiers_with_offsets():
    text = f"کد ملی ۰۰۱۳۵۴۲۴۱۹ و پیگیری {TRACKING} موبایلم ۰۹۱۲ ۱۲۳ ۴۵۶۷"
    message = Message(data={TEXT: text, ENTITIES: [{"entity": "service", "value": "x"}]})
    IdentifierExtractor().process([message])
    found = [(e["entity"], e["value"]) for e in message.get(ENTITIES)]
    assert found == [
        ("service", "x"),  # what other extractors found is kept
        ("national_code", "0013542419"),
        ("tracking_code", TRACKING),
        ("mobile", "09121234567"),
    ]
    for entity in message.get(ENTITIES)[1:]:
        assert entity["extractor"] == "IdentifierExtractor"
        assert text[entity["start"] : entity["end"]].strip()


def test_a_wrong_check_digit_is_not_an_identifier():
    message = Message(data={TEXT: "کد ملی ۰۰۱۳۵۴۲۴۱۸"})
    IdentifierExtractor().process([message])
    assert message.get(ENTITIES, []) == []
