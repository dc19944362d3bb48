"""Console tables: sign-in sessions, failed sign-ins, request referrals and ignore rules."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from backend_api.db import Base, utcnow


class ConsoleSession(Base):
    """A signed-in browser; the cookie holds a random token, the table only its hash."""

    __tablename__ = "console_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    username: Mapped[str] = mapped_column(String(100), index=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column()


class LoginFailures(Base):
    """Recent failed sign-ins of one username, and until when it is locked out."""

    __tablename__ = "console_login_failures"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(100), unique=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    first_failure_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    locked_until: Mapped[dt.datetime | None] = mapped_column(nullable=True)


class Referral(Base):
    """A request handed to a colleague or a post, kept apart from the citizen-visible history."""

    __tablename__ = "request_referrals"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("service_requests.id"), index=True)
    from_user: Mapped[str] = mapped_column(String(100))
    to_user: Mapped[str] = mapped_column(String(100), default="", index=True)
    post_id: Mapped[int | None] = mapped_column(ForeignKey("org_posts.id"), nullable=True)
    note: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class IgnoreRule(Base):
    """A normalised phrase: unresolved questions containing it are junk and stay hidden."""

    __tablename__ = "unresolved_ignore_rules"

    id: Mapped[int] = mapped_column(primary_key=True)
    phrase: Mapped[str] = mapped_column(String(300), unique=True)
    author: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
