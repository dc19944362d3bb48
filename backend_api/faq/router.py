"""FAQ endpoints: public reading of published FAQs, admin curation."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Depends, Query, Response

from backend_api.catalogue.schemas import Page
from backend_api.deps import DbSession
from backend_api.faq import service
from backend_api.faq.schemas import FaqIn, FaqOut
from backend_api.users.deps import ADMIN
from backend_api.users.security import Principal

router = APIRouter(tags=["faq"])


@router.get("/faq", response_model=Page[FaqOut])
def list_published(
    *,
    service_code: str | None = Query(None, alias="service", pattern=r"^\d{11}$"),
    q: str | None = Query(None, max_length=200),
    limit: int = Query(20, ge=1, le=200),
    offset: int = Query(0, ge=0),
    session: DbSession,
) -> Page[FaqOut]:
    """Published FAQs, optionally for one service or matching a phrase."""
    rows, total = service.list_faqs(
        session, service=service_code, text=q, status="published", limit=limit, offset=offset
    )
    return Page[FaqOut](
        items=[service.faq_out(f) for f in rows], total=total, limit=limit, offset=offset
    )


@router.get("/faq/{faq_id}", response_model=FaqOut)
def get_published(*, faq_id: str, session: DbSession) -> FaqOut:
    """One published FAQ."""
    return service.faq_out(service.get_faq(session, faq_id, published_only=True))


@router.get("/admin/faq", response_model=Page[FaqOut])
def list_all(
    *,
    status: Literal["draft", "published"] | None = None,
    q: str | None = Query(None, max_length=200),
    limit: int = Query(50, ge=1, le=500),
    offset: int = Query(0, ge=0),
    _: Principal = Depends(ADMIN),
    session: DbSession,
) -> Page[FaqOut]:
    """Every FAQ including drafts."""
    rows, total = service.list_faqs(
        session, service=None, text=q, status=status, limit=limit, offset=offset
    )
    return Page[FaqOut](
        items=[service.faq_out(f) for f in rows], total=total, limit=limit, offset=offset
    )


@router.post("/admin/faq", response_model=FaqOut, status_code=201)
def create(*, body: FaqIn, actor: Principal = Depends(ADMIN), session: DbSession) -> FaqOut:
    """Create an FAQ (draft or published)."""
    return service.faq_out(service.create_faq(session, actor, body))


@router.put("/admin/faq/{faq_id}", response_model=FaqOut)
def update(
    *,
    faq_id: str,
    body: FaqIn,
    actor: Principal = Depends(ADMIN),
    session: DbSession,
) -> FaqOut:
    """Replace an FAQ; set ``status`` to publish or unpublish it."""
    return service.faq_out(service.update_faq(session, actor, faq_id, body))


@router.delete("/admin/faq/{faq_id}", status_code=204)
def delete(*, faq_id: str, actor: Principal = Depends(ADMIN), session: DbSession) -> Response:
    """Delete an FAQ."""
    service.delete_faq(session, actor, faq_id)
    return Response(status_code=204)
