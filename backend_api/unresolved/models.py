"""Unresolved questions: what the assistant could not answer, for staff to review."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from backend_api.db import Base, utcnow


class UnresolvedQuestion(Base):
    """A citizen question the assistant could not answer with confidence."""

    __tablename__ = "unresolved_questions"

    id: Mapped[int] = mapped_column(primary_key=True)
    question: Mapped[str] = mapped_column(Text)
    channel: Mapped[str] = mapped_column(String(32), default="web")
    conversation_id: Mapped[str] = mapped_column(String(200), default="")
    candidates: Mapped[list[dict[str, Any]]] = mapped_column(default=list)
    status: Mapped[str] = mapped_column(String(16), default="new", index=True)
    answer: Mapped[str] = mapped_column(Text, default="")
    faq_id: Mapped[int | None] = mapped_column(ForeignKey("faqs.id"), nullable=True)
    handled_by: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)
