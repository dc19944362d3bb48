"""Synonym request and response bodies."""

from __future__ import annotations

from pydantic import BaseModel, Field


class SynonymIn(BaseModel):
    """A colloquial phrase and the catalogue words it means."""

    phrase: str = Field(min_length=2, max_length=120)
    meaning: str = Field(min_length=2, max_length=200)


class SynonymOut(SynonymIn):
    """A stored synonym (``source``: ``base`` from data/, ``admin`` from the database)."""

    source: str
