"""Org chart tables: posts within agencies and the staff who belong to them."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from backend_api.catalogue.models import Agency
from backend_api.db import Base, utcnow
from backend_api.users.models import User


class Post(Base):
    """A position within an agency (e.g. «کارشناس صدور گذرنامه»), optionally under another."""

    __tablename__ = "org_posts"

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("org_posts.id"), nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    agency: Mapped[Agency] = relationship(lazy="joined")


class Membership(Base):
    """A staff account's place in one agency, optionally in one of its posts."""

    __tablename__ = "org_memberships"
    __table_args__ = (UniqueConstraint("user_id", "agency_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)
    post_id: Mapped[int | None] = mapped_column(ForeignKey("org_posts.id"), nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship(lazy="joined")
    agency: Mapped[Agency] = relationship(lazy="joined")
    post: Mapped[Post | None] = relationship(lazy="joined")
