"""Service cards split into field documents, FAQs, and the shared canonical form."""

from __future__ import annotations

import json

import pytest

from knowledge.evaluating import export_corpus
from knowledge.evaluating.metrics import load_queries
from knowledge.index.documents import (
    Document,
    documents_digest,
    faq_document,
    load_corpus,
    service_documents,
)
from knowledge.index.text import Analyzer, canonical
from knowledge.locale import FIELDS, load_texts
from nlu.canonical import canonical as nlu_canonical
from tests.knowledge.conftest import EVAL_DIR, mini_catalogue

PASSPORT = "10202000001"


@pytest.fixture(scope="module")
def passport_card() -> dict:
    return next(s for s in mini_catalogue().services if s["code"] == PASSPORT)


def by_id(docs: list[Document]) -> dict[str, Document]:
    return {d.id: d for d in docs}


def test_a_card_becomes_one_document_per_field(passport_card):
    docs = service_documents(passport_card, "پلیس مهاجرت و گذرنامه فراجا")
    assert [d.id for d in docs] == [f"service:{PASSPORT}:{f}" for f in FIELDS]
    assert {d.kind for d in docs} == {"service"}
    assert [d.field for d in docs] == list(FIELDS)
    for doc in docs:  # every field carries the service, its agency and its link
        assert doc.title == "صدور گذرنامهٔ عادی"
        assert doc.meta["service_code"] == PASSPORT
        assert doc.meta["agency"] == "پلیس مهاجرت و گذرنامه فراجا"
        assert doc.meta["url"] == "https://epolice.ir/passport"
        assert doc.meta["field"] == doc.field
        # the service is matchable from any field: title and aliases are in every text
        for name in ("صدور گذرنامهٔ عادی", "پاسپورت", "گذرنامه"):
            assert name in doc.text
            assert name in doc.passages[0]


@pytest.mark.parametrize(
    ("field", "expected"),
    [
        ("cost", "۵٬۲۰۰٬۰۰۰ ریال"),
        ("duration", "۷ تا ۱۴ روز"),
        ("documents", "مدارک لازم: اصل شناسنامه، اصل کارت ملی\nپیش‌نیازها: نداشتن ممنوعیت خروج"),
        ("steps", "۱. ثبت درخواست\n۲. پرداخت هزینه\n۳. دریافت گذرنامه"),
        ("legal", "مبنای قانونی: قانون گذرنامه مصوب ۱۳۵۱\nاستعلام‌ها: استعلام ثبت احوال"),
    ],
)
def test_each_field_holds_only_what_the_card_says(passport_card, field, expected):
    doc = by_id(service_documents(passport_card, "x"))[f"service:{PASSPORT}:{field}"]
    assert doc.body == expected
    assert doc.meta["answer"] == expected


def test_the_channels_field_lists_address_offices_phone_and_how_electronic(passport_card):
    body = by_id(service_documents(passport_card, "x"))[f"service:{PASSPORT}:channels"].body
    assert "https://epolice.ir/passport" in body
    assert "دفاتر پلیس +۱۰" in body
    assert "۱۱۰" in body
    assert load_texts().values["electronic"]["partial"] in body


def test_free_same_day_and_variable_cards_are_written_plainly():
    cards = {s["code"]: s for s in mini_catalogue().services}
    birth = by_id(service_documents(cards["10101000002"], "x"))
    assert birth["service:10101000002:cost"].body == "رایگان"
    assert birth["service:10101000002:duration"].body == "همان روز"
    card = by_id(service_documents(cards["10101000001"], "x"))
    assert card["service:10101000001:cost"].body == "متغیر. بسته به نوع کارت و کارمزد دفتر"


def test_a_faq_is_one_document_with_each_phrasing_as_a_passage(passport_card):
    faq = mini_catalogue().faqs[0]
    doc = faq_document(faq, passport_card, "پلیس مهاجرت و گذرنامه فراجا")
    assert doc.id == "faq:passport-cost"
    assert doc.kind == "faq"
    assert doc.title == faq["question"]
    assert doc.body == faq["answer"]
    assert doc.passages[: 1 + len(faq["alternatives"])] == (
        faq["question"],
        *faq["alternatives"],
    )
    assert (doc.meta["service_code"], doc.meta["url"]) == (PASSPORT, "https://epolice.ir/passport")


def test_drafts_are_left_out(mini_docs):
    ids = {d.id for d in mini_docs}
    assert "faq:passport-draft" not in ids
    assert {"faq:passport-cost", "faq:national-card-documents"} <= ids
    assert len(ids) == 3 * len(FIELDS) + 2


def test_the_document_set_hash_changes_with_any_text_and_not_with_order(mini_docs):
    digest = documents_digest(mini_docs)
    assert documents_digest(list(reversed(mini_docs))) == digest
    changed = [*mini_docs[:-1], Document.from_json({**mini_docs[-1].to_json(), "body": "x"})]
    assert documents_digest(changed) != digest


def test_documents_survive_a_json_round_trip(mini_docs):
    assert [Document.from_json(json.loads(json.dumps(d.to_json()))) for d in mini_docs] == mini_docs


def test_the_memoised_canonical_form_is_the_shared_normaliser(catalogue_docs):
    """knowledge.index.text.canonical must equal nlu.canonical on everything we index or ask."""
    texts = [t for d in catalogue_docs[::7] for t in (d.title, d.text)]
    texts += [row.query for row in load_queries(EVAL_DIR / "dev.jsonl")]
    texts += ["هزينه پاسپورت چنده", "madarek javaz kasb chie", "مي‌خوام  پاسپورت بگيرم!!"]
    assert [canonical(t) for t in texts] == [nlu_canonical(t) for t in texts]


@pytest.mark.parametrize(
    ("query", "document_text"),
    [
        ("هزينه گذرنامه", "هزینهٔ گذرنامه"),  # Arabic ي, the ezafe hamza
        ("مدارك كارت ملي", "مدارک کارت‌ملی"),  # Arabic ك, a half-space
        ("hazine gozarname", "هزینه گذرنامه"),  # Finglish
        ("پاسپورت چند میشه", "پاسپورت چند می‌شود"),  # spoken → written
        ("مدارکی", "مدارک"),  # lemma
    ],
)
def test_questions_and_documents_meet_in_the_same_terms(query, document_text):
    analyzer = Analyzer()
    assert set(analyzer.analyze(document_text).words) <= set(analyzer.analyze(query).words)


def test_export_corpus_writes_the_catalogue_through_the_same_builder(tmp_path, catalogue_docs):
    out = tmp_path / "corpus.jsonl"
    assert export_corpus.main([str(out)]) == 0
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert {"id", "title", "text"} <= set(rows[0])
    assert load_corpus(out) == catalogue_docs
