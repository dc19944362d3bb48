"""Synonym table: the admin-added part of the service-name lexicon (the base is in ``data/``)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from backend_api.db import Base, utcnow


class Synonym(Base):
    """A colloquial phrase and the catalogue words it means («پاسپورت» → «گذرنامه»)."""

    __tablename__ = "synonyms"

    id: Mapped[int] = mapped_column(primary_key=True)
    phrase: Mapped[str] = mapped_column(String(120), unique=True)
    meaning: Mapped[str] = mapped_column(String(200))
    author: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
