"""One-time codes prove a mobile for one conversation; a verified conversation lists the
mobile's requests and complaints (backend_api/citizens)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import select, update

from backend_api.citizens.models import MobileProof
from backend_api.notifications.models import OutboxMessage
from backend_api.settings import BackendSettings
from nlu.digits import to_persian_digits
from tests.backend_api.api_helpers import assert_error, file_request
from tests.backend_api.citizens import ALI, MOBILE, SARA
from tests.support.backend_app import backend_app

SENDER = "web:" + "c" * 32
OTHER_MOBILE = "09351112233"
LOOKUP_LIMIT = 6


@pytest.fixture
def app(settings: BackendSettings):
    """The backend app with a guard limit above one code's five tries."""
    return backend_app(settings.model_copy(update={"lookup_max_failures": LOOKUP_LIMIT}))


def ask(client, headers, mobile=MOBILE, sender=SENDER, channel="web"):
    body = {"mobile": mobile, "sender_id": sender, "channel": channel}
    return client.post("/api/v1/citizens/codes", json=body, headers=headers)


def verify(client, headers, code, mobile=MOBILE, sender=SENDER):
    body = {"mobile": mobile, "sender_id": sender, "code": code}
    return client.post("/api/v1/citizens/codes/verify", json=body, headers=headers)


def filings(client, headers, mobile=MOBILE, sender=SENDER):
    body = {"mobile": mobile, "sender_id": sender}
    return client.post("/api/v1/citizens/filings", json=body, headers=headers)


def sms_to(app, mobile: str) -> list[str]:
    """The SMS bodies queued in the outbox for ``mobile``, oldest first."""
    with app.state.session_factory() as session:
        rows = session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.channel == "sms", OutboxMessage.recipient == mobile)
            .order_by(OutboxMessage.id)
        )
        return [row.body for row in rows]


def last_code(app, mobile: str = MOBILE) -> str:
    return re.search(r"\b(\d{6})\b", sms_to(app, mobile)[-1]).group(1)


def wrong(code: str) -> str:
    return f"{(int(code) + 1) % 10**6:06d}"


def file_complaint(client, headers, mobile=MOBILE, kind="complaint") -> str:
    body = {"kind": kind, "text": "در دفتر پیشخوان بیش از تعرفه پول گرفتند.", "mobile": mobile}
    response = client.post("/api/v1/complaints", json=body, headers=headers)
    assert response.status_code == 201, response.text
    return response.json()["tracking_code"]


def test_the_right_code_lets_the_conversation_list_the_mobiles_filings(app, client, assistant):
    request = file_request(client, assistant)["tracking_code"]
    complaint = file_complaint(client, assistant)
    file_request(client, assistant, key="sara", national_code=SARA, mobile=OTHER_MOBILE)

    assert_error(filings(client, assistant), 403, "mobile_not_verified")
    sent = ask(client, assistant)
    assert sent.status_code == 202 and sent.json()["status"] == "sent"
    [sms] = sms_to(app, MOBILE)
    assert "کد تأیید" in sms and "۲ دقیقه" in sms

    verified = verify(client, assistant, last_code(app))
    assert verified.status_code == 200, verified.text
    until = dt.datetime.fromisoformat(verified.json()["verified_until"])
    assert dt.timedelta(minutes=29) < until - dt.datetime.now(dt.UTC) <= dt.timedelta(minutes=30)

    listed = filings(client, assistant)
    assert listed.status_code == 200, listed.text
    items = listed.json()["items"]
    assert [(i["kind"], i["tracking_code"]) for i in items] == [
        ("complaint", complaint),
        ("request", request),
    ]  # newest first; the other mobile's request is not there
    assert items[1]["title"] == "صدور گذرنامهٔ عادی" and items[1]["status"] == "submitted"
    # another conversation has proved nothing
    assert_error(filings(client, assistant, sender="web:someone-else"), 403, "mobile_not_verified")


def test_the_reply_is_the_same_whether_or_not_the_mobile_filed_anything(app, client, assistant):
    file_request(client, assistant)
    with_filings = ask(client, assistant, mobile=MOBILE)
    without = ask(client, assistant, mobile=OTHER_MOBILE)
    assert with_filings.status_code == without.status_code == 202
    assert with_filings.json().keys() == without.json().keys()
    assert with_filings.json()["status"] == without.json()["status"] == "sent"
    assert len(sms_to(app, MOBILE)) == len(sms_to(app, OTHER_MOBILE)) == 1
    # once verified, a mobile with nothing filed gets an empty list, not an error
    assert verify(client, assistant, last_code(app, OTHER_MOBILE), mobile=OTHER_MOBILE)
    assert filings(client, assistant, mobile=OTHER_MOBILE).json() == {"items": []}


def test_neither_the_mobile_nor_the_code_is_stored_in_the_clear(app, client, assistant):
    ask(client, assistant)
    code = last_code(app)
    with app.state.session_factory() as session:
        [row] = session.scalars(select(MobileProof)).all()
    stored = " ".join(str(value) for value in vars(row).values())
    assert MOBILE not in stored and MOBILE[1:] not in stored and code not in stored
    assert len(row.code_hash) == 64 and row.attempts == 0


def test_wrong_codes_use_up_the_five_tries_even_though_each_call_fails(app, client, assistant):
    ask(client, assistant)
    code = last_code(app)
    for remaining in (4, 3, 2, 1):
        error = assert_error(verify(client, assistant, wrong(code)), 422, "wrong_code")
        assert to_persian_digits(str(remaining)) in error["message"]
    assert_error(verify(client, assistant, wrong(code)), 429, "code_attempts_used")
    # the right code comes too late: the tries are gone
    assert_error(verify(client, assistant, code), 429, "code_attempts_used")
    assert_error(filings(client, assistant), 403, "mobile_not_verified")


