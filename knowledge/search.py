"""Searching with a verdict: the ranked hits plus answer / ambiguous / unknown and a confidence."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from knowledge.deciding.asks import AskedFields
from knowledge.deciding.decide import Decision, Families, answer_service, decide
from knowledge.deciding.verdict import Judge, Outcome, Verdict, load_calibration
from knowledge.index.documents import Document, Hit
from knowledge.locale import FIELDS, load_texts
from knowledge.ranking.focus import asking_part
from knowledge.ranking.lexicon import Lexicon, base_synonyms
from knowledge.ranking.reading import QueryReader, Reading
from knowledge.ranking.retriever import KnowledgeIndex, Ranking, group_of
from knowledge.settings import KnowledgeSettings


@dataclass(frozen=True)
class SearchResult:
    """Hits for a question and what to do with them.

    ``outcome``: ``answer`` (give the first hit), ``ambiguous`` (offer ``candidates``: the best
    hit of each of the first few different answers — another field of the card, another
    service or FAQ — "did you mean …?") or ``unknown`` (the knowledge
    base does not answer it; ``hits`` is then empty and ``candidates`` keeps the near misses for
    staff). ``confidence`` is the calibrated probability that the first hit is right.
    """

    query: str
    outcome: Outcome
    confidence: float
    hits: list[Hit]
    candidates: list[Hit] = field(default_factory=list)
    known: float = float("nan")  # calibrated probability that the knowledge base answers it
    ranking: Ranking | None = None
    decision: Decision | None = None  # what to tell the citizen (service first, then fields)
    reading: Reading | None = None  # how the question was read (repaired, expanded)

    @property
    def best(self) -> Hit | None:
        """The first hit, when the outcome is ``answer``."""
        return self.hits[0] if self.outcome == "answer" and self.hits else None


def distinct_answers(
    hits: list[Hit], limit: int, key: Callable[[Document], str] = group_of
) -> list[Hit]:
    """The best hit for each ``key`` (default: each service, or general FAQ), best first."""
    seen: set[str] = set()
    out = []
    for hit in hits:
        key_ = key(hit.document)
        if key_ not in seen:
            seen.add(key_)
            out.append(hit)
            if len(out) == limit:
                break
    return out


class Searcher:
    """A built index with its calibration."""

    def __init__(
        self,
        index: KnowledgeIndex,
        judge: Judge,
        max_candidates: int = 3,
        *,
        lexicon: Lexicon | None = None,
        templates_file: Path | None = None,
    ) -> None:
        self.index = index
        self.judge = judge
        self.max_candidates = max_candidates
        texts = load_texts(templates_file) if templates_file else load_texts()
        self.reader = QueryReader.for_documents(
            index.documents, lexicon or Lexicon.of(base_synonyms())
        )
        self.asked = AskedFields.from_texts(texts)
        self.families = Families(
            frozenset(texts.variant_words),
            frozenset(texts.generic_heads),
            frozenset(texts.base_variant_words),
        )

    def answer_field(self, document: Document) -> str:
        """The card field a document answers ("" for a FAQ whose question names none)."""
        key = self.index.answer_key(document)
        name = key.rsplit(":", 1)[-1] if ":" in key and not key.startswith("faq:") else ""
        return name if name in FIELDS else ""

    @classmethod
    def build(
        cls,
        documents: list[Document],
        settings: KnowledgeSettings,
        lexicon: Lexicon | None = None,
        **kwargs: object,
    ) -> Searcher:
        """Build the configured index and load its calibration."""
        from knowledge.index.embedders import get_embedder

        kind = settings.retriever
        embedder = get_embedder(settings) if kind != "lexical" else None
        index = KnowledgeIndex.build(documents, settings, embedder, **kwargs)  # type: ignore[arg-type]
        return cls(
            index,
            judge_for(index, settings.calibration_file),
            lexicon=lexicon,
            templates_file=settings.templates_file,
        )

    def rank(self, query: str, limit: int = 10) -> tuple[Reading, Ranking]:
        """How ``query`` was read, and the ranking of what was searched."""
        reading = self.reader.read(query)
        return reading, self.index.search(reading.search_text, limit)

    def search(
        self, query: str, limit: int = 5, *, service: str = "", fields: Sequence[str] = ()
    ) -> SearchResult:
        """Hits, verdict and decision for ``query``; with ``service``, the decision answers
        that service (``fields`` of it, or those the question asks)."""
        reading, ranking = self.rank(query, max(limit, 10))
        verdict = self.judge.judge(ranking.features)
        if verdict.outcome == "unknown" and not service:
            verdict = self._second_reading(query, ranking, verdict)
        candidates = distinct_answers(ranking.hits, self.max_candidates, self.index.answer_key)
        hits = [] if verdict.outcome == "unknown" and not service else ranking.hits[:limit]
        if service:
            decision = answer_service(
                reading.text,
                service,
                ranking.hits,
                self.asked,
                self.answer_field,
                self.index.document,
                fields,
            )
        else:
            decision = decide(
                reading.text,
                verdict.outcome,
                verdict.confidence,
                ranking.hits,
                self.asked,
                self.families,
                self.answer_field,
                self.index.document,
            )
        return SearchResult(
            query=query,
            outcome=verdict.outcome,
            confidence=verdict.confidence,
            hits=hits,
            candidates=candidates,
            known=verdict.known,
            ranking=ranking,
            decision=decision,
            reading=reading,
        )

    def _second_reading(self, query: str, ranking: Ranking, verdict: Verdict) -> Verdict:
        """The verdict on the asking part of a story (:mod:`knowledge.ranking.focus`) when it
        points to the same service as the whole question and is surer; else ``verdict``."""
        part = asking_part(query)
        if part is None or not ranking.hits:
            return verdict
        _, focused = self.rank(part, 10)
        if not focused.hits or group_of(focused.hits[0].document) != group_of(
            ranking.hits[0].document
        ):
            return verdict
        second = self.judge.judge(focused.features)
        return second if second.known > verdict.known else verdict


def judge_for(index: KnowledgeIndex, calibration_file: Path) -> Judge:
    """The calibration that fits ``index`` (its retriever and embedder)."""
    embedder = index.embedder.calibration_name if index.embedder is not None else ""
    return load_calibration(calibration_file, index.kind, embedder)
