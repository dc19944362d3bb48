"""Synonym endpoints: admins extend the lexicon of service names without a retrain."""

from __future__ import annotations

from fastapi import APIRouter, Query, Response

from backend_api.deps import DbSession
from backend_api.lexicon import service
from backend_api.lexicon.schemas import SynonymIn, SynonymOut
from backend_api.users.deps import Admin

router = APIRouter(tags=["lexicon"])


@router.get("/admin/synonyms", response_model=list[SynonymOut])
def list_all(*, _: Admin, session: DbSession) -> list[SynonymOut]:
    """Every synonym in force (base file and admin entries)."""
    return service.list_synonyms(session)


@router.post("/admin/synonyms", response_model=SynonymOut, status_code=201)
def save(*, body: SynonymIn, actor: Admin, session: DbSession) -> SynonymOut:
    """Add or replace a synonym; the search uses it after the next index rebuild (seconds)."""
    return service.save_synonym(session, actor, body)


@router.delete("/admin/synonyms", status_code=204)
def delete(
    *, phrase: str = Query(min_length=1, max_length=120), actor: Admin, session: DbSession
) -> Response:
    """Remove an admin synonym (base ones are edited in data/lexicons/)."""
    service.delete_synonym(session, actor, phrase)
    return Response(status_code=204)
