"""Admin: the FAQ list with search and filters, the editor, draft/publish/retire."""

from __future__ import annotations

from fastapi import APIRouter, Form, Query, Request, Response
from pydantic import ValidationError
from sqlalchemy import select

from backend_api.catalogue.models import Service
from backend_api.console.deps import AdminChange, AdminUser, Settings
from backend_api.console.forms import lines, problems
from backend_api.console.web import ConsoleRoute, api_messages, redirect, render
from backend_api.deps import DbSession
from backend_api.errors import ApiError
from backend_api.faq.schemas import FaqIn
from backend_api.faq.service import create_faq, faq_in_of, get_faq, list_faqs, update_faq

router = APIRouter(route_class=ConsoleRoute)
STATUSES = ("draft", "published", "retired")
_EVERY = 100000  # a tag filter reads the whole (small) FAQ table


@router.get("/faqs")
def faq_list(
    request: Request,
    user: AdminUser,
    session: DbSession,
    settings: Settings,
    q: str = Query("", max_length=200),
    service: str = Query("", pattern=r"^(\d{11})?$"),
    tag: str = Query("", max_length=60),
    status: str = Query("", pattern="^(|draft|published|retired)$"),
    page: int = Query(1, ge=1, le=100000),
) -> Response:
    """FAQs filtered by text, service, tag and status."""
    size = settings.page_size
    if tag:
        every, _ = list_faqs(
            session,
            service=service or None,
            text=q or None,
            status=status or None,
            limit=_EVERY,
            offset=0,
        )
        tagged = [f for f in every if tag in f.tags]
        rows, total = tagged[(page - 1) * size : page * size], len(tagged)
    else:
        rows, total = list_faqs(
            session,
            service=service or None,
            text=q or None,
            status=status or None,
            limit=size,
            offset=(page - 1) * size,
        )
    services = list(session.scalars(select(Service).order_by(Service.code)))
    return render(
        request,
        "faqs.html",
        {
            "rows": rows,
            "total": total,
            "page": page,
            "has_next": page * size < total,
            "filters": {"q": q, "service": service, "tag": tag, "status": status},
            "services": services,
            "all": STATUSES,
            "query": request.query_params,
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
    services = list(session.scalars(select(Service).order_by(Service.code)))
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
    except ValidationError as exc:
        return _editor(
            request,
            session,
            data,
            new=is_new,
            errors=problems(exc, api_messages(request)),
            status=422,
        )
    except ApiError as exc:
        if exc.status == 404 and not is_new:
            raise
        message = api_messages(request).text(exc.code, **exc.params)
        return _editor(request, session, data, new=is_new, errors=[message], status=exc.status)
    return redirect(f"/console/faqs/{valid.id}", msg="saved")


@router.post("/faqs/{slug}/status")
def set_status(
    slug: str,
    user: AdminChange,
    session: DbSession,
    status: str = Form(..., pattern="^(draft|published|retired)$"),
) -> Response:
    """Draft, publish or retire an FAQ."""
    faq = get_faq(session, slug, published_only=False)
    data = faq_in_of(faq)
    data.status = status  # type: ignore[assignment]
    update_faq(session, user.principal, slug, data)
    return redirect(f"/console/faqs/{slug}", msg="faq_retired" if status == "retired" else "saved")
