"""A one-time code sent to a mobile, and the verification it gives one conversation."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from backend_api.db import Base, utcnow


class MobileProof(Base):
    """One attempt of a conversation to prove a mobile: a code sent by SMS (``kind`` "code"),
    or a contact the messaging platform vouched for ("contact").

    Neither the mobile nor the code is stored: both are keyed hashes, so a copy of the table
    tells nobody whose mobile it was or which code was sent.
    """

    __tablename__ = "mobile_proofs"
    __table_args__ = (Index("ix_mobile_proofs_sender_mobile", "sender_id", "mobile_hash"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), default="code")
    mobile_hash: Mapped[str] = mapped_column(String(64), index=True)
    sender_id: Mapped[str] = mapped_column(String(200))
    channel: Mapped[str] = mapped_column(String(32), default="web")
    nonce: Mapped[str] = mapped_column(String(32), default="")
    code_hash: Mapped[str] = mapped_column(String(64), default="")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    expires_at: Mapped[dt.datetime] = mapped_column()
    verified_until: Mapped[dt.datetime | None] = mapped_column(nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)
