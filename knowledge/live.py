"""A searcher kept current with a versioned knowledge base, rebuilt in the background.

The knowledge base has a version number (in the backend: ``kb_state.version`` in the database,
so every process sees every other process's changes). A :class:`LiveSearcher` serves one built
index and, at most every ``check_interval`` seconds, compares the version it was built from
with the current one. When they differ it starts a rebuild in a background thread and keeps
serving the old index; the new one replaces it in one assignment when ready. Only the very first
build makes a search wait.

Rebuilds are cheap because nothing unchanged is redone: passage vectors are cached by content
hash (and saved, see :mod:`knowledge.index.artefacts`), analyses by document hash.

:meth:`LiveSearcher.prepare` builds the index for a change made by this process right away (the
backend calls it when an admin's write commits), so the next check swaps it in without waiting.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from knowledge.index import artefacts
from knowledge.index.documents import Document
from knowledge.index.embedders import get_embedder, vector_cache
from knowledge.ranking.lexicon import Lexicon, base_synonyms
from knowledge.ranking.retriever import KnowledgeIndex
from knowledge.search import Searcher, SearchResult, judge_for
from knowledge.settings import KnowledgeSettings

logger = logging.getLogger(__name__)

Snapshot = tuple[int, list[Document]]


@dataclass(frozen=True)
class Served:
    """An index and the knowledge-base version it was built from."""

    searcher: Searcher
    version: int


class LiveSearcher:
    """Serves searches from the latest built index of a versioned document source.

    ``snapshot()`` returns the current version and its documents (read together);
    ``version()`` returns just the version and must be cheap (it runs on checks).
    """

    def __init__(
        self,
        snapshot: Callable[[], Snapshot],
        version: Callable[[], int],
        settings: KnowledgeSettings | None = None,
        *,
        cache_dir: Path | None = None,
        check_interval: float | None = None,
        synonyms: Callable[[], Mapping[str, str]] | None = None,
    ) -> None:
        self.settings = settings or KnowledgeSettings()
        self._synonyms = synonyms  # the admins' additions to the base lexicon, read per build
        self._snapshot = snapshot
        self._read_version = version
        self.cache_dir = cache_dir or self.settings.cache_dir
        self._interval = self.settings.check_interval if check_interval is None else check_interval
        self._checked = 0.0
        self._served: Served | None = None
        self._prepared: Served | None = None
        self._build_lock = threading.Lock()  # one build at a time
        self._state_lock = threading.Lock()
        self._worker: threading.Thread | None = None
        self._loaded_artefact = False
        self.builds = 0  # how many indexes were built (for tests and logs)
        self.last_error: BaseException | None = None

    # --- what is served ---------------------------------------------------------------------

    @property
    def version(self) -> int:
        """The knowledge-base version of the served index (-1 before the first build)."""
        served = self._served
        return served.version if served else -1

    def start(self) -> None:
        """Build the first index in the background now (searches meanwhile wait for it)."""
        if self._served is None and (self._worker is None or not self._worker.is_alive()):
            self._worker = threading.Thread(
                target=self._first_build, name="knowledge-build", daemon=True
            )
            self._worker.start()

    def _first_build(self) -> None:
        try:
            self._ensure_built()
        except Exception as exc:  # the first search tries again and reports the error
            self.last_error = exc
            logger.exception("knowledge index build failed")

    def _ensure_built(self) -> Served:
        served = self._served
        if served is None:
            with self._build_lock:
                if self._served is None:
                    self._served = self._build(*self._snapshot())
                    self._checked = time.monotonic()
                served = self._served
        return served

    def current(self) -> Served:
        """The index to search now (built on first use; checked every ``check_interval``)."""
        served = self._served
        if served is None:
            return self._ensure_built()
        now = time.monotonic()
        if now - self._checked >= self._interval:
            self._checked = now
            self._check(served)
        return self._served or served

    def searcher(self) -> Searcher:
        """The searcher of :meth:`current`."""
        return self.current().searcher

    def search(
        self, query: str, limit: int = 5, *, service: str = "", fields: Sequence[str] = ()
    ) -> tuple[SearchResult, int]:
        """Search the served index; returns the result and the version it came from."""
        served = self.current()
        return served.searcher.search(query, limit, service=service, fields=fields), served.version

    # --- keeping it current -----------------------------------------------------------------

    def _check(self, served: Served) -> None:
        try:
            current = self._read_version()
        except Exception as exc:  # the source is down: keep serving what we have
            logger.warning("knowledge version check failed: %s", exc)
            return
        if current == served.version:
            return
        with self._state_lock:
            prepared = self._prepared
            if prepared is not None and prepared.version == current:
                self._served, self._prepared = prepared, None
                logger.info("knowledge index v%s swapped in", current)
                return
            if self._worker is None or not self._worker.is_alive():
                self._worker = threading.Thread(
                    target=self._rebuild, name="knowledge-rebuild", daemon=True
                )
                self._worker.start()

    def _rebuild(self) -> None:
        try:
            with self._build_lock:
                version, documents = self._snapshot()
                served = self._served
                if served is not None and served.version == version:
                    return
                fresh = self._build(version, documents)
                with self._state_lock:
                    current = self._served
                    if current is None or fresh.version >= current.version:
                        self._served = fresh
                        if self._prepared and self._prepared.version <= fresh.version:
                            self._prepared = None
        except Exception as exc:  # keep serving the old index; the next check retries
            self.last_error = exc
            logger.exception("knowledge index rebuild failed")

    def prepare(self) -> None:
        """Build the index of the current version now; it is served from the next check on."""
        with self._build_lock:
            version, documents = self._snapshot()
            served = self._served
            if served is None or served.version == version:
                return
            if self._prepared is not None and self._prepared.version == version:
                return
            fresh = self._build(version, documents)
            with self._state_lock:
                self._prepared = fresh

    def wait(self, timeout: float = 30.0) -> None:
        """Wait for a background rebuild to finish (tests and tools)."""
        worker = self._worker
        if worker is not None:
            worker.join(timeout)

    def forget(self) -> None:
        """Drop every built index: the next search builds from the source anew (for a source
        replaced wholesale, whose version numbers start again, as between test cases)."""
        self.wait()
        with self._build_lock, self._state_lock:
            self._served = self._prepared = None
            self._checked = 0.0

    # --- building ---------------------------------------------------------------------------

    def _build(self, version: int, documents: list[Document]) -> Served:
        started = time.perf_counter()
        settings = self.settings
        embedder = get_embedder(settings) if settings.retriever != "lexical" else None
        prebuilt = None
        if embedder is not None and self.cache_dir is not None and not self._loaded_artefact:
            self._loaded_artefact = True
            prebuilt = self._load_artefact(documents)
        cache = vector_cache(embedder) if embedder is not None else None
        before = cache.embedded if cache is not None else 0
        index = KnowledgeIndex.build(
            documents, settings, embedder, cache=cache, prebuilt_dense=prebuilt
        )
        extra = self._synonyms() if self._synonyms is not None else {}
        searcher = Searcher(
            index,
            judge_for(index, settings.calibration_file),
            lexicon=Lexicon.of(base_synonyms(), extra),
            templates_file=settings.templates_file,
        )
        embedded = (cache.embedded - before) if cache is not None else 0
        if embedder is not None and self.cache_dir is not None and prebuilt is None:
            try:
                artefacts.save(index, self.cache_dir, version)
            except OSError as exc:
                logger.warning("could not save the knowledge index: %s", exc)
        self.builds += 1
        logger.info(
            "knowledge index v%s built: %d documents, %d passages embedded, %.0f ms",
            version,
            len(documents),
            embedded,
            (time.perf_counter() - started) * 1000,
        )
        return Served(searcher, version)

    def _load_artefact(self, documents: list[Document]) -> tuple[Any, Any] | None:
        """Seed the vector cache from the saved index; its faiss index if the documents match."""
        assert self.cache_dir is not None
        embedder = get_embedder(self.settings)
        saved = artefacts.seed_cache(self.cache_dir, embedder)
        if saved is None:
            return None
        if saved.documents == documents:
            logger.info("saved knowledge index v%s loaded", saved.manifest["kb_version"])
            return saved.vectors, saved.faiss_index
        return None
