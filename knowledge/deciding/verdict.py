"""Answer confidence and the three outcomes: answer, ambiguous ("did you mean"), unknown.

Two small logistic regressions over the evidence a ranking carries (cosine of the first hit and
its lead over other services, the share of the question's words it contains, …):

* ``answer`` — the probability that the first hit's *service* is the one asked about (the
  reported confidence; which field to answer is read from the question,
  :mod:`knowledge.deciding.asks`);
* ``known`` — the probability that the knowledge base answers the question at all (the right
  service among the first three).

This module applies them: ``unknown`` below ``known_threshold``; ``answer`` at or above
``answer_threshold``; in between, ``ambiguous``. Parameters live in a small versioned JSON file
(``knowledge/calibration.json``), fitted on the dev set by
:mod:`knowledge.evaluating.fit_calibration` with every weight kept ≥ 0, so confidence never falls
when the evidence grows.
"""

from __future__ import annotations

import json
import logging
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np

logger = logging.getLogger(__name__)

FORMAT_VERSION = 1
# How the file is refitted (stored in it, and named when a calibration is missing).
REFIT_COMMAND = "python -m knowledge.evaluating.fit_calibration"
Outcome = Literal["answer", "ambiguous", "unknown"]

# Evidence each model reads, per retriever (what it can measure); all "higher means more
# confident". ``answer_gap``: the first hit's lead over the best hit that gives a different
# answer (another field or another service) — what tells a right answer from a near miss.
_KNOWN = {
    "hybrid": ("dense", "dense_best", "dense_margin", "coverage", "coverage_best", "fused_margin"),
    "dense": ("dense", "dense_best", "dense_margin"),
    "lexical": ("coverage", "coverage_best", "lexical_log", "fused_margin_rel"),
}
# Both models read service-level evidence: the answer is decided for a service first and its
# fields after (knowledge.deciding.decide), so a lead over another field of the same card is no
# evidence.
FEATURES: dict[str, dict[str, tuple[str, ...]]] = {
    kind: {"known": names, "answer": names} for kind, names in _KNOWN.items()
}


def feature_vector(features: Mapping[str, float], names: Sequence[str]) -> list[float]:
    """The named features of a ranking (derived ones computed here)."""
    derived = dict(features)
    derived.setdefault("lexical_log", math.log1p(max(features.get("lexical", 0.0), 0.0)))
    fused = features.get("fused", 0.0)
    for name in ("fused_margin", "answer_gap"):
        derived.setdefault(f"{name}_rel", features.get(name, 0.0) / fused if fused > 0 else 0.0)
    return [float(derived.get(name, 0.0)) for name in names]


@dataclass(frozen=True)
class Logistic:
    """A fitted logistic regression over standardised features."""

    features: tuple[str, ...]
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    coef: tuple[float, ...]
    intercept: float

    def probability(self, features: Mapping[str, float]) -> float:
        """P(label = 1) for one ranking's features."""
        x = np.asarray(feature_vector(features, self.features), dtype=np.float64)
        z = (x - np.asarray(self.mean)) / np.asarray(self.scale)
        logit = float(z @ np.asarray(self.coef)) + self.intercept
        return 1.0 / (1.0 + math.exp(-max(min(logit, 50.0), -50.0)))

    def to_json(self) -> dict[str, Any]:
        """The parameters, JSON-ready."""
        return {
            "features": list(self.features),
            "mean": list(self.mean),
            "scale": list(self.scale),
            "coef": list(self.coef),
            "intercept": self.intercept,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Logistic:
        """Parameters read back from :meth:`to_json`."""
        return cls(
            tuple(data["features"]),
            tuple(float(v) for v in data["mean"]),
            tuple(float(v) for v in data["scale"]),
            tuple(float(v) for v in data["coef"]),
            float(data["intercept"]),
        )


@dataclass(frozen=True)
class Verdict:
    """What to do with a ranking: the outcome and the confidence it rests on."""

    outcome: Outcome
    confidence: float  # P(first hit is right)
    known: float  # P(the knowledge base answers the question)


@dataclass(frozen=True)
class Calibration:
    """The answer and known models of one retriever, with their thresholds."""

    retriever: str
    embedder: str
    answer: Logistic
    known: Logistic
    answer_threshold: float
    known_threshold: float
    report: dict[str, Any] = field(default_factory=dict)

    def judge(self, features: Mapping[str, float]) -> Verdict:
        """The outcome for a ranking with these features."""
        if features.get("empty"):
            return Verdict("unknown", 0.0, 0.0)
        confidence = self.answer.probability(features)
        known = self.known.probability(features)
        if known < self.known_threshold:
            return Verdict("unknown", confidence, known)
        if confidence >= self.answer_threshold:
            return Verdict("answer", confidence, known)
        return Verdict("ambiguous", confidence, known)

    def to_json(self) -> dict[str, Any]:
        """JSON-ready parameters."""
        return {
            "retriever": self.retriever,
            "embedder": self.embedder,
            "answer": self.answer.to_json(),
            "known": self.known.to_json(),
            "answer_threshold": self.answer_threshold,
            "known_threshold": self.known_threshold,
            "report": self.report,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Calibration:
        """Parameters read back from :meth:`to_json`."""
        return cls(
            str(data["retriever"]),
            str(data["embedder"]),
            Logistic.from_json(data["answer"]),
            Logistic.from_json(data["known"]),
            float(data["answer_threshold"]),
            float(data["known_threshold"]),
            dict(data.get("report") or {}),
        )


class Uncalibrated:
    """Used when no calibration fits the retriever and embedder: first hit answers, if any."""

    retriever = "none"
    embedder = "none"

    def judge(self, features: Mapping[str, float]) -> Verdict:
        """``answer`` when there is a hit, ``unknown`` otherwise; confidence is unknown (NaN)."""
        if features.get("empty"):
            return Verdict("unknown", 0.0, 0.0)
        return Verdict("answer", math.nan, math.nan)


Judge = Calibration | Uncalibrated


def calibration_key(retriever: str, embedder: str) -> str:
    """The key of a calibration in the file (lexical ones do not depend on the embedder)."""
    return "lexical" if retriever == "lexical" else f"{retriever}|{embedder}"


def read_calibrations(path: Path) -> dict[str, Any]:
    """The whole calibration file (an empty one if missing)."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {"format": FORMAT_VERSION, "calibrations": {}}
    if data.get("format") != FORMAT_VERSION:
        raise ValueError(f"{path}: calibration format {data.get('format')!r}")
    return dict(data)


def load_calibration(path: Path, retriever: str, embedder: str) -> Judge:
    """The calibration for this retriever and embedder, or :class:`Uncalibrated`."""
    try:
        data = read_calibrations(path)
    except (OSError, ValueError) as exc:
        logger.warning("calibration file unusable (%s); answers are not calibrated", exc)
        return Uncalibrated()
    entry = data.get("calibrations", {}).get(calibration_key(retriever, embedder))
    if entry is None:
        logger.warning(
            "no calibration for %s with %s in %s; run %s",
            retriever,
            embedder,
            path,
            REFIT_COMMAND,
        )
        return Uncalibrated()
    return Calibration.from_json(entry)


def write_calibration(path: Path, calibration: Calibration, command: str) -> None:
    """Store ``calibration`` in the file (other retrievers' entries are kept)."""
    data = read_calibrations(path)
    data["format"] = FORMAT_VERSION
    data.setdefault("calibrations", {})[
        calibration_key(calibration.retriever, calibration.embedder)
    ] = calibration.to_json()
    data["command"] = command
    Path(path).write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
