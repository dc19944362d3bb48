"""One-time codes: sending one by SMS, checking it, trusting a platform's contact, and the
question every later call asks: has this conversation proved this mobile?"""

from __future__ import annotations

import datetime as dt
import logging
import math

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from backend_api.citizens.models import MobileProof
from backend_api.citizens.policy import (
    PLATFORM_VERIFIED_CHANNELS,
    CodePolicy,
    new_code,
    new_nonce,
)
from backend_api.common.guard import LookupGuard
from backend_api.db import utcnow
from backend_api.errors import ApiError, CountedRefusal, Invalid, MessageCatalogue
from backend_api.notifications.service import SECRET_KEY_PREFIX, notify_citizen
from nlu.digits import to_persian_digits
from nlu.identifiers import mask_mobile

logger = logging.getLogger(__name__)


def _minutes(delta: dt.timedelta) -> str:
    return to_persian_digits(str(max(1, math.ceil(delta.total_seconds() / 60))))


def verified_until(
    session: Session, policy: CodePolicy, mobile: str, sender_id: str
) -> dt.datetime | None:
    """Until when ``sender_id`` has proved ``mobile``; None when it has not (or no longer)."""
    return session.scalar(
        select(func.max(MobileProof.verified_until)).where(
            MobileProof.sender_id == sender_id,
            MobileProof.mobile_hash == policy.hash(mobile),
            MobileProof.verified_until > utcnow(),
        )
    )


def send_code(
    session: Session,
    policy: CodePolicy,
    texts: MessageCatalogue,
    *,
    mobile: str,
    sender_id: str,
    channel: str,
) -> tuple[str, dt.datetime]:
    """Queue a new code by SMS to ``mobile``; ``("sent", its expiry)``, or ``("verified",
    until)`` when the conversation has already proved the mobile.

    Nothing here depends on whether the mobile has filed anything, so the answer tells nobody.
    Only the newest code of a conversation and mobile works; sends are limited per mobile and
    per conversation (SMS costs money, and a flood of codes is a nuisance to the mobile's owner).
    """
    until = verified_until(session, policy, mobile, sender_id)
    if until is not None:
        return "verified", until
    now = utcnow()
    mobile_hash = policy.hash(mobile)
    for column, value in (
        (MobileProof.mobile_hash, mobile_hash),
        (MobileProof.sender_id, sender_id),
    ):
        sent = session.scalar(
            select(func.count())
            .select_from(MobileProof)
            .where(
                column == value,
                MobileProof.kind == "code",
                MobileProof.created_at > now - policy.send_window,
            )
        )
        if (sent or 0) >= policy.max_sends:
            raise ApiError(429, "too_many_codes", minutes=_minutes(policy.send_window))
    session.execute(
        update(MobileProof)
        .where(
            MobileProof.sender_id == sender_id,
            MobileProof.mobile_hash == mobile_hash,
            MobileProof.kind == "code",
            MobileProof.verified_until.is_(None),
            MobileProof.expires_at > now,
        )
        .values(expires_at=now)
    )
    code, nonce = new_code(), new_nonce()
    proof = MobileProof(
        kind="code",
        mobile_hash=mobile_hash,
        sender_id=sender_id,
        channel=channel,
        nonce=nonce,
        code_hash=policy.hash(nonce, code),
        expires_at=now + policy.ttl,
    )
    session.add(proof)
    session.flush()
    body = texts.section("notifications")["one_time_code"].format(
        code=code, minutes=_minutes(policy.ttl)
    )
    # by SMS whatever the conversation's channel: the code proves the mobile, not the chat
    notify_citizen(
        session,
        dedupe_key=f"{SECRET_KEY_PREFIX}mobile-proof:{proof.id}",
        channel="sms",
        sender_id="",
        mobile=mobile,
        body=body,
    )
    logger.info("one-time code %s queued for %s (%s)", proof.id, mask_mobile(mobile), channel)
    return "sent", proof.expires_at


def verify_code(
    session: Session,
    policy: CodePolicy,
    guard: LookupGuard,
    *,
    mobile: str,
    sender_id: str,
    code: str,
) -> dt.datetime:
    """Check the code typed in ``sender_id`` for ``mobile``; the verification's end if right.

    A wrong code uses one of its tries (kept even though the call fails) and counts as a wrong
    guess with the mobile and from the conversation in the shared lookup guard.
    """
    keys = guard.keys("", mobile, sender_id)
    guard.check(keys)
    now = utcnow()
    proof = session.scalar(
        select(MobileProof)
        .where(
            MobileProof.sender_id == sender_id,
            MobileProof.mobile_hash == policy.hash(mobile),
            MobileProof.kind == "code",
            MobileProof.verified_until.is_(None),
        )
        .order_by(MobileProof.id.desc())
        .limit(1)
    )
    if proof is None or proof.expires_at <= now:
        raise ApiError(410, "code_expired")
    # The try is taken in one conditional UPDATE: two tries at once cannot both be the last.
    taken = session.execute(
        update(MobileProof)
        .where(MobileProof.id == proof.id, MobileProof.attempts < policy.max_attempts)
        .values(attempts=MobileProof.attempts + 1)
        .execution_options(synchronize_session=False)
    )
    if taken.rowcount == 0:  # type: ignore[attr-defined]
        raise ApiError(429, "code_attempts_used")
    if not policy.matches(proof.nonce, code, proof.code_hash):
        guard.failed(keys)
        used = session.scalar(select(MobileProof.attempts).where(MobileProof.id == proof.id))
        remaining = policy.max_attempts - (used or policy.max_attempts)
        if remaining <= 0:
            raise CountedRefusal(429, "code_attempts_used")
        raise CountedRefusal(422, "wrong_code", remaining=to_persian_digits(str(remaining)))
    proof.verified_until = now + policy.verified_for
    proof.expires_at = now  # used once
    session.flush()
    logger.info("one-time code %s verified", proof.id)
    return proof.verified_until


def trust_contact(
    session: Session, policy: CodePolicy, *, mobile: str, sender_id: str, channel: str
) -> dt.datetime:
    """Verify the conversation for a contact its platform proved is the user's own number."""
    if channel not in PLATFORM_VERIFIED_CHANNELS or not sender_id.startswith(f"{channel}:"):
        raise Invalid("contact_not_verifiable")
    now = utcnow()
    proof = MobileProof(
        kind="contact",
        mobile_hash=policy.hash(mobile),
        sender_id=sender_id,
        channel=channel,
        expires_at=now,
        verified_until=now + policy.verified_for,
    )
    session.add(proof)
    session.flush()
    return now + policy.verified_for


def require_verified(session: Session, policy: CodePolicy, mobile: str, sender_id: str) -> None:
    """Refuse (403) unless the conversation has proved the mobile and the proof still holds."""
    if verified_until(session, policy, mobile, sender_id) is None:
        raise ApiError(403, "mobile_not_verified")
