"""Curating the synonym lexicon: the base file's entries and the admins' additions."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from backend_api.audit.service import record_change
from backend_api.catalogue.service import bump_kb_version
from backend_api.errors import NotFound
from backend_api.lexicon.models import Synonym
from backend_api.lexicon.schemas import SynonymIn, SynonymOut
from backend_api.users.security import Principal
from knowledge.ranking.lexicon import base_synonyms
from nlu.normalize import normalize


def admin_synonyms(session: Session) -> dict[str, str]:
    """The admins' synonyms: phrase → meaning."""
    return {s.phrase: s.meaning for s in session.scalars(select(Synonym).order_by(Synonym.phrase))}


def list_synonyms(session: Session) -> list[SynonymOut]:
    """Every synonym in force, the base ones first (an admin entry overrides a base one)."""
    admin = admin_synonyms(session)
    base = [
        SynonymOut(phrase=p, meaning=m, source="base")
        for p, m in base_synonyms().items()
        if normalize(p) not in admin
    ]
    return base + [SynonymOut(phrase=p, meaning=m, source="admin") for p, m in admin.items()]


def save_synonym(session: Session, actor: Principal, data: SynonymIn) -> SynonymOut:
    """Add or replace an admin synonym; the search index is rebuilt (no retrain)."""
    phrase, meaning = normalize(data.phrase), normalize(data.meaning)
    row = session.scalar(select(Synonym).where(Synonym.phrase == phrase))
    before = {"phrase": row.phrase, "meaning": row.meaning} if row else None
    if row is None:
        row = Synonym(phrase=phrase, meaning=meaning, author=actor.username)
        session.add(row)
    else:
        row.meaning = meaning
    session.flush()
    after = {"phrase": phrase, "meaning": meaning}
    record_change(
        session, actor, "update" if before else "create", "synonym", phrase, before, after
    )
    bump_kb_version(session)
    return SynonymOut(phrase=phrase, meaning=meaning, source="admin")


def delete_synonym(session: Session, actor: Principal, phrase: str) -> None:
    """Remove an admin synonym."""
    row = session.scalar(select(Synonym).where(Synonym.phrase == normalize(phrase)))
    if row is None:
        raise NotFound("synonym_not_found")
    before = {"phrase": row.phrase, "meaning": row.meaning}
    session.delete(row)
    record_change(session, actor, "delete", "synonym", row.phrase, before, None)
    bump_kb_version(session)
