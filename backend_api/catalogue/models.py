"""Catalogue tables."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from backend_api.db import Base, utcnow


class Agency(Base):
    """An executive agency (دستگاه اجرایی)."""

    __tablename__ = "agencies"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    number: Mapped[str] = mapped_column(String(3), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    website: Mapped[str] = mapped_column(String(300), default="")
    phone: Mapped[str] = mapped_column(String(50), default="")


class Cluster(Base):
    """A service cluster (خوشه خدمت)."""

    __tablename__ = "clusters"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))


class Service(Base):
    """A government service ID card."""

    __tablename__ = "services"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(11), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    aliases: Mapped[list[str]] = mapped_column(default=list)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)
    cluster_id: Mapped[int] = mapped_column(ForeignKey("clusters.id"), index=True)
    description: Mapped[str] = mapped_column(Text)
    audience: Mapped[str] = mapped_column(Text, default="")
    prerequisites: Mapped[list[str]] = mapped_column(default=list)
    documents: Mapped[list[str]] = mapped_column(default=list)
    cost_kind: Mapped[str] = mapped_column(String(16))
    cost_amount: Mapped[int | None] = mapped_column(Integer, nullable=True)
    cost_currency: Mapped[str] = mapped_column(String(3), default="IRR")
    cost_note: Mapped[str] = mapped_column(Text, default="")
    min_days: Mapped[int] = mapped_column(Integer, default=0)
    max_days: Mapped[int] = mapped_column(Integer, default=0)
    time_note: Mapped[str] = mapped_column(Text, default="")
    url: Mapped[str] = mapped_column(String(300), default="")
    offices: Mapped[list[str]] = mapped_column(default=list)
    phone: Mapped[str] = mapped_column(String(50), default="")
    steps: Mapped[list[str]] = mapped_column(default=list)
    inquiries: Mapped[list[str]] = mapped_column(default=list)
    legal_basis: Mapped[list[str]] = mapped_column(default=list)
    electronic: Mapped[str] = mapped_column(String(8))
    revised: Mapped[dt.date] = mapped_column(Date)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    agency: Mapped[Agency] = relationship(lazy="joined")
    cluster: Mapped[Cluster] = relationship(lazy="joined")


class KnowledgeBaseState(Base):
    """One row: the knowledge-base version, bumped on every catalogue or FAQ change.

    Search indexes compare it with the version they were built from and rebuild when behind.
    """

    __tablename__ = "kb_state"

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)
