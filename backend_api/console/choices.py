"""What the console's select boxes offer: services and agencies, within the user's agencies."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from backend_api.catalogue.models import Agency, Service
from backend_api.catalogue.service import list_agencies


def services(session: Session, scope: frozenset[int] | None = None) -> list[Service]:
    """Services by code, of the agencies in ``scope`` (None: every agency)."""
    query = select(Service).order_by(Service.code)
    if scope is not None:
        query = query.where(Service.agency_id.in_(scope))
    return list(session.scalars(query))


def agencies(session: Session, scope: frozenset[int] | None = None) -> list[Agency]:
    """Agencies in ``scope`` (None: every agency)."""
    return [a for a in list_agencies(session) if scope is None or a.id in scope]
