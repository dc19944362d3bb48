"""Paging for list endpoints: one way to ask for a slice of rows, one shape of a page."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Generic, Self, TypeVar

from fastapi import Depends, Query
from pydantic import BaseModel

T = TypeVar("T")


@dataclass(frozen=True)
class Slice:
    """Which rows of a list the caller asked for."""

    limit: int
    offset: int


class Page(BaseModel, Generic[T]):
    """A page of results."""

    items: list[T]
    total: int
    limit: int
    offset: int

    @classmethod
    def of(cls, items: list[T], total: int, window: Slice) -> Self:
        """The page holding ``items`` out of ``total``, for the slice asked for."""
        return cls(items=items, total=total, limit=window.limit, offset=window.offset)


async def first_row(offset: int = Query(0, ge=0)) -> int:
    """How many rows to skip."""
    return offset


Offset = Annotated[int, Depends(first_row)]


async def public_slice(limit: int = Query(20, ge=1, le=200), *, offset: Offset) -> Slice:
    """A slice of a public list: small pages."""
    return Slice(limit, offset)


async def staff_limit(limit: int = Query(50, ge=1, le=500)) -> int:
    """How many rows of a staff or admin list to return: larger pages than public ones."""
    return limit


StaffLimit = Annotated[int, Depends(staff_limit)]


async def staff_slice(limit: StaffLimit, offset: Offset) -> Slice:
    """A slice of a staff or admin list."""
    return Slice(limit, offset)


PublicSlice = Annotated[Slice, Depends(public_slice)]
StaffSlice = Annotated[Slice, Depends(staff_slice)]
