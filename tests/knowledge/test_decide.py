"""Deciding what to say: the service first, then the fields — on made-up rankings, and on the
sample catalogue with new sentences of each failure kind issue 13 found."""

from __future__ import annotations

import pytest

from knowledge.deciding.asks import AskedFields
from knowledge.deciding.decide import Families, decide
from knowledge.index.documents import Document, Hit
from knowledge.locale import load_texts

TEXTS = load_texts()
ASKED = AskedFields.from_texts(TEXTS)
FAMILIES = Families(
    frozenset(TEXTS.variant_words),
    frozenset(TEXTS.generic_heads),
    frozenset(TEXTS.base_variant_words),
)


def card(code: str, title: str, field: str) -> Document:
    meta = {"service_code": code, "service_title": title, "service_names": title}
    return Document(f"service:{code}:{field}", "", title, "service", meta, field)


DOCS = {
    d.id: d
    for code, title in [
        ("1", "صدور گذرنامه عادی"),
        ("2", "تمدید گذرنامه"),
        ("3", "صدور المثنی گذرنامه"),
        ("4", "صدور کارت ملی هوشمند"),
    ]
    for field in ("about", "documents", "cost", "duration", "channels", "steps", "legal")
    for d in [card(code, title, field)]
}


def hits(*ids_scores: tuple[str, float]) -> list[Hit]:
    return [Hit(DOCS[i], s) for i, s in ids_scores]


def field_of(doc: Document) -> str:
    return doc.field


def run(question: str, outcome: str, ranking: list[Hit]):
    return decide(question, outcome, 0.5, ranking, ASKED, FAMILIES, field_of, DOCS.get)  # type: ignore[arg-type]


def test_several_fields_of_one_service_are_one_piece_of_evidence():
    ranking = hits(("service:2:documents", 1.0), ("service:2:cost", 0.98), ("service:4:cost", 0.7))
    decision = run("هزینه و مدارک تمدید پاسپورت", "answer", ranking)
    assert (decision.outcome, decision.service, decision.fields) == (
        "answer",
        "2",
        ("cost", "documents"),
    )


def test_the_asked_field_is_answered_even_below_another_field_of_the_card():
    ranking = hits(("service:2:documents", 1.0), ("service:2:about", 0.9))
    decision = run("تمدید پاسپورت چند درمیاد", "answer", ranking)
    assert [p.document.id for p in decision.parts] == ["service:2:cost"]  # looked up


def test_doubt_between_variants_answers_the_first_and_offers_the_others():
    ranking = hits(("service:1:cost", 1.0), ("service:2:cost", 0.95), ("service:3:cost", 0.9))
    decision = run("هزینه پاسپورت", "ambiguous", ranking)
    assert (decision.outcome, decision.service, decision.variants) == ("answer", "1", True)
    assert [o.code for o in decision.options] == ["2", "3"]


def test_doubt_between_unrelated_services_asks_which_and_lists_only_close_ones():
    ranking = hits(("service:1:cost", 1.0), ("service:4:cost", 0.95), ("service:2:cost", 0.5))
    decision = run("هزینه کارت", "ambiguous", ranking)
    assert decision.outcome == "clarify"
    assert [o.code for o in decision.options] == ["1", "4"]  # «2» is far behind


def test_a_named_variant_is_preferred_among_close_services_of_its_family():
    ranking = hits(("service:1:cost", 1.0), ("service:3:cost", 0.95), ("service:4:cost", 0.9))
    decision = run("هزینه المثنی پاسپورت", "answer", ranking)
    assert decision.service == "3"


def test_only_services_are_offered_to_choose_from():
    general = Document("faq:office-hours", "", "ساعت کاری دفاتر", "faq", {})
    ranking = [Hit(general, 1.0), *hits(("service:4:cost", 0.95))]
    decision = run("ساعت کاری", "ambiguous", ranking)
    assert (decision.outcome, decision.service) == ("answer", "")  # the general FAQ itself


def test_unknown_stays_unknown():
    assert run("قیمت دلار", "unknown", hits(("service:1:cost", 1.0))).outcome == "unknown"


def test_variant_families_come_from_the_titles():
    assert FAMILIES.key("صدور گذرنامهٔ عادی") == FAMILIES.key("تمدید گذرنامه")
    assert FAMILIES.key("صدور کارت ملی هوشمند") != FAMILIES.key("صدور کارت بازرگانی")
    assert FAMILIES.variants_named("تمدید پاسپورت") == {"تمدید"}
    assert not FAMILIES.variants_named("صدور پاسپورت")  # a first issue names no variant


# --- the sample catalogue: one table per failure kind of issue 13, in new sentences ----------

CASES = {
    # 1. a "did you mean" although the evidence is plain
    "plain evidence": [
        ("برای کارت ملی هوشمند بچه‌م چیا لازمه؟", "10101000001", {"documents"}),
        ("المثنی شناسنامه چی لازم داره", "10101000005", {"documents"}),
        ("کارت ملی هوشمند رو کجا میدن", "10101000001", {"channels"}),
    ],
    # 2. "I don't know" for a service that is in the catalogue
    "answerable": [
        ("pelak mashin avaz kardan chand dar miad", "10303000004", {"cost"}),
        ("معاینه فنی ماشین چند درمیاد", "10903000007", {"cost"}),
    ],
    # 3. the wrong field
    "field": [
        ("تمدید پاسپورت چقدر وقت میبره", "10202000002", {"duration"}),
        ("کارت بازرگانی چند تموم میشه", "11009000003", {"cost"}),
        ("هزینه و مدارک صدور کارت ملی هوشمند چیه؟", "10101000001", {"cost", "documents"}),
    ],
    # 2b. a story around the question: its asking part is read again, and names the fields
    "story": [
        (
            "من تو یه نانوایی کار میکنم و صاحب کارم گیر داده. کارت بهداشت رو چطوری بگیرم؟",
            "12006000006",
            {"steps"},
        ),
        (
            "ما یه خونه کلنگی تو محله قدیمی داشتیم که خراب کردیم و داریم از نو میسازیم، بنا هم"
            " گرفتیم. پروانه ساختمان رو چطوری بگیریم؟",
            "10908000001",
            {"steps"},
        ),
        (
            "بابام هفتاد سالشه و تازگیا قند و فشارش بالا رفته و هر ماه کلی خرج دکتر داریم."
            " ثبت‌نام بیمه سلامت همگانی براش چه مدارکی میخواد؟",
            "10606000001",
            {"documents"},
        ),
    ],
    # 5. typos in the key word
    "typos": [
        ("حظینه تمدید گواهینامه", "10303000002", {"cost"}),
        ("مدارک لاظم برای تمدید گواحینامه", "10303000002", {"documents"}),
        ("مراحل گرفطن پاصپورت", "10202000001", {"steps"}),
    ],
}


@pytest.mark.parametrize(
    ("question", "service", "fields"),
    [case for cases in CASES.values() for case in cases],
)
def test_questions_of_each_failure_kind_are_answered(searchers, question, service, fields):
    decision = searchers["hybrid"].search(question, 10).decision
    assert decision is not None
    assert decision.outcome == "answer", decision
    assert decision.service == service
    assert set(decision.fields) == fields
