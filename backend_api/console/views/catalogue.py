"""Admin: agencies, clusters and service ID cards; catalogue import and export."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, File, Form, Request, Response, UploadFile
from pydantic import ValidationError

from backend_api.catalogue.schemas import AgencyIn, ClusterIn, ServiceCard
from backend_api.catalogue.service import (
    card_of,
    get_service,
    list_agencies,
    list_clusters,
    retire_service,
    save_service,
    upsert_agency,
    upsert_cluster,
)
from backend_api.console import choices
from backend_api.console.catalogue_io import export_csv_zip, export_xlsx, import_file
from backend_api.console.deps import AdminChange, AdminUser
from backend_api.console.excel import XLSX_TYPE
from backend_api.console.formatting import jalali_date, parse_jalali
from backend_api.console.forms import lines, optional_int, problems, refusal
from backend_api.console.web import ConsoleRoute, api_messages, redirect, render, texts
from backend_api.deps import DbSession
from backend_api.errors import ApiError

router = APIRouter(route_class=ConsoleRoute)
MAX_UPLOAD = 10 * 1024 * 1024
LIST_FIELDS = ("aliases", "prerequisites", "documents", "steps", "inquiries", "legal_basis")


def _page(request: Request, session: DbSession, **extra: Any) -> Response:
    services = choices.services(session)
    context = {
        "agencies": list_agencies(session),
        "clusters": list_clusters(session),
        "services": services,
        "report": None,
        "errors": [],
        **extra,
    }
    return render(request, "catalogue.html", context, extra.get("status", 200))


@router.get("/catalogue")
def catalogue(request: Request, user: AdminUser, session: DbSession) -> Response:
    """Agencies, clusters, services, and the import/export forms."""
    return _page(request, session)


@router.post("/catalogue/agencies")
def save_agency(
    request: Request,
    user: AdminChange,
    session: DbSession,
    code: str = Form("", max_length=64),
    number: str = Form("", max_length=3),
    name: str = Form("", max_length=200),
    website: str = Form("", max_length=300),
    phone: str = Form("", max_length=50),
) -> Response:
    """Create or update an agency."""
    raw = {
        "code": code.strip(),
        "number": number.strip(),
        "name": name.strip(),
        "website": website.strip(),
        "phone": phone.strip(),
    }
    try:
        upsert_agency(session, user.principal, AgencyIn.model_validate(raw))
    except ValidationError as exc:
        return _page(request, session, errors=problems(exc, api_messages(request)), status=422)
    return redirect("/console/catalogue", msg="saved")


@router.post("/catalogue/clusters")
def save_cluster(
    request: Request,
    user: AdminChange,
    session: DbSession,
    code: str = Form("", max_length=64),
    name: str = Form("", max_length=200),
) -> Response:
    """Create or update a cluster."""
    try:
        data = ClusterIn.model_validate({"code": code.strip(), "name": name.strip()})
    except ValidationError as exc:
        return _page(request, session, errors=problems(exc, api_messages(request)), status=422)
    upsert_cluster(session, user.principal, data)
    return redirect("/console/catalogue", msg="saved")


def _card_form(card: dict[str, Any]) -> dict[str, Any]:
    """A card as the editor's fields (lists one per line, the revision date in Jalali)."""
    revised = card.get("revised")
    return {
        **card,
        "revised_jalali": jalali_date(dt.date.fromisoformat(revised)) if revised else "",
    }


def _editor(
    request: Request,
    session: DbSession,
    card: dict[str, Any],
    *,
    new: bool,
    errors: list[str],
    status: int = 200,
) -> Response:
    context = {
        "c": card,
        "new": new,
        "errors": errors,
        "agencies": list_agencies(session),
        "clusters": list_clusters(session),
        "electronic": texts().section("electronic"),
        "cost_kinds": texts().section("cost_kinds"),
    }
    return render(request, "service_edit.html", context, status)


@router.get("/catalogue/services/new")
def new_service(request: Request, user: AdminUser, session: DbSession) -> Response:
    """An empty service card."""
    blank: dict[str, Any] = {
        "code": "",
        "title": "",
        "agency": "",
        "cluster": "",
        "description": "",
        "audience": "",
        "cost": {"kind": "free", "amount": None, "note": ""},
        "processing_time": {"min_days": 0, "max_days": 0, "note": ""},
        "channels": {"url": "", "offices": [], "phone": ""},
        "electronic": "full",
        "revised": dt.date.today().isoformat(),
        **{f: [] for f in LIST_FIELDS},
    }
    return _editor(request, session, _card_form(blank), new=True, errors=[])


