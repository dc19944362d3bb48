"""Open data: per-service figures for anyone, with no personal data (JSON, CSV, a page)."""

from __future__ import annotations

import csv
import io
import time
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse

from backend_api.console import reports
from backend_api.console.web import ConsoleRoute, render
from backend_api.deps import DbSession

router = APIRouter(route_class=ConsoleRoute, prefix="/open-data", include_in_schema=False)
FIELDS = (
    "service_code",
    "service_title",
    "agency",
    "requests",
    "completed",
    "on_time_rate",
    "mean_rating",
    "ratings",
)
CACHE_SECONDS = 300.0
PUBLIC_CACHE = "public, max-age=300"


def _figures(request: Request, session: DbSession) -> list[dict[str, Any]]:
    hit = getattr(request.app.state, "console_open_data", None)
    if hit and time.monotonic() - hit[0] < CACHE_SECONDS:
        return list(hit[1])
    rows = reports.open_data(session)
    request.app.state.console_open_data = (time.monotonic(), rows)
    return rows


@router.get("")
def page(request: Request, session: DbSession) -> Response:
    """The open-data page."""
    response = render(request, "open_data.html", {"rows": _figures(request, session)})
    response.headers["Cache-Control"] = PUBLIC_CACHE
    return response


@router.get("/services.json")
def as_json(request: Request, session: DbSession) -> Response:
    """Per-service figures as JSON."""
    return JSONResponse(
        {"fields": list(FIELDS), "services": _figures(request, session)},
        headers={"Cache-Control": PUBLIC_CACHE},
    )


@router.get("/services.csv")
def as_csv(request: Request, session: DbSession) -> Response:
    """Per-service figures as CSV (UTF-8 with a BOM, so spreadsheet programs read Persian)."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.DictWriter(out, fieldnames=FIELDS)
    writer.writeheader()
    for row in _figures(request, session):
        writer.writerow({k: "" if row[k] is None else row[k] for k in FIELDS})

    return Response(
        out.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": 'attachment; filename="dastyar-services.csv"',
            "Cache-Control": PUBLIC_CACHE,
        },
    )
