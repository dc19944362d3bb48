"""Catalogue queries and changes."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from backend_api.audit.service import record_change
from backend_api.catalogue.models import Agency, Cluster, KnowledgeBaseState, Service
from backend_api.catalogue.schemas import (
    AgencyIn,
    ClusterIn,
    ServiceCard,
    ServiceOut,
    ServiceSummary,
)
from backend_api.errors import Conflict, Invalid, NotFound
from backend_api.users.security import Principal
from nlu.normalize import normalize


def bump_kb_version(session: Session) -> int:
    """Increase the knowledge-base version (in the caller's transaction) and return it."""
    state = session.get(KnowledgeBaseState, 1, with_for_update=True)
    if state is None:
        state = KnowledgeBaseState(id=1, version=0)
        session.add(state)
    state.version += 1
    return state.version


def kb_version(session: Session) -> int:
    """The current knowledge-base version (0 before anything was imported)."""
    return session.scalar(select(KnowledgeBaseState.version).where(KnowledgeBaseState.id == 1)) or 0


def card_of(service: Service) -> dict[str, Any]:
    """The service as a card dict (the import/export format)."""
    return ServiceCard(
        code=service.code,
        title=service.title,
        aliases=service.aliases,
        agency=service.agency.code,
        cluster=service.cluster.code,
        description=service.description,
        audience=service.audience,
        prerequisites=service.prerequisites,
        documents=service.documents,
        cost={  # type: ignore[arg-type]
            "kind": service.cost_kind,
            "amount": service.cost_amount,
            "currency": service.cost_currency,
            "note": service.cost_note,
        },
        processing_time={  # type: ignore[arg-type]
            "min_days": service.min_days,
            "max_days": service.max_days,
            "note": service.time_note,
        },
        channels={"url": service.url, "offices": service.offices, "phone": service.phone},  # type: ignore[arg-type]
        steps=service.steps,
        inquiries=service.inquiries,
        legal_basis=service.legal_basis,
        electronic=service.electronic,  # type: ignore[arg-type]
        revised=service.revised,
    ).model_dump(mode="json")


def service_out(service: Service) -> ServiceOut:
    """The API view of a service."""
    return ServiceOut(
        **card_of(service),
        agency_name=service.agency.name,
        cluster_name=service.cluster.name,
        active=service.active,
    )


def summary_of(service: Service) -> ServiceSummary:
    """A short line about a service."""
    return ServiceSummary(
        code=service.code,
        title=service.title,
        agency=service.agency.code,
        agency_name=service.agency.name,
        cluster=service.cluster.code,
        cluster_name=service.cluster.name,
        electronic=service.electronic,
    )


def apply_card(service: Service, card: ServiceCard, agency: Agency, cluster: Cluster) -> None:
    """Copy a validated card onto a service row."""
    service.code = card.code
    service.title = card.title
    service.aliases = list(card.aliases)
    service.agency = agency
    service.cluster = cluster
    service.description = card.description
    service.audience = card.audience
    service.prerequisites = list(card.prerequisites)
    service.documents = list(card.documents)
    service.cost_kind = card.cost.kind
    service.cost_amount = card.cost.amount
    service.cost_currency = card.cost.currency
    service.cost_note = card.cost.note
    service.min_days = card.processing_time.min_days
    service.max_days = card.processing_time.max_days
    service.time_note = card.processing_time.note
    service.url = card.channels.url
    service.offices = list(card.channels.offices)
    service.phone = card.channels.phone
    service.steps = list(card.steps)
    service.inquiries = list(card.inquiries)
    service.legal_basis = list(card.legal_basis)
    service.electronic = card.electronic
    service.revised = card.revised


def list_agencies(session: Session) -> list[Agency]:
    """All agencies by number."""
    return list(session.scalars(select(Agency).order_by(Agency.number)))


def list_clusters(session: Session) -> list[Cluster]:
    """All clusters by code."""
    return list(session.scalars(select(Cluster).order_by(Cluster.id)))


def get_agency(session: Session, code: str) -> Agency:
    """An agency by code, or 404."""
    agency = session.scalar(select(Agency).where(Agency.code == code))
    if agency is None:
        raise NotFound("agency_not_found")
    return agency


def get_cluster(session: Session, code: str) -> Cluster:
    """A cluster by code, or 404."""
    cluster = session.scalar(select(Cluster).where(Cluster.code == code))
    if cluster is None:
        raise NotFound("cluster_not_found")
    return cluster


def get_service(session: Session, code: str, *, include_retired: bool = False) -> Service:
    """A service by its national code, or 404."""
    service = session.scalar(select(Service).where(Service.code == code))
    if service is None or (not service.active and not include_retired):
        raise NotFound("service_not_found")
    return service


def browse_services(
    session: Session,
    *,
    cluster: str | None,
    agency: str | None,
    text: str | None,
    limit: int,
    offset: int,
) -> tuple[list[Service], int]:
    """Active services filtered by cluster, agency and a phrase in the title, aliases or
    description (compared in normalised form, so «پاسپورت» or «كارت ملي» find their cards)."""
    query = select(Service).where(Service.active.is_(True))
    if cluster:
        query = query.where(Service.cluster_id == get_cluster(session, cluster).id)
    if agency:
        query = query.where(Service.agency_id == get_agency(session, agency).id)
    if not text or not text.strip():
        total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
        rows = session.scalars(query.order_by(Service.code).limit(limit).offset(offset))
        return list(rows), total
    # The catalogue is small (hundreds of cards) and aliases live in a JSON column, so the
    # phrase is matched in Python on normalised text rather than with SQL LIKE.
    wanted = normalize(text)
    matches = [
        service
        for service in session.scalars(query.order_by(Service.code))
        if wanted in normalize(" | ".join([service.title, *service.aliases, service.description]))
    ]
    return matches[offset : offset + limit], len(matches)


def upsert_agency(session: Session, actor: Principal, data: AgencyIn) -> Agency:
    """Create or update an agency (admin)."""
    agency = session.scalar(select(Agency).where(Agency.code == data.code))
    before = (
        data.__class__.model_validate(agency, from_attributes=True).model_dump() if agency else None
    )
    clash = session.scalar(
        select(Agency).where(Agency.number == data.number, Agency.code != data.code)
    )
    if clash is not None:
        raise Conflict("agency_number_taken")
    if agency is None:
        agency = Agency(**data.model_dump())
        session.add(agency)
    else:
        for key, value in data.model_dump().items():
            setattr(agency, key, value)
    session.flush()
    record_change(session, actor, "upsert", "agency", data.code, before, data.model_dump())
    bump_kb_version(session)
    return agency


def upsert_cluster(session: Session, actor: Principal, data: ClusterIn) -> Cluster:
    """Create or update a cluster (admin)."""
    cluster = session.scalar(select(Cluster).where(Cluster.code == data.code))
    before = {"code": cluster.code, "name": cluster.name} if cluster else None
    if cluster is None:
        cluster = Cluster(**data.model_dump())
        session.add(cluster)
    else:
        cluster.name = data.name
    session.flush()
    record_change(session, actor, "upsert", "cluster", data.code, before, data.model_dump())
    bump_kb_version(session)
    return cluster


def save_service(
    session: Session, actor: Principal, card: ServiceCard, *, expected_code: str | None
) -> Service:
    """Create (``expected_code`` None) or replace a service card (admin)."""
    if expected_code is not None and card.code != expected_code:
        raise Invalid("service_code_mismatch")
    agency = get_agency(session, card.agency)
    cluster = get_cluster(session, card.cluster)
    existing = session.scalar(select(Service).where(Service.code == card.code))
    if expected_code is None and existing is not None:
        raise Conflict("service_exists")
    if expected_code is not None and existing is None:
        raise NotFound("service_not_found")
    before = card_of(existing) if existing else None
    service = existing or Service()
    apply_card(service, card, agency, cluster)
    service.active = True
    if existing is None:
        session.add(service)
    session.flush()
    record_change(
        session,
        actor,
        "create" if before is None else "update",
        "service",
        card.code,
        before,
        card.model_dump(mode="json"),
    )
    bump_kb_version(session)
    return service


def retire_service(session: Session, actor: Principal, code: str) -> None:
    """Retire a service: it disappears from browsing and search but keeps its history."""
    service = get_service(session, code)
    service.active = False
    record_change(session, actor, "retire", "service", code, {"active": True}, {"active": False})
    bump_kb_version(session)
