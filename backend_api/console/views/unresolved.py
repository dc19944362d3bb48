"""Unresolved questions, grouped: answer a group into an FAQ, ignore junk, test a question."""

from __future__ import annotations

import logging
import secrets

from fastapi import APIRouter, Form, Query, Request, Response
from sqlalchemy import select

from backend_api.audit.service import record_change
from backend_api.console.deps import Settings, StaffChange, StaffUser
from backend_api.console.forms import lines
from backend_api.console.grouping import canonical, group_cache, summary
from backend_api.console.models import IgnoreRule
from backend_api.console.web import ConsoleRoute, redirect, render
from backend_api.deps import DbSession
from backend_api.errors import Conflict, Invalid, NotFound
from backend_api.faq.schemas import FaqIn
from backend_api.faq.service import create_faq, faq_in_of, get_faq, list_faqs, update_faq
from backend_api.search.router import response as search_response
from backend_api.unresolved.service import answer_many, dismiss_many

logger = logging.getLogger(__name__)

router = APIRouter(route_class=ConsoleRoute)
GROUPS_SHOWN = 50


def _ids(raw: list[str]) -> list[int]:
    ids = [int(v) for v in raw if v.isdigit()]
    if not ids:
        raise Invalid("missing")
    return ids


@router.get("/unresolved")
def groups_page(
    request: Request, user: StaffUser, session: DbSession, settings: Settings
) -> Response:
    """The biggest groups of questions waiting for an answer."""
    groups = group_cache(request.app.state).groups(session, settings.cluster_limit)
    rules = list(session.scalars(select(IgnoreRule).order_by(IgnoreRule.phrase)))
    return render(
        request,
        "unresolved.html",
        {"groups": groups[:GROUPS_SHOWN], "summary": summary(groups), "rules": rules},
    )


@router.get("/unresolved/groups/{key}")
def group_page(
    key: int, request: Request, user: StaffUser, session: DbSession, settings: Settings
) -> Response:
    """One group: its wordings, the candidates, the suggested FAQ and the answer forms."""
    found = group_cache(request.app.state).find(session, settings.cluster_limit, key)
    if found is None:
        raise NotFound("unresolved_not_found")
    slug = f"faq-{found.key}-{secrets.token_hex(2)}"
    return render(request, "unresolved_group.html", {"group": found, "slug": slug})


@router.get("/unresolved/faq-search")
def faq_search(
    request: Request, user: StaffUser, session: DbSession, q: str = Query("", max_length=200)
) -> Response:
    """FAQs whose question or answer contains ``q`` (an htmx fragment)."""
    faqs = (
        list_faqs(session, service=None, text=q, status=None, limit=10, offset=0)[0]
        if q.strip()
        else []
    )
    return render(request, "partials/faq_choices.html", {"faqs": faqs})


@router.get("/unresolved/test")
def test_question(
    request: Request, user: StaffUser, q: str = Query("", max_length=500)
) -> Response:
    """What the assistant's search would answer now, with the candidates and their scores."""
    result = None
    if q.strip():
        found, version = request.app.state.search_index.query(q, 35)
        result = search_response(found, version, 5)
    return render(request, "partials/test_result.html", {"result": result, "q": q})


@router.post("/unresolved/groups/{key}/answer")
async def answer_group(
    key: int,
    request: Request,
    user: StaffChange,
    session: DbSession,
    mode: str = Form("new", pattern="^(new|existing)$"),
    answer: str = Form("", max_length=4000),
    question: str = Form("", max_length=1000),
    alternatives: str = Form("", max_length=20000),
    service_code: str = Form("", max_length=11),
    slug: str = Form("", max_length=120),
    publish: str = Form("", max_length=2),
    faq: str = Form("", max_length=120),
) -> Response:
    """Answer the whole group: a new FAQ, or the group's wordings added to an existing FAQ."""
    ids = _ids([str(v) for v in (await request.form()).getlist("ids")])
    if mode == "new":
        data = FaqIn(
            id=slug,
            service=service_code,
            question=question.strip(),
            alternatives=lines(alternatives)[:30],
            answer=answer.strip(),
            tags=["from-unresolved"],
            status="published" if publish == "1" else "draft",
        )
        created = create_faq(session, user.principal, data)
        faq_id, text = created.id, data.answer
    else:
        existing = get_faq(session, faq, published_only=False)
        data = faq_in_of(existing)
        known = {canonical(a) for a in [data.question, *data.alternatives]}
        added = [a for a in lines(alternatives) if canonical(a) not in known]
        if len(data.alternatives) + len(added) > 30:
            raise Conflict("conflict")
        data.alternatives = [*data.alternatives, *added]
        update_faq(session, user.principal, existing.slug, data)
        faq_id, text = existing.id, existing.answer
    count = answer_many(session, user.principal, ids, text, faq_id)
    return redirect("/console/unresolved", msg="group_answered", n=str(count))


@router.post("/unresolved/groups/{key}/ignore")
async def ignore_group(
    key: int,
    request: Request,
    user: StaffChange,
    session: DbSession,
    rule: str = Form("", max_length=300),
) -> Response:
    """Dismiss the group's questions; with a phrase, similar junk stays hidden from now on."""
    ids = _ids([str(v) for v in (await request.form()).getlist("ids")])
    count = dismiss_many(session, user.principal, ids)
    if canonical(rule):
        _add_rule(session, user, rule)
    return redirect("/console/unresolved", msg="group_ignored", n=str(count))


def _add_rule(session: DbSession, user: StaffChange, phrase: str) -> None:
    phrase = canonical(phrase)[:300]
    if session.scalar(select(IgnoreRule.id).where(IgnoreRule.phrase == phrase)) is None:
        session.add(IgnoreRule(phrase=phrase, author=user.username))
        record_change(
            session, user.principal, "create", "ignore_rule", phrase[:64], None, {"phrase": phrase}
        )


@router.post("/unresolved/rules")
def add_rule(
    user: StaffChange, session: DbSession, phrase: str = Form(..., max_length=300)
) -> Response:
    """Add an ignore rule."""
    if not canonical(phrase):
        raise Invalid("missing")
    _add_rule(session, user, phrase)
    return redirect("/console/unresolved", msg="rule_added")


@router.post("/unresolved/rules/{rule_id}/delete")
def remove_rule(rule_id: int, user: StaffChange, session: DbSession) -> Response:
    """Remove an ignore rule: the questions it hid come back."""
    rule = session.get(IgnoreRule, rule_id)
    if rule is None:
        raise NotFound("not_found")
    record_change(
        session,
        user.principal,
        "delete",
        "ignore_rule",
        rule.phrase[:64],
        {"phrase": rule.phrase},
        None,
    )
    session.delete(rule)
    return redirect("/console/unresolved", msg="rule_removed")
