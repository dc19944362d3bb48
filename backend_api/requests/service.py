"""Filing requests, looking them up and moving them through the workflow."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import uuid
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from backend_api.audit.service import record_change
from backend_api.catalogue.service import get_service
from backend_api.common.calendar import citizen_today
from backend_api.common.codes import REQUEST_PREFIXES, new_tracking_code
from backend_api.common.filing import file_once
from backend_api.common.guard import LookupGuard
from backend_api.common.schemas import CitizenProof
from backend_api.errors import ApiError, Conflict, Invalid, MessageCatalogue, NotFound
from backend_api.notifications.service import notify_status_change
from backend_api.requests import workflow
from backend_api.requests.models import Attachment, RequestEvent, ServiceRequest
from backend_api.requests.schemas import (
    Receipt,
    RequestCreate,
    RequestView,
    StaffRequestView,
    Transition,
)
from backend_api.users.security import Principal
from nlu.digits import to_persian_digits
from nlu.identifiers import format_tracking_code, mask_national_code
from nlu.jalali import format_jalali

logger = logging.getLogger(__name__)

FRIDAY = 4
_MAGIC = {
    "application/pdf": (b"%PDF-",),
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/png": (b"\x89PNG\r\n\x1a\n",),
}


def add_working_days(start: dt.date, days: int) -> dt.date:
    """The date ``days`` working days after ``start`` (Fridays are the weekly holiday)."""
    current = start
    remaining = days
    while remaining > 0:
        current += dt.timedelta(days=1)
        if current.weekday() != FRIDAY:
            remaining -= 1
    return current


def receipt_of(req: ServiceRequest) -> Receipt:
    """The receipt of a request."""
    return Receipt(
        tracking_code=req.tracking_code,
        tracking_code_display=format_tracking_code(req.tracking_code),
        service_code=req.service.code,
        service_title=req.service.title,
        agency_name=req.service.agency.name,
        status=req.status,  # type: ignore[arg-type]
        created_at=req.created_at,
        estimated_completion=req.estimated_completion,
        estimated_completion_jalali=format_jalali(req.estimated_completion),
        cost_kind=req.cost_kind,
        cost_amount=req.cost_amount,
        cost_note=req.service.cost_note,
    )


def view_of(req: ServiceRequest) -> RequestView:
    """The request with its history."""
    return RequestView(
        **receipt_of(req).model_dump(),
        full_name=req.full_name,
        description=req.description,
        channel=req.channel,
        events=req.events,  # type: ignore[arg-type]
        attachments=req.attachments,  # type: ignore[arg-type]
    )


def staff_view_of(req: ServiceRequest) -> StaffRequestView:
    """The request with contact details, for staff."""
    return StaffRequestView(
        **view_of(req).model_dump(),
        national_code=req.national_code,
        mobile=req.mobile,
        sender_id=req.sender_id,
    )


def file_request(
    session: Session, data: RequestCreate, idempotency_key: str | None
) -> tuple[ServiceRequest, bool]:
    """File a request; return it and whether it was filed now (False: a retry's first one)."""

    def build() -> ServiceRequest:
        service = get_service(session, data.service_code)
        # the promised date is on the citizen's calendar, as the console judges lateness
        promised = add_working_days(citizen_today(), service.max_days)
        req = ServiceRequest(
            tracking_code=new_tracking_code(REQUEST_PREFIXES),
            service=service,
            full_name=data.full_name.strip(),
            national_code=data.national_code,
            mobile=data.mobile,
            description=data.description.strip(),
            channel=data.channel,
            sender_id=data.sender_id,
            status=workflow.SUBMITTED,
            estimated_completion=promised,
            cost_kind=service.cost_kind,
            cost_amount=service.cost_amount,
        )
        req.events.append(RequestEvent(status=workflow.SUBMITTED, actor="citizen", note=""))
        return req

    req, created = file_once(session, ServiceRequest, data, idempotency_key, build)
    if created:
        logger.info(
            "request %s filed for service %s by %s",
            req.tracking_code,
            req.service.code,
            mask_national_code(req.national_code),
        )
    return req, created


def find_for_citizen(session: Session, proof: CitizenProof, guard: LookupGuard) -> ServiceRequest:
    """The request matching the tracking code and the identity given, else 404.

    A wrong identity answers exactly like an unknown code, so codes cannot be probed; repeated
    wrong guesses at a code or with an identity are refused for a while (429).
    """
    keys = guard.keys(
        proof.tracking_code, proof.national_code or proof.mobile or "", proof.sender_id
    )
    guard.check(keys)
    # History and attachments come in the same query: the caller shows them, and lazy loads
    # would cost two more round trips on the busiest citizen-facing call.
    req = (
        session.scalars(
            select(ServiceRequest)
            .where(ServiceRequest.tracking_code == proof.tracking_code)
            .options(joinedload(ServiceRequest.events), joinedload(ServiceRequest.attachments))
        )
        .unique()
        .first()
    )
    if (
        req is None
        or (proof.national_code and req.national_code != proof.national_code)
        or (proof.mobile and req.mobile != proof.mobile)
    ):
        guard.failed(keys)
        raise NotFound("request_not_found")
    return req


def get_by_code(session: Session, tracking_code: str) -> ServiceRequest:
    """A request by tracking code (staff), else 404."""
    req = session.scalar(
        select(ServiceRequest).where(ServiceRequest.tracking_code == tracking_code)
    )
    if req is None:
        raise NotFound("request_not_found")
    return req


def list_requests(
    session: Session, status: str | None, limit: int, offset: int
) -> list[ServiceRequest]:
    """Requests for staff, newest first."""
    query = select(ServiceRequest).order_by(ServiceRequest.id.desc())
    if status:
        query = query.where(ServiceRequest.status == status)
    return list(session.scalars(query.limit(limit).offset(offset)).unique())


def transition(
    session: Session,
    actor: Principal,
    tracking_code: str,
    change: Transition,
    texts: MessageCatalogue,
) -> ServiceRequest:
    """Move a request to a new status, record the event and audit, and queue a notification."""
    req = get_by_code(session, tracking_code)
    if not workflow.can_move(req.status, change.status):
        labels = texts.section("statuses")
        raise Conflict(
            "invalid_transition",
            current=labels.get(req.status, req.status),
            target=labels.get(change.status, change.status),
        )
    before = {"status": req.status}
    req.status = change.status
    event = RequestEvent(status=change.status, actor=actor.username, note=change.note)
    req.events.append(event)
    session.flush()
    record_change(
        session,
        actor,
        "transition",
        "request",
        req.tracking_code,
        before,
        {"status": change.status, "note": change.note},
    )
    notify_status_change(session, req, event, texts)
    return req


def _readable_size(size: int, units: dict[str, str]) -> str:
    """A size in Persian digits with the unit that fits («۵ مگابایت», «۶۴ کیلوبایت»)."""
    if size >= 1024 * 1024 and size % (1024 * 1024) == 0:
        return f"{to_persian_digits(str(size // (1024 * 1024)))} {units.get('megabyte', 'MB')}"
    return f"{to_persian_digits(str(max(size // 1024, 1)))} {units.get('kilobyte', 'KB')}"


def _sniff(content_type: str, head: bytes) -> bool:
    return any(head.startswith(magic) for magic in _MAGIC.get(content_type, ()))


def add_attachment(
    session: Session,
    req: ServiceRequest,
    *,
    filename: str,
    content_type: str,
    content: bytes,
    folder: Path,
    allowed: tuple[str, ...],
    max_bytes: int,
    max_count: int,
    texts: MessageCatalogue,
) -> Attachment:
    """Store a file for a request after checking its type (by content, not name) and size."""
    if len(content) > max_bytes:
        size = _readable_size(max_bytes, texts.section("units"))
        raise ApiError(413, "attachment_too_large", size=size)
    if not content:
        raise Invalid("attachment_empty")
    if content_type not in allowed or not _sniff(content_type, content[:16]):
        raise ApiError(415, "attachment_type_not_allowed")
    if len(req.attachments) >= max_count:
        raise Conflict("too_many_attachments", limit=max_count)
    if req.status in workflow.CLOSED:
        raise Conflict("request_closed")
    folder.mkdir(parents=True, exist_ok=True)
    stored_name = uuid.uuid4().hex
    (folder / stored_name).write_bytes(content)
    attachment = Attachment(
        filename=Path(filename or "file").name[:255],
        content_type=content_type,
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        stored_name=stored_name,
    )
    req.attachments.append(attachment)
    session.flush()
    return attachment
