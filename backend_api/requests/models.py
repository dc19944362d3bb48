"""Service request tables: requests, their workflow events and attachments."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from backend_api.catalogue.models import Service
from backend_api.common.filing import FiledOnce
from backend_api.db import Base, utcnow


class ServiceRequest(FiledOnce, Base):
    """A citizen's request for a service, identified publicly by its tracking code."""

    __tablename__ = "service_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    tracking_code: Mapped[str] = mapped_column(String(10), unique=True)
    service_id: Mapped[int] = mapped_column(ForeignKey("services.id"), index=True)
    full_name: Mapped[str] = mapped_column(String(200))
    national_code: Mapped[str] = mapped_column(String(10), index=True)
    mobile: Mapped[str] = mapped_column(String(11), index=True)
    description: Mapped[str] = mapped_column(Text, default="")
    channel: Mapped[str] = mapped_column(String(32), default="web")
    sender_id: Mapped[str] = mapped_column(String(200), default="")
    status: Mapped[str] = mapped_column(String(32), index=True)
    estimated_completion: Mapped[dt.date] = mapped_column(Date)
    cost_kind: Mapped[str] = mapped_column(String(16))
    cost_amount: Mapped[int | None] = mapped_column(Integer, nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    service: Mapped[Service] = relationship(lazy="joined")
    events: Mapped[list[RequestEvent]] = relationship(
        back_populates="request", order_by="RequestEvent.id", cascade="all, delete-orphan"
    )
    attachments: Mapped[list[Attachment]] = relationship(
        back_populates="request", order_by="Attachment.id", cascade="all, delete-orphan"
    )


class RequestEvent(Base):
    """One step of a request's workflow: who moved it to which status, when and why."""

    __tablename__ = "request_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("service_requests.id"), index=True)
    status: Mapped[str] = mapped_column(String(32))
    actor: Mapped[str] = mapped_column(String(100))
    note: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    request: Mapped[ServiceRequest] = relationship(back_populates="events")


class Attachment(Base):
    """A file the citizen attached to a request; the bytes live under the data folder."""

    __tablename__ = "attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("service_requests.id"), index=True)
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    stored_name: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    request: Mapped[ServiceRequest] = relationship(back_populates="attachments")
