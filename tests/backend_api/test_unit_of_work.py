"""The commit rule's pieces: an effect after the commit, and a failed filing attempt that undoes
only itself (backend_api/README.md, "Who commits")."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select, text

from backend_api.common.codes import new_tracking_code
from backend_api.db import after_commit, make_engine, make_session_factory
from backend_api.requests.models import ServiceRequest
from backend_api.requests.schemas import RequestCreate
from backend_api.requests.service import file_request as file_request_service
from backend_api.unresolved.models import UnresolvedQuestion
from tests.backend_api.api_helpers import file_request, new_request
from tests.backend_api.citizens import SARA


def _factory(tmp_path: Path):
    engine = make_engine(f"sqlite:///{tmp_path / 'uow.db'}")
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT UNIQUE)"))
    return make_session_factory(engine)


def test_an_effect_after_commit_runs_once_the_change_is_stored(tmp_path: Path) -> None:
    factory = _factory(tmp_path)
    seen: list[list[str]] = []
    with factory() as session:
        session.execute(text("INSERT INTO t (v) VALUES ('a')"))

        def look() -> None:  # another session: the change must be visible to others
            with factory() as other:
                seen.append(list(other.scalars(select(text("v")).select_from(text("t")))))

        after_commit(session, look)
        assert seen == []
        session.commit()
        session.execute(text("INSERT INTO t (v) VALUES ('b')"))
        session.commit()  # a later transaction does not run it again
    assert seen == [["a"]]


def test_an_effect_after_commit_never_runs_when_the_change_is_rolled_back(
    tmp_path: Path,
) -> None:
    factory = _factory(tmp_path)
    ran: list[str] = []
    with factory() as session:
        session.execute(text("INSERT INTO t (v) VALUES ('a')"))
        after_commit(session, lambda: ran.append("effect"))
        session.rollback()
        session.execute(text("INSERT INTO t (v) VALUES ('b')"))
        session.commit()  # the next transaction's commit must not run the dropped effect
    assert ran == []


def test_a_tracking_code_collision_undoes_only_that_attempt(client, assistant, monkeypatch):
    """The retried attempt runs in a savepoint: the caller's earlier change in the same
    transaction survives, and the request gets a fresh code."""
    taken = file_request(client, assistant)["tracking_code"]
    draws = iter([taken])  # the first draw collides, later ones are random again
    monkeypatch.setattr(
        "backend_api.requests.service.new_tracking_code",
        lambda prefixes: next(draws, None) or new_tracking_code(prefixes),
    )
    with client.app.state.session_factory() as session:
        session.add(UnresolvedQuestion(question="پرسش پیش از ثبت", channel="web"))
        session.flush()
        req, created = file_request_service(
            session, RequestCreate.model_validate(new_request(national_code=SARA)), None
        )
        session.commit()
    assert created
    assert req.tracking_code != taken
    with client.app.state.session_factory() as session:
        questions = session.scalars(select(UnresolvedQuestion.question)).all()
        codes = session.scalars(select(ServiceRequest.tracking_code)).all()
    assert questions == ["پرسش پیش از ثبت"]
    assert sorted(codes) == sorted([taken, req.tracking_code])
