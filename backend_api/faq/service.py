"""FAQ queries and changes."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session

from backend_api.audit.service import record_change
from backend_api.catalogue.service import bump_kb_version, get_service
from backend_api.errors import Conflict, Invalid, NotFound
from backend_api.faq.models import Faq
from backend_api.faq.schemas import FaqIn, FaqOut
from backend_api.unresolved.models import UnresolvedQuestion
from backend_api.users.security import Principal


def faq_in_of(faq: Faq) -> FaqIn:
    """The FAQ in the import/export format."""
    return FaqIn(
        id=faq.slug,
        service=faq.service.code if faq.service else "",
        question=faq.question,
        alternatives=faq.alternatives,
        answer=faq.answer,
        tags=faq.tags,
        status=faq.status,  # type: ignore[arg-type]
    )


def faq_out(faq: Faq) -> FaqOut:
    """The API view of an FAQ."""
    return FaqOut(
        **faq_in_of(faq).model_dump(),
        service_title=faq.service.title if faq.service else "",
        author=faq.author,
        created_at=faq.created_at,
        updated_at=faq.updated_at,
    )


def apply_faq(session: Session, faq: Faq, data: FaqIn) -> None:
    """Copy validated FAQ fields onto a row (the linked service must exist)."""
    faq.slug = data.id
    faq.service = get_service(session, data.service, include_retired=True) if data.service else None
    faq.question = data.question
    faq.alternatives = list(data.alternatives)
    faq.answer = data.answer
    faq.tags = list(data.tags)
    faq.status = data.status


def get_faq(session: Session, slug: str, *, published_only: bool) -> Faq:
    """An FAQ by id, or 404 (drafts are invisible to the public)."""
    faq = session.scalar(select(Faq).where(Faq.slug == slug))
    if faq is None or (published_only and faq.status != "published"):
        raise NotFound("faq_not_found")
    return faq


def list_faqs(
    session: Session,
    *,
    service: str | None,
    text: str | None,
    status: str | None,
    limit: int,
    offset: int,
) -> tuple[list[Faq], int]:
    """FAQs filtered by linked service, status and a substring of question or answer."""
    query = select(Faq)
    if status:
        query = query.where(Faq.status == status)
    if service:
        query = query.where(Faq.service_id == get_service(session, service).id)
    if text:
        pattern = f"%{text.strip()}%"
        query = query.where(or_(Faq.question.ilike(pattern), Faq.answer.ilike(pattern)))
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(query.order_by(Faq.slug).limit(limit).offset(offset))
    return list(rows), total


def create_faq(session: Session, actor: Principal, data: FaqIn) -> Faq:
    """Create an FAQ."""
    if session.scalar(select(Faq.id).where(Faq.slug == data.id)) is not None:
        raise Conflict("faq_exists")
    faq = Faq(author=actor.username)
    apply_faq(session, faq, data)
    session.add(faq)
    session.flush()
    record_change(session, actor, "create", "faq", data.id, None, data.model_dump())
    bump_kb_version(session)
    return faq


def update_faq(session: Session, actor: Principal, slug: str, data: FaqIn) -> Faq:
    """Replace an FAQ's content (its id cannot change)."""
    if data.id != slug:
        raise Invalid("faq_id_mismatch")
    faq = get_faq(session, slug, published_only=False)
    before: dict[str, Any] = faq_in_of(faq).model_dump()
    apply_faq(session, faq, data)
    record_change(session, actor, "update", "faq", slug, before, data.model_dump())
    bump_kb_version(session)
    return faq


def delete_faq(session: Session, actor: Principal, slug: str) -> None:
    """Delete an FAQ."""
    faq = get_faq(session, slug, published_only=False)
    before = faq_in_of(faq).model_dump()
    # Questions it answered keep their answer text but no longer point at the FAQ.
    session.execute(
        update(UnresolvedQuestion).where(UnresolvedQuestion.faq_id == faq.id).values(faq_id=None)
    )
    session.delete(faq)
    record_change(session, actor, "delete", "faq", slug, before, None)
    bump_kb_version(session)
