"""FAQ endpoints: public reading of published FAQs, admin curation."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Query, Response

from backend_api.common.paging import Page, PublicSlice, StaffSlice
from backend_api.deps import DbSession
from backend_api.faq import service
from backend_api.faq.schemas import FaqIn, FaqOut
from backend_api.users.deps import Admin

router = APIRouter(tags=["faq"])


@router.get("/faq", response_model=Page[FaqOut])
def list_published(
    *,
    service_code: str | None = Query(None, alias="service", pattern=r"^\d{11}$"),
    q: str | None = Query(None, max_length=200),
    window: PublicSlice,
    session: DbSession,
) -> Page[FaqOut]:
    """Published FAQs, optionally for one service or matching a phrase."""
    rows, total = service.list_faqs(
        session,
        service=service_code,
        text=q,
        status="published",
        limit=window.limit,
        offset=window.offset,
    )
    return Page[FaqOut].of([service.faq_out(f) for f in rows], total, window)


@router.get("/faq/{faq_id}", response_model=FaqOut)
def get_published(*, faq_id: str, session: DbSession) -> FaqOut:
    """One published FAQ."""
    return service.faq_out(service.get_faq(session, faq_id, published_only=True))


@router.get("/admin/faq", response_model=Page[FaqOut])
def list_all(
    *,
    status: Literal["draft", "published"] | None = None,
    q: str | None = Query(None, max_length=200),
    window: StaffSlice,
    _: Admin,
    session: DbSession,
) -> Page[FaqOut]:
    """Every FAQ including drafts."""
    rows, total = service.list_faqs(
        session, service=None, text=q, status=status, limit=window.limit, offset=window.offset
    )
    return Page[FaqOut].of([service.faq_out(f) for f in rows], total, window)


@router.post("/admin/faq", response_model=FaqOut, status_code=201)
def create(*, body: FaqIn, actor: Admin, session: DbSession) -> FaqOut:
    """Create an FAQ (draft or published)."""
    return service.faq_out(service.create_faq(session, actor, body))


@router.put("/admin/faq/{faq_id}", response_model=FaqOut)
def update(*, faq_id: str, body: FaqIn, actor: Admin, session: DbSession) -> FaqOut:
    """Replace an FAQ; set ``status`` to publish or unpublish it."""
    return service.faq_out(service.update_faq(session, actor, faq_id, body))


@router.delete("/admin/faq/{faq_id}", status_code=204)
def delete(*, faq_id: str, actor: Admin, session: DbSession) -> Response:
    """Delete an FAQ."""
    service.delete_faq(session, actor, faq_id)
    return Response(status_code=204)
