"""Catalogue endpoints: public browsing, admin curation."""

from __future__ import annotations

from fastapi import APIRouter, Query, Response

from backend_api.catalogue import service
from backend_api.catalogue.schemas import (
    AgencyIn,
    AgencyOut,
    ClusterIn,
    ClusterOut,
    ServiceCard,
    ServiceOut,
    ServiceSummary,
)
from backend_api.common.paging import Page, PublicSlice
from backend_api.deps import DbSession
from backend_api.errors import Invalid
from backend_api.users.deps import Admin

router = APIRouter(tags=["catalogue"])


def _same_code(path_code: str, body: AgencyIn | ClusterIn) -> None:
    # the URL names what is written: a body about another code is refused, never a rename
    if body.code != path_code:
        raise Invalid("code_mismatch")


@router.get("/catalogue/agencies", response_model=list[AgencyOut])
def agencies(*, session: DbSession) -> list[AgencyOut]:
    """All agencies."""
    return [AgencyOut.model_validate(a) for a in service.list_agencies(session)]


@router.get("/catalogue/clusters", response_model=list[ClusterOut])
def clusters(*, session: DbSession) -> list[ClusterOut]:
    """All service clusters."""
    return [ClusterOut.model_validate(c) for c in service.list_clusters(session)]


@router.get("/catalogue/services", response_model=Page[ServiceSummary])
def services(
    *,
    cluster: str | None = Query(None, max_length=64),
    agency: str | None = Query(None, max_length=64),
    q: str | None = Query(None, max_length=200),
    window: PublicSlice,
    session: DbSession,
) -> Page[ServiceSummary]:
    """Browse services by cluster and agency, or filter by a phrase in the title."""
    rows, total = service.browse_services(
        session, cluster=cluster, agency=agency, text=q, limit=window.limit, offset=window.offset
    )
    return Page[ServiceSummary].of([service.summary_of(s) for s in rows], total, window)


@router.get("/catalogue/services/{code}", response_model=ServiceOut)
def service_card(*, code: str, session: DbSession) -> ServiceOut:
    """One service ID card."""
    return service.service_out(service.get_service(session, code))


@router.put("/admin/agencies/{code}", response_model=AgencyOut)
def put_agency(*, code: str, body: AgencyIn, actor: Admin, session: DbSession) -> AgencyOut:
    """Create or update an agency."""
    _same_code(code, body)
    return AgencyOut.model_validate(service.upsert_agency(session, actor, body))


@router.put("/admin/clusters/{code}", response_model=ClusterOut)
def put_cluster(*, code: str, body: ClusterIn, actor: Admin, session: DbSession) -> ClusterOut:
    """Create or update a cluster."""
    _same_code(code, body)
    return ClusterOut.model_validate(service.upsert_cluster(session, actor, body))


@router.post("/admin/services", response_model=ServiceOut, status_code=201)
def create_service(*, body: ServiceCard, actor: Admin, session: DbSession) -> ServiceOut:
    """Add a service card."""
    return service.service_out(service.save_service(session, actor, body, expected_code=None))


@router.put("/admin/services/{code}", response_model=ServiceOut)
def replace_service(
    *, code: str, body: ServiceCard, actor: Admin, session: DbSession
) -> ServiceOut:
    """Replace a service card (re-activates a retired one)."""
    return service.service_out(service.save_service(session, actor, body, expected_code=code))


@router.delete("/admin/services/{code}", status_code=204)
def retire_service(*, code: str, actor: Admin, session: DbSession) -> Response:
    """Retire a service card."""
    service.retire_service(session, actor, code)
    return Response(status_code=204)
