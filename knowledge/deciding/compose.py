"""Writing the answer to a citizen from a hit: only the card's or the FAQ's own text.

Pure functions over a :class:`~knowledge.index.documents.Document`; the Persian phrasing comes from
the templates in ``data/locale/knowledge.fa.yaml``. The answer names the service and its agency,
gives the field asked about (or the FAQ's answer), links the e-service and says where the answer
came from. Nothing is added that the card or FAQ does not say.
"""

from __future__ import annotations

from dataclasses import dataclass

from knowledge.index.documents import Document
from knowledge.locale import Texts, load_texts
from nlu.digits import to_persian_digits


@dataclass(frozen=True)
class Answer:
    """A composed answer and the parts it was made of."""

    text: str
    service: str  # service title ("" for a general FAQ)
    agency: str
    field: str  # card field, or "faq"
    label: str  # how the field is named
    body: str  # the card field's text or the FAQ's answer
    url: str
    source: str


def _fill(template: str, **values: str) -> str:
    return template.format(**values).strip() if template else ""


def compose_answer(
    document: Document, texts: Texts | None = None, *, online: bool = False
) -> Answer:
    """The answer a citizen gets for ``document`` (``online``: a channels field answering
    whether the service can be done online, so it is named that way)."""
    texts = texts or load_texts()
    meta = document.meta
    service = meta.get("service_title", "")
    agency = meta.get("agency", "")
    url = meta.get("url", "")
    body = document.body or meta.get("answer", "")
    templates = texts.answer
    if document.kind == "service":
        field = document.field or meta.get("field", "")
        label = meta.get("field_label") or texts.labels.get(field, "")
        if online:
            label = texts.online_label or label
        heading = _fill(templates["heading"], label=label, service=service, agency=agency)
        source = _fill(
            templates["source_card"],
            service=service,
            code=to_persian_digits(meta.get("service_code", "")),
            revised=to_persian_digits(meta.get("revised", "")),
        )
    else:
        field, label = "faq", texts.faq_label
        key = "faq_heading" if service else "faq_general_heading"
        heading = _fill(templates[key], service=service, agency=agency)
        source = _fill(templates["source_faq"], question=meta.get("question", document.title))
    link = _fill(templates["link"], url=url) if url and url not in body else ""
    text = "\n".join(part for part in (heading, body, link, source) if part)
    return Answer(text, service, agency, field, label, body, url, source)


def candidate_label(document: Document, texts: Texts | None = None) -> str:
    """A short label for a "did you mean …?" option."""
    texts = texts or load_texts()
    if document.kind == "service":
        label = document.meta.get("field_label") or texts.labels.get(document.field, "")
        return _fill(
            texts.answer["candidate"], label=label, service=document.meta.get("service_title", "")
        )
    return _fill(
        texts.answer["faq_candidate"], question=document.meta.get("question", document.title)
    )


def did_you_mean(documents: list[Document], texts: Texts | None = None) -> tuple[str, list[str]]:
    """The "did you mean" prompt and one label per candidate."""
    texts = texts or load_texts()
    return texts.answer["did_you_mean"], [candidate_label(d, texts) for d in documents]
