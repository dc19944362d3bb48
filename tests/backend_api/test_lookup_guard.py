"""Wrong guesses at a request or a complaint (tracking code + identity) are limited, per code,
per identity and per conversation, by the one guard (backend_api/common/guard.py)."""

from __future__ import annotations

import pytest
from pydantic import SecretStr

from backend_api.common.guard import LookupGuard, MemoryCounter, RedisCounter
from backend_api.settings import BackendSettings
from nlu.identifiers import verhoeff_check_digit
from tests.backend_api.api_helpers import PASSPORT, assert_error, file_request
from tests.backend_api.citizens import ALI, MOBILE, SARA, national_code
from tests.support.backend_app import backend_app
from tests.support.ports import free_port
from tests.support.redis_db import empty_redis_db

LIMIT = 3
REDIS_URL = "redis://127.0.0.1:6379/12"


@pytest.fixture
def app(settings: BackendSettings):
    """The backend app with a small limit, so a test reaches it quickly."""
    return backend_app(settings.model_copy(update={"lookup_max_failures": LIMIT}))


def lookup(client, headers, code: str, **identity: str):
    return client.post(
        "/api/v1/requests/lookup", json={"tracking_code": code, **identity}, headers=headers
    )


def complaint_lookup(client, headers, code: str, **identity: str):
    return client.post(
        "/api/v1/complaints/lookup", json={"tracking_code": code, **identity}, headers=headers
    )


def file_complaint(client, headers, key: str = "complaint-1") -> str:
    body = {
        "kind": "complaint",
        "text": "در دفتر پیشخوان بیش از تعرفه از من پول گرفتند.",
        "service_code": PASSPORT,
        "national_code": ALI,
        "mobile": MOBILE,
        "sender_id": "telegram:42",
    }
    response = client.post(
        "/api/v1/complaints", json=body, headers={**headers, "Idempotency-Key": key}
    )
    assert response.status_code == 201, response.text
    return response.json()["tracking_code"]


def unknown_code(seed: int, kind: str = "1") -> str:
    """A valid tracking code nobody filed (``kind``: 1–4 a request, 5–8 a complaint)."""
    body = f"{kind}{seed:08d}"
    return body + verhoeff_check_digit(body)


def test_a_code_is_locked_after_repeated_wrong_identities_even_for_its_owner(client, assistant):
    code = file_request(client, assistant)["tracking_code"]
    for _ in range(LIMIT):
        assert_error(lookup(client, assistant, code, national_code=SARA), 404, "request_not_found")
    error = assert_error(
        lookup(client, assistant, code, national_code=ALI), 429, "too_many_lookup_failures"
    )
    assert "۱۵ دقیقه" in error["message"]
    # Another request of the same citizen is not affected.
    other = file_request(client, assistant, key="second-request")["tracking_code"]
    assert lookup(client, assistant, other, mobile=MOBILE).status_code == 200


def test_an_identity_is_locked_after_guessing_several_codes(client, assistant):
    code = file_request(client, assistant)["tracking_code"]
    for seed in range(LIMIT):
        assert_error(
            lookup(client, assistant, unknown_code(seed), national_code=ALI),
            404,
            "request_not_found",
        )
    assert_error(
        lookup(client, assistant, code, national_code=ALI), 429, "too_many_lookup_failures"
    )
    # The same request can still be found with the mobile, which was never guessed with.
    assert lookup(client, assistant, code, mobile=MOBILE).status_code == 200


def test_successful_lookups_are_never_limited(client, assistant):
    code = file_request(client, assistant)["tracking_code"]
    for _ in range(LIMIT * 3):
        assert lookup(client, assistant, code, national_code=ALI).status_code == 200


def test_ratings_share_the_limit(client, assistant):
    code = file_request(client, assistant)["tracking_code"]
    for _ in range(LIMIT):
        lookup(client, assistant, code, mobile="09351112233")
    body = {"tracking_code": code, "mobile": MOBILE, "score": 5}
    assert_error(
        client.post("/api/v1/ratings", json=body, headers=assistant),
        429,
        "too_many_lookup_failures",
    )


