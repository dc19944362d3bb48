"""A searcher built for an offline run (evaluation, calibration): its options and vector cache."""

from __future__ import annotations

import argparse
from pathlib import Path

from knowledge.index import artefacts
from knowledge.index.documents import Document
from knowledge.index.embedders import get_embedder
from knowledge.search import Searcher
from knowledge.settings import KnowledgeSettings


def add_searcher_options(parser: argparse.ArgumentParser) -> None:
    """The options every offline command shares: which retriever, where vectors are kept."""
    parser.add_argument("--retriever", choices=("lexical", "dense", "hybrid"))
    parser.add_argument(
        "--cache-dir", type=Path, help="reuse and save passage vectors here (by content hash)"
    )


def settings_from(args: argparse.Namespace) -> KnowledgeSettings:
    """The configured settings (``DASTYAR_KNOWLEDGE_*``), with ``--retriever`` if given."""
    settings = KnowledgeSettings()
    if args.retriever:
        settings = settings.model_copy(update={"retriever": args.retriever})
    return settings


def build_searcher(
    documents: list[Document], settings: KnowledgeSettings, cache_dir: Path | None = None
) -> Searcher:
    """A searcher over ``documents``; with ``cache_dir``, vectors saved there are reused (by
    content hash) and the built index is saved back."""
    embedder = get_embedder(settings) if settings.retriever != "lexical" else None
    if embedder is not None and cache_dir is not None:
        artefacts.seed_cache(cache_dir, embedder)
    searcher = Searcher.build(documents, settings)
    if embedder is not None and cache_dir is not None:
        artefacts.save(searcher.index, cache_dir, kb_version=0)
    return searcher
