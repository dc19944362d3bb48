"""Feedback tables: satisfaction ratings, complaints and suggestions."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from backend_api.catalogue.models import Agency, Service
from backend_api.common.filing import FiledOnce
from backend_api.db import Base, utcnow


class Rating(Base):
    """A satisfaction score (1–5) for a completed request or for a service; one per request."""

    __tablename__ = "ratings"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int | None] = mapped_column(
        ForeignKey("service_requests.id"), unique=True, nullable=True
    )
    service_id: Mapped[int] = mapped_column(ForeignKey("services.id"), index=True)
    score: Mapped[int] = mapped_column(Integer)
    comment: Mapped[str] = mapped_column(Text, default="")
    channel: Mapped[str] = mapped_column(String(32), default="web")
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    service: Mapped[Service] = relationship(lazy="joined")


class Complaint(FiledOnce, Base):
    """A complaint or suggestion about a service or an agency, with its own tracking code."""

    __tablename__ = "complaints"

    id: Mapped[int] = mapped_column(primary_key=True)
    tracking_code: Mapped[str] = mapped_column(String(10), unique=True)
    kind: Mapped[str] = mapped_column(String(16))
    service_id: Mapped[int | None] = mapped_column(ForeignKey("services.id"), nullable=True)
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id"), nullable=True)
    text: Mapped[str] = mapped_column(Text)
    national_code: Mapped[str] = mapped_column(String(10), default="")
    mobile: Mapped[str] = mapped_column(String(11), default="")
    channel: Mapped[str] = mapped_column(String(32), default="web")
    sender_id: Mapped[str] = mapped_column(String(200), default="")
    status: Mapped[str] = mapped_column(String(32), default="new", index=True)
    response: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    service: Mapped[Service | None] = relationship(lazy="joined")
    agency: Mapped[Agency | None] = relationship(lazy="joined")