class FakeClock:
    """A monotonic clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_the_memory_window_slides_and_forgets(monkeypatch: pytest.MonkeyPatch) -> None:
    clock = FakeClock()
    monkeypatch.setattr("backend_api.common.guard.time.monotonic", clock)
    counter = MemoryCounter(window_s=60)
    counter.add("code:1")
    clock.now += 30
    counter.add("code:1")
    assert counter.count("code:1") == 2
    clock.now += 31  # the first failure is now older than the window
    assert counter.count("code:1") == 1
    clock.now += 30
    assert counter.count("code:1") == 0


def test_memory_stays_bounded_under_a_flood_of_keys() -> None:
    counter = MemoryCounter(window_s=60, max_keys=50)
    for n in range(500):
        counter.add(f"id:{n}")
    assert len(counter._times) <= 50
    assert counter.count("id:499") == 1


def test_identities_and_conversations_are_hashed_with_the_secret() -> None:
    guard = LookupGuard(MemoryCounter(60), "secret-one", 3, 900)
    keys = guard.keys("1234567890", ALI, "telegram:42")
    assert keys[0] == "code:1234567890"
    assert keys[1].startswith("id:") and ALI not in keys[1]
    assert keys[2].startswith("conv:") and "telegram" not in keys[2]
    assert LookupGuard(MemoryCounter(60), "secret-two", 3, 900).keys("1", ALI)[1] != keys[1]
    # a one-time code names no tracking code; a caller without a conversation names none
    assert [k.split(":")[0] for k in guard.keys("", MOBILE, "web:abc")] == ["id", "conv"]
    assert [k.split(":")[0] for k in guard.keys("1234567890", ALI)] == ["code", "id"]


# --- complaints share the guard ------------------------------------------------------------------


def test_a_complaint_code_is_locked_after_repeated_wrong_identities(client, assistant):
    code = file_complaint(client, assistant)
    for _ in range(LIMIT):
        assert_error(
            complaint_lookup(client, assistant, code, national_code=SARA),
            404,
            "complaint_not_found",
        )
    error = assert_error(
        complaint_lookup(client, assistant, code, national_code=ALI),
        429,
        "too_many_lookup_failures",
    )
    assert "۱۵ دقیقه" in error["message"]


def test_an_identity_guessing_complaint_codes_is_locked_for_requests_too(client, assistant):
    request_code = file_request(client, assistant)["tracking_code"]
    for seed in range(LIMIT):
        assert_error(
            complaint_lookup(client, assistant, unknown_code(seed, "5"), mobile=MOBILE),
            404,
            "complaint_not_found",
        )
    assert_error(
        lookup(client, assistant, request_code, mobile=MOBILE), 429, "too_many_lookup_failures"
    )
    assert lookup(client, assistant, request_code, national_code=ALI).status_code == 200


def test_a_conversation_guessing_codes_and_identities_is_locked(client, assistant):
    """Each guess names a new code and a new identity: only the conversation's count catches it."""
    code = file_complaint(client, assistant)
    sender = "web:" + "a" * 32
    for seed in range(LIMIT):
        guess = national_code(f"1{seed:08d}")
        assert_error(
            complaint_lookup(
                client,
                assistant,
                unknown_code(seed, "6"),
                national_code=guess,
                sender_id=sender,
            ),
            404,
            "complaint_not_found",
        )
    assert_error(
        complaint_lookup(client, assistant, code, national_code=ALI, sender_id=sender),
        429,
        "too_many_lookup_failures",
    )
    # the same proof from another conversation is answered
    other = complaint_lookup(client, assistant, code, national_code=ALI, sender_id="web:other")
    assert other.status_code == 200, other.text


@pytest.fixture
def redis_db():
    yield from empty_redis_db(REDIS_URL)


def test_redis_counts_are_shared_by_every_process_and_expire(redis_db) -> None:
    first = LookupGuard(RedisCounter(REDIS_URL, 900), "s", LIMIT, 900)
    second = LookupGuard(RedisCounter(REDIS_URL, 900), "s", LIMIT, 900)
    keys = first.keys(unknown_code(7), SARA)
    for _ in range(LIMIT):
        first.failed(keys)
    assert second.blocked(keys)
    stored = redis_db.keys("dastyar:lookup-failures:*")
    assert len(stored) == 2 and all(SARA.encode() not in key for key in stored)
    assert 0 < redis_db.ttl(stored[0]) <= 900


def test_a_redis_that_is_down_lets_lookups_through() -> None:
    guard = LookupGuard(RedisCounter(f"redis://127.0.0.1:{free_port()}/0", 900), "s", 1, 900)
    keys = guard.keys(unknown_code(1), ALI)
    guard.failed(keys)  # logged, not raised
    assert not guard.blocked(keys)


def test_the_app_counts_in_redis_when_configured(settings, redis_db) -> None:
    app = backend_app(settings.model_copy(update={"redis_url": SecretStr(REDIS_URL)}))
    guard = app.state.lookup_guard
    keys = guard.keys(unknown_code(3), ALI)
    guard.failed(keys)
    assert len(redis_db.keys("dastyar:lookup-failures:*")) == 2


def test_complaint_guesses_are_counted_in_redis_and_seen_by_another_process(
    settings, redis_db
) -> None:
    """Two apps on one Redis stand for two backend processes: one counts, the other refuses."""
    from fastapi.testclient import TestClient

    shared = settings.model_copy(
        update={"redis_url": SecretStr(REDIS_URL), "lookup_max_failures": LIMIT}
    )
    first, second = backend_app(shared), backend_app(shared)
    with TestClient(first) as one, TestClient(second) as two:
        from tests.backend_api.conftest import PASSWORDS, token_for

        headers = token_for(one, "assistant", PASSWORDS["assistant"])
        code = unknown_code(9, "5")
        for _ in range(LIMIT):
            assert_error(
                complaint_lookup(one, headers, code, mobile=MOBILE), 404, "complaint_not_found"
            )
        assert len(redis_db.keys("dastyar:lookup-failures:*")) == 2
        assert_error(
            complaint_lookup(two, headers, code, mobile=MOBILE), 429, "too_many_lookup_failures"
        )