def test_an_expired_code_is_refused(app, client, assistant):
    ask(client, assistant)
    with app.state.session_factory() as session:
        past = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
        session.execute(update(MobileProof).values(expires_at=past))
        session.commit()
    assert_error(verify(client, assistant, last_code(app)), 410, "code_expired")


def test_a_code_never_asked_for_is_expired(client, assistant):
    assert_error(verify(client, assistant, "123456"), 410, "code_expired")


def test_only_the_newest_code_works_and_each_works_once(app, client, assistant):
    ask(client, assistant)
    first = last_code(app)
    ask(client, assistant)
    second = last_code(app)
    if first != second:  # one chance in a million that they are equal
        assert_error(verify(client, assistant, first), 422, "wrong_code")
    assert verify(client, assistant, second).status_code == 200
    assert_error(verify(client, assistant, second), 410, "code_expired")


def test_a_verified_conversation_gets_no_new_code(app, client, assistant):
    ask(client, assistant)
    verify(client, assistant, last_code(app))
    again = ask(client, assistant)
    assert again.status_code == 202 and again.json()["status"] == "verified"
    assert len(sms_to(app, MOBILE)) == 1


def test_the_verification_ends_after_its_time(app, client, assistant):
    ask(client, assistant)
    verify(client, assistant, last_code(app))
    with app.state.session_factory() as session:
        past = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
        session.execute(update(MobileProof).values(verified_until=past))
        session.commit()
    assert_error(filings(client, assistant), 403, "mobile_not_verified")


def test_codes_sent_are_limited_per_mobile_and_per_conversation(app, client, assistant):
    for n in range(3):
        assert ask(client, assistant, sender=f"web:per-mobile-{n}").status_code == 202
    error = assert_error(ask(client, assistant, sender="web:per-mobile-4"), 429, "too_many_codes")
    assert "۱۵ دقیقه" in error["message"]
    assert len(sms_to(app, MOBILE)) == 3

    for mobile in ("09120000001", "09120000002", "09120000003"):
        assert ask(client, assistant, mobile=mobile, sender="web:busy").status_code == 202
    assert_error(
        ask(client, assistant, mobile="09120000004", sender="web:busy"), 429, "too_many_codes"
    )


def test_wrong_codes_count_in_the_shared_guard_across_new_codes(app, client, assistant):
    """Asking for a new code does not buy new guesses: the mobile's count goes on."""
    for _ in range(2):
        ask(client, assistant)
        for _ in range(LOOKUP_LIMIT // 2):
            verify(client, assistant, wrong(last_code(app)))
    ask(client, assistant, sender="web:another")
    assert_error(
        verify(client, assistant, last_code(app), sender="web:another"),
        429,
        "too_many_lookup_failures",
    )
    # the mobile's request cannot be looked up by tracking code either, for a while
    code = file_request(client, assistant)["tracking_code"]
    body = {"tracking_code": code, "mobile": MOBILE}
    refused = client.post("/api/v1/requests/lookup", json=body, headers=assistant)
    assert_error(refused, 429, "too_many_lookup_failures")
    body = {"tracking_code": code, "national_code": ALI}
    assert client.post("/api/v1/requests/lookup", json=body, headers=assistant).status_code == 200


def test_codes_are_typed_in_any_digits_and_must_have_six(app, client, assistant):
    ask(client, assistant)
    assert_error(verify(client, assistant, "12345"), 422, "invalid_one_time_code")
    assert_error(verify(client, assistant, "abcdef"), 422, "invalid_one_time_code")
    assert verify(client, assistant, to_persian_digits(last_code(app))).status_code == 200


def test_a_contact_shared_on_telegram_verifies_without_a_code(app, client, assistant):
    file_request(client, assistant)
    body = {"mobile": MOBILE, "sender_id": "telegram:42", "channel": "telegram"}
    response = client.post("/api/v1/citizens/contacts", json=body, headers=assistant)
    assert response.status_code == 201, response.text
    assert len(filings(client, assistant, sender="telegram:42").json()["items"]) == 1
    assert sms_to(app, MOBILE) == []


@pytest.mark.parametrize(
    "channel,sender", [("web", "web:abc"), ("sms", "sms:09121234567"), ("telegram", "bale:42")]
)
def test_only_a_platform_that_proves_contacts_can_skip_the_code(client, assistant, channel, sender):
    body = {"mobile": MOBILE, "sender_id": sender, "channel": channel}
    response = client.post("/api/v1/citizens/contacts", json=body, headers=assistant)
    assert_error(response, 422, "contact_not_verifiable")


def test_staff_cannot_use_the_codes_without_a_token(client):
    assert_error(ask(client, {}), 401, "not_authenticated")


def test_staff_watching_the_outbox_see_no_code_nor_a_whole_mobile(app, client, assistant, staff):
    assert ask(client, assistant).status_code == 202
    code = last_code(app)

    response = client.get("/api/v1/staff/outbox", headers=staff)
    assert response.status_code == 200
    [message] = [m for m in response.json() if m["channel"] == "sms"]
    assert code not in message["body"] and to_persian_digits(code) not in message["body"]
    assert MOBILE not in message["recipient"]
    assert message["recipient"].endswith(MOBILE[-2:])
