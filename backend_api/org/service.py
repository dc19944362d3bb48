"""The org chart: who belongs to which agency and post; every change is audited."""

from __future__ import annotations

import logging

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from backend_api.audit.service import record_change
from backend_api.catalogue.models import Agency
from backend_api.catalogue.service import get_agency
from backend_api.errors import Conflict, Invalid, NotFound
from backend_api.org.models import Membership, Post
from backend_api.users.models import User
from backend_api.users.security import Principal

logger = logging.getLogger(__name__)


def agency_ids_of(session: Session, username: str) -> frozenset[int]:
    """The agencies an account belongs to."""
    rows = session.scalars(
        select(Membership.agency_id)
        .join(User, User.id == Membership.user_id)
        .where(User.username == username)
    )
    return frozenset(rows)


def list_posts(session: Session, agency_id: int | None = None) -> list[Post]:
    """Posts, by agency and title."""
    query = select(Post).join(Agency, Agency.id == Post.agency_id)
    query = query.order_by(Agency.number, Post.title)
    if agency_id is not None:
        query = query.where(Post.agency_id == agency_id)
    return list(session.scalars(query))


def get_post(session: Session, post_id: int) -> Post:
    """A post by id, or 404."""
    post = session.get(Post, post_id)
    if post is None:
        raise NotFound("not_found")
    return post


def add_post(
    session: Session, actor: Principal, agency_code: str, title: str, parent_id: int | None
) -> Post:
    """Create a post in an agency (under ``parent_id`` of the same agency, if given)."""
    agency = get_agency(session, agency_code)
    title = title.strip()
    if not 2 <= len(title) <= 200:
        raise Invalid("string_too_short")
    if parent_id is not None and get_post(session, parent_id).agency_id != agency.id:
        raise Invalid("validation_error")
    post = Post(agency_id=agency.id, title=title, parent_id=parent_id)
    session.add(post)
    session.flush()
    after = {"agency": agency.code, "title": title, "parent_id": parent_id}
    record_change(session, actor, "create", "post", str(post.id), None, after)
    return post


def remove_post(session: Session, actor: Principal, post_id: int) -> None:
    """Delete a post; its members stay in the agency without a post, its children move up."""
    post = get_post(session, post_id)
    before = {"agency_id": post.agency_id, "title": post.title, "parent_id": post.parent_id}
    session.execute(update(Membership).where(Membership.post_id == post.id).values(post_id=None))
    session.execute(update(Post).where(Post.parent_id == post.id).values(parent_id=post.parent_id))
    session.delete(post)
    record_change(session, actor, "delete", "post", str(post_id), before, None)


def list_memberships(session: Session, agency_id: int | None = None) -> list[Membership]:
    """Memberships, by agency and username."""
    query = (
        select(Membership)
        .join(User, User.id == Membership.user_id)
        .join(Agency, Agency.id == Membership.agency_id)
        .order_by(Agency.number, User.username)
    )
    if agency_id is not None:
        query = query.where(Membership.agency_id == agency_id)
    return list(session.scalars(query))


def set_membership(
    session: Session, actor: Principal, username: str, agency_code: str, post_id: int | None
) -> Membership:
    """Put a staff or admin account in an agency (and post); an existing membership is moved."""
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        raise NotFound("user_not_found")
    if user.role == "assistant":
        raise Conflict("conflict")
    agency = get_agency(session, agency_code)
    if post_id is not None and get_post(session, post_id).agency_id != agency.id:
        raise Invalid("validation_error")
    membership = session.scalar(
        select(Membership).where(Membership.user_id == user.id, Membership.agency_id == agency.id)
    )
    before = {"post_id": membership.post_id} if membership else None
    if membership is None:
        membership = Membership(user_id=user.id, agency_id=agency.id)
        session.add(membership)
    membership.post_id = post_id
    session.flush()
    record_change(
        session,
        actor,
        "set" if before else "create",
        "membership",
        f"{username}@{agency.code}",
        before,
        {"post_id": post_id},
    )
    return membership


def remove_membership(session: Session, actor: Principal, membership_id: int) -> None:
    """Take an account out of an agency."""
    membership = session.get(Membership, membership_id)
    if membership is None:
        raise NotFound("not_found")
    key = f"{membership.user.username}@{membership.agency.code}"
    before = {"post_id": membership.post_id}
    session.execute(delete(Membership).where(Membership.id == membership_id))
    record_change(session, actor, "delete", "membership", key, before, None)


def colleagues(session: Session, agency_ids: frozenset[int] | None) -> list[User]:
    """Active staff and admins of the given agencies (all of them when ``None``)."""
    query = (
        select(User)
        .where(User.active.is_(True), User.role.in_(("staff", "admin")))
        .order_by(User.username)
    )
    if agency_ids is not None:
        members = select(Membership.user_id).where(Membership.agency_id.in_(agency_ids))
        query = query.where(User.id.in_(members))
    return list(session.scalars(query))
