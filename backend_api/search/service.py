"""Search over published FAQs and active service cards, kept current with the knowledge base.

The index is :mod:`knowledge`'s hybrid retriever (BM25 + embeddings, calibrated outcome).
:class:`LiveIndex` serves the index built from the database and compares its version with
``kb_state.version`` at most every ``check_interval`` seconds; when another process changed the
catalogue it rebuilds in a background thread and swaps the new index in, so searches never wait
after the first build. A change committed through this process is built right at commit time
(the admin's request waits for it, not the citizens'), and served from the next check on.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import event, select
from sqlalchemy.orm import Session, sessionmaker

from backend_api.catalogue.models import KnowledgeBaseState, Service
from backend_api.catalogue.service import card_of, kb_version
from backend_api.faq.models import Faq
from backend_api.lexicon.service import admin_synonyms
from knowledge.index.documents import Document, Hit, faq_document, service_documents
from knowledge.live import LiveSearcher
from knowledge.locale import load_texts
from knowledge.search import SearchResult
from knowledge.settings import KnowledgeSettings

logger = logging.getLogger(__name__)


def documents_from(session: Session, settings: KnowledgeSettings | None = None) -> list[Document]:
    """One document per field of every active service card, and one per published FAQ (except
    those of a retired service: their answers are about a service citizens can no longer use)."""
    texts = load_texts((settings or KnowledgeSettings()).templates_file)
    docs: list[Document] = []
    cards: dict[int, dict[str, Any]] = {}
    services = session.scalars(
        select(Service).where(Service.active.is_(True)).order_by(Service.code)
    )
    for service in services:
        card = cards[service.id] = card_of(service)
        docs.extend(service_documents(card, service.agency.name, texts))
    for faq in session.scalars(select(Faq).where(Faq.status == "published").order_by(Faq.slug)):
        linked = faq.service
        linked_card = None
        if linked is not None:
            if not linked.active:
                continue
            linked_card = cards.get(linked.id) or card_of(linked)
        record = {
            "id": faq.slug,
            "question": faq.question,
            "alternatives": faq.alternatives,
            "answer": faq.answer,
        }
        docs.append(faq_document(record, linked_card, linked.agency.name if linked else "", texts))
    return docs


class LiveIndex(LiveSearcher):
    """The backend's search index over its database (see the module docstring)."""

    def __init__(
        self,
        factory: sessionmaker[Session],
        check_interval: float | None = None,
        settings: KnowledgeSettings | None = None,
        cache_dir: Path | None = None,
    ) -> None:
        settings = settings or KnowledgeSettings()
        self._factory = factory
        super().__init__(
            self._read_snapshot,
            self._read_kb_version,
            settings,
            cache_dir=cache_dir,
            check_interval=check_interval,
            synonyms=self._read_synonyms,
        )
        event.listen(factory, "after_flush", _note_kb_change)
        event.listen(factory, "after_commit", self._after_commit)
        event.listen(factory, "after_rollback", _forget_kb_change)

    def use_data_dir(self, data_dir: Path) -> None:
        """Save built indexes under ``<data_dir>/index`` unless a cache folder was configured."""
        if self.cache_dir is None:
            self.cache_dir = self.settings.resolved_cache_dir(data_dir)

    def _read_snapshot(self) -> tuple[int, list[Document]]:
        with self._factory() as session:
            version = kb_version(session)
            return version, documents_from(session, self.settings)

    def _read_synonyms(self) -> dict[str, str]:
        with self._factory() as session:
            return admin_synonyms(session)

    def _read_kb_version(self) -> int:
        with self._factory() as session:
            return kb_version(session)

    def _after_commit(self, session: Session) -> None:
        if not session.info.pop("kb_changed", False):
            return
        if self.version < 0:
            return  # nothing served yet: the first search builds the index
        try:
            self.prepare()
        except Exception:  # the write is committed; searches catch up at the next check
            logger.exception("building the knowledge index after a change failed")

    def search(self, query: str, limit: int = 5) -> list[Hit]:  # type: ignore[override]
        """The hits for ``query`` (empty when the knowledge base has no answer)."""
        result, _ = self.query(query, limit)
        return result.hits

    def query(
        self, query: str, limit: int = 5, *, service: str = "", fields: Sequence[str] = ()
    ) -> tuple[SearchResult, int]:
        """Hits, outcome, confidence and decision for ``query``, and the kb version."""
        return LiveSearcher.search(self, query, limit, service=service, fields=fields)


def _note_kb_change(session: Session, _context: object) -> None:
    if any(isinstance(obj, KnowledgeBaseState) for obj in (*session.new, *session.dirty)):
        session.info["kb_changed"] = True


def _forget_kb_change(session: Session) -> None:
    session.info.pop("kb_changed", None)
