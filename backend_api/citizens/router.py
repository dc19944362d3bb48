"""Proving a mobile with a one-time code, and listing what was filed with it (the assistant's
service account; every call names the conversation the proof belongs to)."""

from __future__ import annotations

from fastapi import APIRouter

from backend_api.citizens import service
from backend_api.citizens.filings import filings_of
from backend_api.citizens.schemas import (
    CodeAsk,
    CodeCheck,
    CodeSent,
    ContactIn,
    Filings,
    MobileOfConversation,
    Verification,
)
from backend_api.deps import Codes, DbSession, Guard, Messages
from backend_api.users.deps import Assistant

router = APIRouter(tags=["citizens"])


@router.post("/citizens/codes", response_model=CodeSent, status_code=202)
def ask_code(
    *, body: CodeAsk, _: Assistant, session: DbSession, codes: Codes, texts: Messages
) -> CodeSent:
    """Send a one-time code by SMS (the same answer whether or not the mobile filed anything)."""
    status, until = service.send_code(
        session, codes, texts, mobile=body.mobile, sender_id=body.sender_id, channel=body.channel
    )
    return CodeSent(status=status, valid_until=until)  # type: ignore[arg-type]


@router.post("/citizens/codes/verify", response_model=Verification)
def verify_code(
    *, body: CodeCheck, _: Assistant, session: DbSession, codes: Codes, guard: Guard
) -> Verification:
    """Check a one-time code; the conversation is verified for a while when it is right."""
    until = service.verify_code(
        session, codes, guard, mobile=body.mobile, sender_id=body.sender_id, code=body.code
    )
    return Verification(verified_until=until)


@router.post("/citizens/contacts", response_model=Verification, status_code=201)
def trust_contact(
    *, body: ContactIn, _: Assistant, session: DbSession, codes: Codes
) -> Verification:
    """Verify the conversation for the user's own number shared on Telegram or Bale."""
    until = service.trust_contact(
        session, codes, mobile=body.mobile, sender_id=body.sender_id, channel=body.channel
    )
    return Verification(verified_until=until)


@router.post("/citizens/filings", response_model=Filings)
def filings(
    *, body: MobileOfConversation, _: Assistant, session: DbSession, codes: Codes
) -> Filings:
    """The requests and complaints filed with the mobile the conversation proved (403 if not)."""
    service.require_verified(session, codes, body.mobile, body.sender_id)
    return Filings(items=filings_of(session, body.mobile))
