"""Grouping unresolved questions: normalised, duplicates counted, similar ones clustered.

Character n-gram TF-IDF (robust to Persian spelling variants and colloquial endings) and
average-linkage agglomerative clustering on cosine distances; biggest groups first.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from sklearn.cluster import AgglomerativeClustering
from sklearn.feature_extraction.text import TfidfVectorizer
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from backend_api.console.models import IgnoreRule
from backend_api.unresolved.models import UnresolvedQuestion
from nlu.normalize import normalize, remove_punctuation

logger = logging.getLogger(__name__)

DISTANCE = 0.65  # cosine distance under which questions join a group (average linkage)
EXAMPLES = 8
CANDIDATES = 5


@dataclass(frozen=True)
class Question:
    """One unresolved question as the grouping sees it."""

    id: int
    text: str
    candidates: Sequence[dict[str, Any]]
    created_at: dt.datetime


@dataclass
class Group:
    """Similar questions, with what the assistant considered and a suggested FAQ."""

    key: int  # the group's oldest question id: stable while the group lasts
    title: str
    size: int
    ids: list[int]
    examples: list[tuple[str, int]]  # distinct wordings and how often each was asked
    candidates: list[dict[str, Any]]
    last_at: dt.datetime
    suggestion: dict[str, Any] = field(default_factory=dict)


def canonical(text: str) -> str:
    """The form in which two questions count as the same: normalised, no punctuation."""
    return remove_punctuation(normalize(text)).strip()


def _labels(texts: list[str], distance: float) -> np.ndarray:
    if len(texts) < 2:
        return np.zeros(len(texts), dtype=int)
    vectors = TfidfVectorizer(
        analyzer="char_wb", ngram_range=(2, 4), sublinear_tf=True
    ).fit_transform(texts)
    similarity = (vectors @ vectors.T).toarray().astype(np.float32)
    distances = np.clip(1.0 - similarity, 0.0, 2.0)
    model = AgglomerativeClustering(
        n_clusters=None, metric="precomputed", linkage="average", distance_threshold=distance
    )
    return model.fit_predict(distances)


def _service_of(candidates: list[dict[str, Any]]) -> str:
    for candidate in candidates:
        ident = str(candidate.get("id", ""))
        if ident.startswith("service:"):
            return ident.split(":")[1][:11]
    return ""


def group(questions: list[Question], distance: float = DISTANCE) -> list[Group]:
    """Cluster ``questions``; biggest groups first, then the most recent."""
    wordings: dict[str, list[Question]] = defaultdict(list)
    for question in questions:
        key = canonical(question.text)
        if key:
            wordings[key].append(question)
    texts = list(wordings)
    labels = _labels(texts, distance)
    members: dict[int, list[str]] = defaultdict(list)
    for text, label in zip(texts, labels, strict=True):
        members[int(label)].append(text)
    groups = [_make_group([wordings[t] for t in ts]) for ts in members.values()]
    groups.sort(key=lambda g: (-g.size, -g.last_at.timestamp()))
    return groups


def _make_group(wordings: list[list[Question]]) -> Group:
    wordings.sort(key=lambda qs: -len(qs))
    every = [q for qs in wordings for q in qs]
    best: dict[str, dict[str, Any]] = {}
    for question in every:
        for candidate in question.candidates:
            ident = str(candidate.get("id", ""))
            if ident and (ident not in best or candidate.get("score", 0) > best[ident]["score"]):
                best[ident] = {
                    "id": ident,
                    "title": str(candidate.get("title", "")),
                    "score": float(candidate.get("score", 0)),
                }
    candidates = sorted(best.values(), key=lambda c: -c["score"])[:CANDIDATES]
    examples = [(qs[0].text, len(qs)) for qs in wordings[:EXAMPLES]]
    title = examples[0][0]
    return Group(
        key=min(q.id for q in every),
        title=title,
        size=len(every),
        ids=sorted(q.id for q in every),
        examples=examples,
        candidates=candidates,
        last_at=max(q.created_at for q in every),
        suggestion={
            "question": title,
            "alternatives": [text for text, _ in examples[1:]],
            "service_code": _service_of(candidates),
        },
    )


def ignore_phrases(session: Session) -> list[str]:
    """The ignore rules' phrases, normalised."""
    return [canonical(p) for p in session.scalars(select(IgnoreRule.phrase)) if canonical(p)]


def is_ignored(text: str, phrases: list[str]) -> bool:
    """Tell whether a question contains one of the ignore phrases."""
    key = canonical(text)
    return any(phrase in key for phrase in phrases)


def load_questions(session: Session, limit: int) -> list[Question]:
    """The newest ``limit`` questions still waiting, minus those an ignore rule hides."""
    phrases = ignore_phrases(session)
    rows = session.execute(
        select(
            UnresolvedQuestion.id,
            UnresolvedQuestion.question,
            UnresolvedQuestion.candidates,
            UnresolvedQuestion.created_at,
        )
        .where(UnresolvedQuestion.status == "new")
        .order_by(UnresolvedQuestion.id.desc())
        .limit(limit)
    )
    return [
        Question(id=i, text=q, candidates=c or [], created_at=at)
        for i, q, c, at in rows
        if not is_ignored(q, phrases)
    ]


class GroupCache:
    """The current grouping, recomputed only when the waiting questions or the rules change."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._key: tuple[Any, ...] | None = None
        self._groups: list[Group] = []

    def groups(self, session: Session, limit: int) -> list[Group]:
        """Groups of the waiting questions (cached between changes)."""
        waiting = session.execute(
            select(func.count(), func.max(UnresolvedQuestion.id)).where(
                UnresolvedQuestion.status == "new"
            )
        ).one()
        rules = session.execute(select(func.count(), func.max(IgnoreRule.id))).one()
        key = (tuple(waiting), tuple(rules), limit)
        with self._lock:
            if key == self._key:
                return self._groups
            groups = group(load_questions(session, limit))
            self._key, self._groups = key, groups
            logger.info("grouped %s waiting questions into %s groups", waiting[0], len(groups))
            return groups

    def find(self, session: Session, limit: int, key: int) -> Group | None:
        """The group whose oldest question is ``key``."""
        return next((g for g in self.groups(session, limit) if g.key == key), None)


def group_cache(state: Any) -> GroupCache:
    """The app's group cache (made on first use)."""
    cache = getattr(state, "console_groups", None)
    if cache is None:
        cache = state.console_groups = GroupCache()
    return cache


def summary(groups: list[Group]) -> Counter[str]:
    """How many questions and groups there are (for the page's heading)."""
    return Counter(groups=len(groups), questions=sum(g.size for g in groups))
