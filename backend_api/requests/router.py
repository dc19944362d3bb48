"""Service request endpoints: citizens (through the assistant) file and look up; staff decide."""

from __future__ import annotations

from fastapi import APIRouter, File, Form, UploadFile

from backend_api.common.paging import StaffSlice
from backend_api.common.schemas import CitizenProof
from backend_api.deps import AppSettings, DbSession, Guard, Idempotent, Messages
from backend_api.requests import service
from backend_api.requests.schemas import (
    AttachmentOut,
    Receipt,
    RequestCreate,
    RequestView,
    StaffRequestView,
    Transition,
)
from backend_api.requests.workflow import Status
from backend_api.users.deps import Assistant, Staff
from shared.settings import ATTACHMENT_TYPES

router = APIRouter(tags=["requests"])


@router.post("/requests", response_model=Receipt, status_code=201)
def file_request(
    *, body: RequestCreate, filing: Idempotent, _: Assistant, session: DbSession
) -> Receipt:
    """File a request; send an ``Idempotency-Key`` header so a retry never files twice."""
    req = filing.answered(service.file_request(session, body, filing.key))
    return service.receipt_of(req)


@router.post("/requests/lookup", response_model=RequestView)
def lookup(*, body: CitizenProof, _: Assistant, session: DbSession, guard: Guard) -> RequestView:
    """A request and its history, given its tracking code and the national code or mobile."""
    return service.view_of(service.find_for_citizen(session, body, guard))


@router.post("/requests/attachments", response_model=AttachmentOut, status_code=201)
async def attach(
    *,
    tracking_code: str = Form(..., max_length=30),
    national_code: str | None = Form(None, max_length=30),
    mobile: str | None = Form(None, max_length=30),
    file: UploadFile = File(...),
    _: Assistant,
    session: DbSession,
    settings: AppSettings,
    guard: Guard,
    texts: Messages,
) -> AttachmentOut:
    """Attach a PDF, JPEG or PNG file to a request."""
    proof = CitizenProof.model_validate(
        {"tracking_code": tracking_code, "national_code": national_code, "mobile": mobile}
    )
    req = service.find_for_citizen(session, proof, guard)
    content = await file.read(settings.max_attachment_bytes + 1)
    attachment = service.add_attachment(
        session,
        req,
        filename=file.filename or "file",
        content_type=(file.content_type or "").lower(),
        content=content,
        folder=settings.attachments_dir,
        allowed=ATTACHMENT_TYPES,
        max_bytes=settings.max_attachment_bytes,
        max_count=settings.max_attachments_per_request,
        texts=texts,
    )
    return AttachmentOut.model_validate(attachment)


@router.get("/staff/requests", response_model=list[StaffRequestView])
def staff_list(
    *, status: Status | None = None, window: StaffSlice, _: Staff, session: DbSession
) -> list[StaffRequestView]:
    """Requests, newest first, optionally in one status."""
    rows = service.list_requests(session, status, window.limit, window.offset)
    return [service.staff_view_of(r) for r in rows]


@router.get("/staff/requests/{tracking_code}", response_model=StaffRequestView)
def staff_get(*, tracking_code: str, _: Staff, session: DbSession) -> StaffRequestView:
    """One request with contact details."""
    return service.staff_view_of(service.get_by_code(session, tracking_code))


@router.post("/staff/requests/{tracking_code}/transitions", response_model=StaffRequestView)
def staff_transition(
    *, tracking_code: str, body: Transition, actor: Staff, session: DbSession, texts: Messages
) -> StaffRequestView:
    """Move a request to its next status; the citizen is notified."""
    return service.staff_view_of(service.transition(session, actor, tracking_code, body, texts))
