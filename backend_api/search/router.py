"""Search endpoint used by the assistant to answer questions about services."""

from __future__ import annotations

import math
from typing import Literal

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel

from backend_api.search.browse import browse, browses
from knowledge.deciding.compose import candidate_label, compose_answer
from knowledge.deciding.decide import Decision
from knowledge.index.documents import Hit
from knowledge.locale import ASKABLE, load_texts
from knowledge.search import SearchResult as KnowledgeResult
from knowledge.search import distinct_answers

router = APIRouter(tags=["search"])


class SearchHit(BaseModel):
    """One result: a FAQ, or a service card (the field of it that best matches the question)."""

    id: str  # faq:<slug> or service:<code>
    kind: str
    title: str
    score: float
    service_code: str
    agency: str
    answer: str  # the FAQ's answer, or the text of the card's matching field
    url: str
    doc_id: str = ""  # the matching document: faq:<slug> or service:<code>:<field>
    field: str = ""  # the card field (about, documents, cost, duration, channels, steps, legal)
    field_label: str = ""
    service_title: str = ""
    reply: str = ""  # the answer to send: service, agency, the field or FAQ answer, link, source
    confidence: float | None = None  # first hit only: P(it is the right answer), calibrated


class Candidate(BaseModel):
    """A "did you mean …?" option (or a near miss, when the outcome is unknown)."""

    id: str
    doc_id: str
    label: str
    service_code: str
    score: float


class AnswerPart(BaseModel):
    """One field of the answer and the reply that gives it (card or FAQ words only)."""

    field: str  # about documents cost duration channels steps legal, or online
    doc_id: str
    kind: str  # service (a card field) or faq
    reply: str


class ServiceOption(BaseModel):
    """A service offered to choose from."""

    code: str
    title: str


class DecisionOut(BaseModel):
    """What to tell the citizen: ``answer`` (send each part's reply; ``options`` are other
    variants of the service to offer), ``clarify`` (ask which of ``options`` was meant) or
    ``unknown`` (say so, log the question for staff, offer a person); ``browse`` lists the
    services (``options``) of the agency or cluster named in ``group``."""

    outcome: Literal["answer", "clarify", "browse", "unknown"]
    service_code: str = ""
    service_title: str = ""
    agency: str = ""
    asked: list[str] = []
    parts: list[AnswerPart] = []
    options: list[ServiceOption] = []
    variants: bool = False
    group: str = ""  # browse: the agency or cluster whose services are listed


class SearchResult(BaseModel):
    """Results with the knowledge-base version they came from and what to do with them.

    ``outcome``: ``answer`` (send the first hit's ``reply``), ``ambiguous`` (ask which of
    ``candidates`` was meant) or ``unknown`` (no hits; hand over to a person). ``confidence`` is
    the calibrated probability that the first hit is right.
    """

    query: str
    kb_version: int
    outcome: str = "unknown"
    confidence: float | None = None
    hits: list[SearchHit]
    candidates: list[Candidate] = []
    decision: DecisionOut | None = None


def public_id(hit: Hit) -> str:
    """The id a caller sees: the FAQ, or the service (whichever field matched)."""
    doc = hit.document
    if doc.kind == "service" and doc.meta.get("service_code"):
        return f"service:{doc.meta['service_code']}"
    return doc.id


def _hit(hit: Hit, confidence: float | None = None) -> SearchHit:
    doc = hit.document
    return SearchHit(
        id=public_id(hit),
        kind=doc.kind,
        title=doc.title,
        score=round(hit.score, 4),
        service_code=doc.meta.get("service_code", ""),
        agency=doc.meta.get("agency", ""),
        answer=doc.meta.get("answer", ""),
        url=doc.meta.get("url", ""),
        doc_id=doc.id,
        field=doc.field,
        field_label=doc.meta.get("field_label", ""),
        service_title=doc.meta.get("service_title", ""),
        reply=compose_answer(doc).text,
        confidence=confidence,
    )


def decision_out(decision: Decision) -> DecisionOut:
    """The API view of a decision, with each part's reply composed from the card or FAQ."""
    first = decision.parts[0].document if decision.parts else None
    meta = first.meta if first is not None else {}
    return DecisionOut(
        outcome=decision.outcome,
        service_code=decision.service,
        service_title=meta.get("service_title", ""),
        agency=meta.get("agency", ""),
        asked=list(decision.asked),
        parts=[
            AnswerPart(
                field=p.field,
                doc_id=p.document.id,
                kind=p.document.kind,
                reply=compose_answer(p.document, online=p.field == "online").text,
            )
            for p in decision.parts
        ],
        options=[ServiceOption(code=o.code, title=o.title) for o in decision.options],
        variants=decision.variants,
    )


def response(result: KnowledgeResult, kb_version: int, limit: int) -> SearchResult:
    """The API view of a search result: one hit per service or FAQ, best first."""
    hits = distinct_answers(result.hits, limit)
    confidence = result.confidence if not math.isnan(result.confidence) else None
    return SearchResult(
        query=result.query,
        kb_version=kb_version,
        outcome=result.outcome,
        confidence=round(confidence, 4) if confidence is not None else None,
        hits=[_hit(h, confidence if i == 0 else None) for i, h in enumerate(hits)],
        candidates=[
            Candidate(
                id=public_id(h),
                doc_id=h.document.id,
                label=candidate_label(h.document),
                service_code=h.document.meta.get("service_code", ""),
                score=round(h.score, 4),
            )
            for h in result.candidates
        ],
        decision=decision_out(result.decision) if result.decision is not None else None,
    )


@router.get("/search", response_model=SearchResult)
def search(
    request: Request,
    q: str = Query(..., min_length=1, max_length=500),
    limit: int = Query(5, ge=1, le=50),
    service: str = Query("", pattern=r"^(\d{11})?$", description="answer about this service"),
    fields: str = Query(
        "", max_length=100, description="comma-separated fields to answer (with service)"
    ),
) -> SearchResult:
    """Find service cards and FAQs for a question and decide what to tell the citizen:
    answer (the service first, then the fields asked), ask which service, or say it is not
    known. With ``service``, answer about that service (a choice or a follow-up)."""
    index = request.app.state.search_index
    if hasattr(index, "use_data_dir"):
        index.use_data_dir(request.app.state.settings.data_dir)
    # several fields of one card may match: look deeper, then keep one hit per service
    wanted = [f for f in fields.split(",") if f in ASKABLE]
    result, version = index.query(q, min(limit * 7, 100), service=service, fields=wanted)
    out = response(result, version, limit)
    asked = bool(result.decision and result.decision.asked)
    reading = result.reading
    texts = load_texts()
    if not service and not asked and reading is not None and browses(reading.text, texts):
        with request.app.state.session_factory() as session:
            found = browse(session, reading.search_text, texts)
        if found is not None and found.services:
            out.decision = DecisionOut(
                outcome="browse",
                group=found.name,
                options=[ServiceOption(code=c, title=t) for c, t in found.services],
            )
    return out
