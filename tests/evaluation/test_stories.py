"""Every conversation test story (data/tests/test_stories.yml) passes on the trained model."""

from __future__ import annotations

from tests.evaluation.rasa_cli import newest_model, rasa


def test_every_conversation_test_story_passes(tmp_path):
    rasa(
        "test",
        "core",
        "--stories",
        "data/tests/test_stories.yml",
        "--model",
        str(newest_model()),
        "--out",
        str(tmp_path),
        "--fail-on-prediction-errors",
    )
    failed = (tmp_path / "failed_test_stories.yml").read_text(encoding="utf-8")
    assert "None of the test stories failed" in failed, failed
