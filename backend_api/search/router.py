"""Search endpoint used by the assistant to answer questions about services."""

from __future__ import annotations

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel

router = APIRouter(tags=["search"])


class SearchHit(BaseModel):
    """One result."""

    id: str
    kind: str
    title: str
    score: float
    service_code: str
    agency: str
    answer: str
    url: str


class SearchResult(BaseModel):
    """Results with the knowledge-base version they came from."""

    query: str
    kb_version: int
    hits: list[SearchHit]


@router.get("/search", response_model=SearchResult)
def search(
    request: Request,
    q: str = Query(..., min_length=1, max_length=500),
    limit: int = Query(5, ge=1, le=50),
) -> SearchResult:
    """Find service cards and FAQs matching a question."""
    index = request.app.state.search_index
    hits = index.search(q, limit)
    return SearchResult(
        query=q,
        kb_version=index.version,
        hits=[
            SearchHit(
                id=h.document.id,
                kind=h.document.kind,
                title=h.document.title,
                score=round(h.score, 4),
                service_code=h.document.meta.get("service_code", ""),
                agency=h.document.meta.get("agency", ""),
                answer=h.document.meta.get("answer", ""),
                url=h.document.meta.get("url", ""),
            )
            for h in hits
        ],
    )