@router.get("/catalogue/services/{code}")
def edit_service(code: str, request: Request, user: AdminUser, session: DbSession) -> Response:
    """The editor of a service card, every field."""
    service = get_service(session, code, include_retired=True)
    card = _card_form(card_of(service))
    card["active"] = service.active
    return _editor(request, session, card, new=False, errors=[])


@router.post("/catalogue/services/{code}")
async def save_service_card(
    code: str, request: Request, user: AdminChange, session: DbSession
) -> Response:
    """Create (``code`` is «new») or replace a service card."""
    form = await request.form()

    def field(name: str) -> str:
        value = form.get(name, "")
        return value.strip()[:20000] if isinstance(value, str) else ""

    amount = optional_int(field("cost_amount"))
    card: dict[str, Any] = {
        "code": field("code") if code == "new" else code,
        "title": field("title"),
        "agency": field("agency"),
        "cluster": field("cluster"),
        "description": field("description"),
        "audience": field("audience"),
        "cost": {"kind": field("cost_kind"), "amount": amount, "note": field("cost_note")},
        "processing_time": {
            "min_days": field("min_days") or "0",
            "max_days": field("max_days") or "0",
            "note": field("time_note"),
        },
        "channels": {
            "url": field("url"),
            "offices": lines(field("offices")),
            "phone": field("phone"),
        },
        "electronic": field("electronic"),
        **{f: lines(field(f)) for f in LIST_FIELDS},
    }
    errors: list[str] = []
    try:
        card["revised"] = (parse_jalali(field("revised")) or dt.date.today()).isoformat()
    except ValueError:
        errors.append(texts().get("errors", "invalid_date"))
        card["revised"] = dt.date.today().isoformat()
    try:
        valid = ServiceCard.model_validate(card)
    except ValidationError as exc:
        errors += problems(exc, api_messages(request))
        valid = None
    if errors or valid is None:
        return _editor(
            request, session, _card_form(card), new=code == "new", errors=errors, status=422
        )
    try:
        save_service(session, user.principal, valid, expected_code=None if code == "new" else code)
    except ApiError as exc:
        errors, status = refusal(exc, api_messages(request))
        return _editor(
            request, session, _card_form(card), new=code == "new", errors=errors, status=status
        )
    return redirect(f"/console/catalogue/services/{valid.code}", msg="saved")


@router.post("/catalogue/services/{code}/retire")
def retire(code: str, user: AdminChange, session: DbSession) -> Response:
    """Retire a service: out of browsing and search, history kept."""
    retire_service(session, user.principal, code)
    return redirect(f"/console/catalogue/services/{code}", msg="saved")


@router.get("/catalogue/export.xlsx")
def export_workbook(user: AdminUser, session: DbSession) -> Response:
    """The catalogue as an Excel workbook in the import format."""
    return Response(
        export_xlsx(session),
        media_type=XLSX_TYPE,
        headers={"Content-Disposition": 'attachment; filename="dastyar-catalogue.xlsx"'},
    )


@router.get("/catalogue/export.zip")
def export_csv(user: AdminUser, session: DbSession) -> Response:
    """The catalogue as the importer's CSV files, zipped."""
    return Response(
        export_csv_zip(session),
        media_type="application/zip",
        headers={"Content-Disposition": 'attachment; filename="dastyar-catalogue-csv.zip"'},
    )


@router.post("/catalogue/import")
async def import_catalogue(
    request: Request,
    user: AdminChange,
    session: DbSession,
    file: UploadFile = File(...),
    dry_run: str = Form("", max_length=2),
) -> Response:
    """Import an xlsx or CSV file; every problem is listed by sheet and row, nothing is written
    unless all rows are valid."""
    content = await file.read(MAX_UPLOAD + 1)
    if not content:
        return _page(request, session, errors=[texts().get("errors", "empty_file")], status=422)
    if len(content) > MAX_UPLOAD:
        return _page(
            request, session, errors=[api_messages(request).text("payload_too_large")], status=413
        )
    report = import_file(
        session, user.principal, file.filename or "upload", content, dry_run=dry_run == "1"
    )
    if report.problems:
        return _page(request, session, report=report, status=422)
    counts = ",".join(f"{k}:{v}" for k, v in report.counts.items())
    return redirect(
        "/console/catalogue", msg="dry_run_ok" if report.dry_run else "imported", counts=counts
    )
