"""Search endpoint used by the assistant to answer questions about services."""

from __future__ import annotations

import math

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel

from knowledge.compose import candidate_label, compose_answer
from knowledge.documents import Hit
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
    )


@router.get("/search", response_model=SearchResult)
def search(
    request: Request,
    q: str = Query(..., min_length=1, max_length=500),
    limit: int = Query(5, ge=1, le=50),
) -> SearchResult:
    """Find service cards and FAQs for a question; say whether to answer, ask or hand over."""
    index = request.app.state.search_index
    if hasattr(index, "use_data_dir"):
        index.use_data_dir(request.app.state.settings.data_dir)
    # several fields of one card may match: look deeper, then keep one hit per service
    result, version = index.query(q, min(limit * 7, 100))
    return response(result, version, limit)
