"""Search over published FAQs and active service cards, rebuilt when the knowledge base changes."""

from __future__ import annotations

import logging
import threading
import time

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from backend_api.catalogue.models import Service
from backend_api.catalogue.service import kb_version
from backend_api.faq.models import Faq
from knowledge.documents import Document, Hit
from knowledge.lexical import Bm25Index, build_index

logger = logging.getLogger(__name__)


def documents_from(session: Session) -> list[Document]:
    """One document per active service card and per published FAQ."""
    docs = []
    for service in session.scalars(select(Service).where(Service.active.is_(True))):
        docs.append(
            Document(
                id=f"service:{service.code}",
                kind="service",
                title=service.title,
                text=" ".join([*service.aliases, service.description]),
                meta={
                    "service_code": service.code,
                    "agency": service.agency.name,
                    "url": service.url,
                },
            )
        )
    for faq in session.scalars(select(Faq).where(Faq.status == "published")):
        docs.append(
            Document(
                id=f"faq:{faq.slug}",
                kind="faq",
                title=faq.question,
                text=" ".join([faq.question, *faq.alternatives]),
                meta={
                    "answer": faq.answer,
                    "service_code": faq.service.code if faq.service else "",
                    "agency": faq.service.agency.name if faq.service else "",
                },
            )
        )
    return docs


class LiveIndex:
    """Holds the current index and swaps in a rebuilt one when the knowledge-base version moves.

    The version lives in the database, so every backend process notices any process's change.
    """

    def __init__(self, factory: sessionmaker[Session], check_interval: float = 2.0) -> None:
        self._factory = factory
        self._interval = check_interval
        self._lock = threading.Lock()
        self._index: Bm25Index | None = None
        self._version = -1
        self._checked = 0.0

    @property
    def version(self) -> int:
        """The knowledge-base version the served index was built from."""
        return self._version

    def _current(self) -> Bm25Index:
        now = time.monotonic()
        if self._index is not None and now - self._checked < self._interval:
            return self._index
        with self._lock:
            with self._factory() as session:
                version = kb_version(session)
                if self._index is None or version != self._version:
                    started = time.perf_counter()
                    index = build_index(documents_from(session))
                    self._index, self._version = index, version
                    logger.info(
                        "search index v%s built: %s documents in %.0f ms",
                        version,
                        len(index.documents),
                        (time.perf_counter() - started) * 1000,
                    )
            self._checked = now
            return self._index

    def search(self, query: str, limit: int) -> list[Hit]:
        """Search the up-to-date index."""
        return self._current().search(query, limit)
