"""Answers are written from the card or FAQ only, with the service, agency, link and source."""

from __future__ import annotations

import re

import pytest

from knowledge.deciding.compose import candidate_label, compose_answer, did_you_mean
from knowledge.index.documents import faq_document, service_documents
from knowledge.locale import load_texts
from tests.knowledge.conftest import mini_catalogue

AGENCY = "پلیس مهاجرت و گذرنامه فراجا"


@pytest.fixture(scope="module")
def passport() -> dict:
    return next(s for s in mini_catalogue().services if s["code"] == "10202000001")


def template_words() -> set[str]:
    texts = load_texts()
    words: set[str] = set()
    for text in [*texts.answer.values(), *texts.labels.values(), texts.faq_label]:
        words |= {w.strip("«»():،.") for w in re.sub(r"\{[^}]*\}", " ", text).split()}
    return words


def test_a_field_answer_names_service_agency_field_link_and_source(passport):
    doc = next(d for d in service_documents(passport, AGENCY) if d.field == "cost")
    answer = compose_answer(doc)
    assert answer.field == "cost" and answer.label == "هزینه"
    assert answer.service == "صدور گذرنامهٔ عادی" and answer.agency == AGENCY
    assert answer.body == "۵٬۲۰۰٬۰۰۰ ریال"
    assert answer.url == "https://epolice.ir/passport"
    lines = answer.text.splitlines()
    assert lines[0] == "هزینه «صدور گذرنامهٔ عادی» (پلیس مهاجرت و گذرنامه فراجا):"
    assert lines[1] == "۵٬۲۰۰٬۰۰۰ ریال"
    assert lines[2] == "نشانی خدمت الکترونیکی: https://epolice.ir/passport"
    assert (
        lines[3]
        == "منبع: شناسنامهٔ خدمت «صدور گذرنامهٔ عادی»، شناسه ۱۰۲۰۲۰۰۰۰۰۱، بازنگری ۲۰۲۵-۰۱-۱۰."
    )


def test_the_link_is_not_repeated_when_the_field_already_gives_it(passport):
    doc = next(d for d in service_documents(passport, AGENCY) if d.field == "channels")
    assert compose_answer(doc).text.count("https://epolice.ir/passport") == 1


def test_a_faq_answer_is_the_faq_answer_with_its_service_and_source(passport):
    faq = mini_catalogue().faqs[0]
    answer = compose_answer(faq_document(faq, passport, AGENCY))
    assert answer.field == "faq"
    assert answer.body == faq["answer"]
    assert answer.text.splitlines() == [
        "«صدور گذرنامهٔ عادی» (پلیس مهاجرت و گذرنامه فراجا):",
        faq["answer"],
        "نشانی خدمت الکترونیکی: https://epolice.ir/passport",
        f"منبع: پرسش‌های متداول — «{faq['question']}».",
    ]


def test_a_general_faq_has_no_service_line_and_no_link():
    faq = {
        "id": "fraud",
        "question": "پیامک جعلی چیست؟",
        "answer": "به پیامک‌های ناشناس اعتماد نکنید.",
    }
    answer = compose_answer(faq_document(faq))
    assert answer.text.splitlines() == [faq["answer"], "منبع: پرسش‌های متداول — «پیامک جعلی چیست؟»."]


def test_nothing_is_invented_every_word_comes_from_the_card_or_the_templates(catalogue_docs):
    allowed_extra = template_words()
    for doc in catalogue_docs:
        answer = compose_answer(doc)
        source_words = set(
            " ".join([doc.body, *doc.meta.values(), doc.title]).replace("«", " ").split()
        )
        for word in answer.text.replace("«", " ").replace("»", " ").split():
            word = word.strip("«»():،.")
            assert (
                not word
                or word in allowed_extra
                or any(word in w for w in source_words)
                or re.fullmatch(r"[۰-۹\-]+", word)
            ), (doc.id, word)


def test_did_you_mean_labels_name_the_field_and_service(passport):
    docs = service_documents(passport, AGENCY)
    prompt, labels = did_you_mean([docs[2], docs[3]])
    assert prompt == "منظورتان کدام است؟"
    assert labels == ["هزینه «صدور گذرنامهٔ عادی»", "مدت انجام «صدور گذرنامهٔ عادی»"]
    faq = faq_document(mini_catalogue().faqs[0], passport, AGENCY)
    assert candidate_label(faq) == faq.title
