"""Live curation: rebuilt in the background when the version moves, swapped in atomically."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import select

from backend_api.catalogue.models import Service
from backend_api.catalogue.service import kb_version
from backend_api.catalogue.transfer import import_bundle, load_sources
from backend_api.db import make_engine, make_session_factory
from backend_api.faq.schemas import FaqIn
from backend_api.faq.service import create_faq, delete_faq
from backend_api.migrate import upgrade
from backend_api.search.service import LiveIndex, documents_from
from backend_api.users.security import Principal
from knowledge.index.documents import Document, faq_document
from knowledge.index.embedders import get_embedder, vector_cache
from knowledge.live import LiveSearcher
from tests.knowledge.conftest import MINI_CATALOGUE

ADMIN = Principal("admin", "admin")
OFFICE_HOURS = {
    "id": "office-hours",
    "question": "ساعت کاری دفاتر پیشخوان دولت چیست؟",
    "alternatives": ["پیشخوان کی بازه؟"],
    "answer": "بیشتر دفاتر پیشخوان از ۸ تا ۱۶ باز هستند.",
}


class Source:
    """A versioned document set whose reads can be held up."""

    def __init__(self, docs: list[Document]) -> None:
        self.version = 1
        self.docs = list(docs)
        self.gate = threading.Event()
        self.gate.set()
        self.reads = 0
        self.fail = False

    def snapshot(self) -> tuple[int, list[Document]]:
        self.reads += 1
        self.gate.wait(30)
        if self.fail:
            raise RuntimeError("database down")
        return self.version, list(self.docs)

    def change(self, *extra: Document) -> None:
        self.docs.extend(extra)
        self.version += 1


def top(searcher: LiveSearcher, question: str) -> tuple[str, int]:
    result, version = searcher.search(question, 3)
    assert result.ranking is not None
    return result.ranking.hits[0].document.id, version


def office_hours() -> Document:
    return faq_document(OFFICE_HOURS)


def test_a_forgotten_index_is_built_anew_from_a_replaced_source(mini_docs, settings):
    source = Source(mini_docs)
    live = LiveSearcher(source.snapshot, lambda: source.version, settings, check_interval=3600)
    assert top(live, "هزینه گذرنامه") == ("faq:passport-cost", 1)
    # the source is replaced wholesale under the same version (tables emptied and refilled)
    source.docs = [office_hours()]
    assert top(live, "هزینه گذرنامه")[0] == "faq:passport-cost"  # no check due: the old index
    live.forget()
    assert live.version == -1
    assert top(live, "پیشخوان کی بازه") == ("faq:office-hours", 1)
    assert live.builds == 2


def test_a_change_is_built_in_the_background_and_swapped_in(mini_docs, settings):
    source = Source(mini_docs)
    live = LiveSearcher(source.snapshot, lambda: source.version, settings, check_interval=0)
    assert top(live, "هزینه گذرنامه") == ("faq:passport-cost", 1)
    assert live.builds == 1

    source.gate.clear()  # the rebuild will hang on reading the database
    source.change(office_hours())
    started = time.perf_counter()
    assert top(live, "پیشخوان کی بازه")[1] == 1  # the old index answers, without waiting
    assert top(live, "هزینه گذرنامه") == ("faq:passport-cost", 1)
    assert time.perf_counter() - started < 5
    source.gate.set()
    live.wait()
    assert top(live, "پیشخوان کی بازه") == ("faq:office-hours", 2)
    assert live.builds == 2


def test_only_new_passages_are_embedded(mini_docs, settings):
    cache = vector_cache(get_embedder(settings))
    source = Source(mini_docs)
    live = LiveSearcher(source.snapshot, lambda: source.version, settings, check_interval=0)
    live.searcher()
    before = cache.embedded
    doc = faq_document({**OFFICE_HOURS, "id": "office-hours-2", "answer": "از ۷ تا ۱۵."})
    source.change(doc)
    live.searcher()
    live.wait()
    assert live.version == 2
    new_texts = [
        t
        for t in doc.embedded_texts()
        if t not in {p for d in mini_docs for p in d.embedded_texts()}
    ]
    assert cache.embedded - before <= len(new_texts)


def test_prepare_builds_now_and_the_next_check_swaps_without_waiting(mini_docs, settings):
    source = Source(mini_docs)
    live = LiveSearcher(source.snapshot, lambda: source.version, settings, check_interval=3600)
    live.searcher()
    source.change(office_hours())
    live.prepare()
    assert live.version == 1  # not before the next check
    live._checked = float("-inf")
    source.gate.clear()  # a swap must not read the source again
    assert top(live, "پیشخوان کی بازه") == ("faq:office-hours", 2)
    source.gate.set()


def test_a_failed_rebuild_keeps_the_old_index(mini_docs, settings):
    source = Source(mini_docs)
    live = LiveSearcher(source.snapshot, lambda: source.version, settings, check_interval=0)
    live.searcher()
    source.fail = True
    source.change(office_hours())
    live.searcher()
    live.wait()
    assert isinstance(live.last_error, RuntimeError)
    assert top(live, "هزینه گذرنامه") == ("faq:passport-cost", 1)
    source.fail = False
    # A rebuild already under way (started by the search above) may still fail once:
    # the next checks pick the new version up within a few seconds.
    deadline = time.monotonic() + 30
    while live.version != 2 and time.monotonic() < deadline:
        live.searcher()
        live.wait()
    assert live.version == 2


# --- the backend's index over a real database, in two "processes" -------------------------------


@pytest.fixture
def database(tmp_path: Path):
    url = f"sqlite:///{tmp_path / 'kb.db'}"
    upgrade(url)
    engine = make_engine(url)
    factory = make_session_factory(engine)
    with factory() as session:
        import_bundle(session, load_sources(MINI_CATALOGUE), ADMIN)
        session.commit()
    yield engine
    engine.dispose()


def test_two_backend_processes_stay_consistent_through_the_kb_version(database, settings, tmp_path):
    writer_factory = make_session_factory(database)
    reader_factory = make_session_factory(database)  # another process: its own sessions
    writer = LiveIndex(
        writer_factory, check_interval=0, settings=settings, cache_dir=tmp_path / "a"
    )
    reader = LiveIndex(
        reader_factory, check_interval=0, settings=settings, cache_dir=tmp_path / "b"
    )
    for index in (writer, reader):
        result, version = index.query("پیشخوان کی بازه", 3)
        assert "faq:office-hours" not in [h.document.id for h in result.hits]
    built = writer.version

    with writer_factory() as session:  # an admin's write through the writer process
        create_faq(session, ADMIN, FaqIn(**OFFICE_HOURS))
        session.commit()
    assert writer._prepared is not None  # built at commit, in the admin's request
    assert writer.query("پیشخوان کی بازه", 3)[0].hits[0].document.id == "faq:office-hours"
    assert writer.version == built + 1

    reader.query("پیشخوان کی بازه", 3)  # notices the new version, rebuilds in the background
    reader.wait()
    result, version = reader.query("پیشخوان کی بازه", 3)
    assert version == built + 1
    assert result.hits[0].document.id == "faq:office-hours"

    with writer_factory() as session:
        delete_faq(session, ADMIN, "office-hours")
        session.commit()
        assert kb_version(session) == built + 2
    reader.query("پیشخوان", 3)
    reader.wait()
    assert "faq:office-hours" not in [d.id for d in reader.searcher().index.documents]


def test_backend_documents_are_the_catalogue_builder_s(database):
    with make_session_factory(database)() as session:
        docs = documents_from(session)
        services = session.scalars(select(Service)).all()
    assert len(docs) == 7 * len(services) + 2
    assert {d.id for d in docs if d.kind == "faq"} == {
        "faq:passport-cost",
        "faq:national-card-documents",
    }
    passport = next(d for d in docs if d.id == "service:10202000001:cost")
    assert passport.meta["agency"] == "پلیس مهاجرت و گذرنامه فراجا"
    assert passport.body == "۵٬۲۰۰٬۰۰۰ ریال"
