"""Paging for the console's lists: which page was asked for, and what the pager partial shows."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Query

from backend_api.console.deps import Settings


@dataclass(frozen=True)
class PageRequest:
    """Page ``number`` (from 1) of a list shown ``size`` rows at a time."""

    number: int
    size: int

    @property
    def offset(self) -> int:
        """Rows before this page."""
        return (self.number - 1) * self.size

    @property
    def probe(self) -> int:
        """Rows to fetch: one more than shown tells whether another page follows."""
        return self.size + 1

    def context(self, rows: Sequence[Any], total: int | None = None) -> dict[str, Any]:
        """The template's ``rows``, ``page``, ``has_next`` and ``total`` (None when unknown:
        then ``rows`` were fetched with ``probe``)."""
        if total is None:
            has_next, rows = len(rows) > self.size, rows[: self.size]
        else:
            has_next = self.number * self.size < total
        return {"rows": rows, "page": self.number, "has_next": has_next, "total": total}


async def page_request(settings: Settings, page: int = Query(1, ge=1, le=100000)) -> PageRequest:
    """The ``?page=`` asked for, at the console's page size."""
    return PageRequest(page, settings.page_size)


Paged = Annotated[PageRequest, Depends(page_request)]
