"""Admin: the FAQ list with search and filters, the editor, draft/publish/retire."""

from __future__ import annotations

from typing import Literal, get_args

from fastapi import APIRouter, Form, Query, Request, Response
from pydantic import ValidationError

from backend_api.console import choices
from backend_api.console.deps import AdminChange, AdminUser
from backend_api.console.forms import lines, refusal
from backend_api.console.paging import Paged
from backend_api.console.web import ConsoleRoute, api_messages, redirect, render
from backend_api.deps import DbSession
from backend_api.errors import ApiError
from backend_api.faq.schemas import FaqIn, FaqStatus
from backend_api.faq.service import create_faq, faq_in_of, get_faq, list_faqs, update_faq

router = APIRouter(route_class=ConsoleRoute)
STATUSES = get_args(FaqStatus)
_EVERY = 100000  # a tag filter reads the whole (small) FAQ table


@router.get("/faqs")
def faq_list(
    request: Request,
    user: AdminUser,
    session: DbSession,
    paged: Paged,
    q: str = Query("", max_length=200),
    service: str = Query("", pattern=r"^(\d{11})?$"),
    tag: str = Query("", max_length=60),
    status: Literal["", FaqStatus] = Query(""),
) -> Response:
    """FAQs filtered by text, service, tag and status."""
    # a tag filter reads every match and pages in Python; without one the database pages
    rows, total = list_faqs(
        session,
        service=service or None,
        text=q or None,
        status=status or None,
        limit=_EVERY if tag else paged.size,
        offset=0 if tag else paged.offset,
    )
    if tag:
        tagged = [f for f in rows if tag in f.tags]
        rows, total = tagged[paged.offset : paged.offset + paged.size], len(tagged)
    services = choices.services(session)
    return render(
        request,
        "faqs.html",
        {
            **paged.context(rows, total),
            "filters": {"q": q, "service": service, "tag": tag, "status": status},
            "services": services,
            "all": STATUSES,
        },
    )


def _editor(
    request: Request,
    session: DbSession,
    data: dict,
    *,
    new: bool,
    errors: list[str],
    status: int = 200,
) -> Response:
    services = choices.services(session)
    context = {"f": data, "new": new, "errors": errors, "services": services, "all": STATUSES}
    return render(request, "faq_edit.html", context, status)


@router.get("/faqs/new")
def new_faq(request: Request, user: AdminUser, session: DbSession) -> Response:
    """An empty FAQ editor."""
    blank = {
        "id": "",
        "service": "",
        "question": "",
        "alternatives": [],
        "answer": "",
        "tags": [],
        "status": "draft",
    }
    return _editor(request, session, blank, new=True, errors=[])


@router.get("/faqs/{slug}")
def edit_faq(slug: str, request: Request, user: AdminUser, session: DbSession) -> Response:
    """The editor of one FAQ."""
    faq = get_faq(session, slug, published_only=False)
    return _editor(request, session, faq_in_of(faq).model_dump(), new=False, errors=[])


def _form_data(
    slug: str, service: str, question: str, alternatives: str, answer: str, tags: str, status: str
) -> dict:
    return {
        "id": slug.strip(),
        "service": service.strip(),
        "question": question.strip(),
        "alternatives": lines(alternatives),
        "answer": answer.strip(),
        "tags": [t.strip() for t in tags.replace("،", ",").split(",") if t.strip()],
        "status": status,
    }


@router.post("/faqs/{slug}")
def save_faq(
    slug: str,
    request: Request,
    user: AdminChange,
    session: DbSession,
    new_slug: str = Form("", alias="id", max_length=120),
    service: str = Form("", max_length=11),
    question: str = Form("", max_length=1000),
    alternatives: str = Form("", max_length=40000),
    answer: str = Form("", max_length=4000),
    tags: str = Form("", max_length=2000),
    status: str = Form("draft", max_length=16),
) -> Response:
    """Create (``slug`` is «new») or update an FAQ; the change is live at once (kb version)."""
    is_new = slug == "new"
    data = _form_data(
        new_slug if is_new else slug, service, question, alternatives, answer, tags, status
    )
    try:
        valid = FaqIn.model_validate(data)
        if is_new:
            create_faq(session, user.principal, valid)
        else:
            update_faq(session, user.principal, slug, valid)
    except (ValidationError, ApiError) as exc:
        if isinstance(exc, ApiError) and exc.status == 404 and not is_new:
            raise
        errors, http_status = refusal(exc, api_messages(request))
        return _editor(request, session, data, new=is_new, errors=errors, status=http_status)
    return redirect(f"/console/faqs/{valid.id}", msg="saved")


@router.post("/faqs/{slug}/status")
def set_status(
    slug: str,
    user: AdminChange,
    session: DbSession,
    status: FaqStatus = Form(...),
) -> Response:
    """Draft, publish or retire an FAQ."""
    faq = get_faq(session, slug, published_only=False)
    data = faq_in_of(faq)
    data.status = status
    update_faq(session, user.principal, slug, data)
    return redirect(f"/console/faqs/{slug}", msg="faq_retired" if status == "retired" else "saved")
