"""Training keeps the newest few model archives, not one more on every run."""

from __future__ import annotations

import os

from assistant.rasa_tasks import prune_models


def test_only_the_newest_models_are_kept(tmp_path):
    for age, name in enumerate(["e.tar.gz", "d.tar.gz", "c.tar.gz", "b.tar.gz", "a.tar.gz"]):
        path = tmp_path / name
        path.write_bytes(b"model")
        os.utime(path, (1_000_000 - age, 1_000_000 - age))  # e is the newest, a the oldest
    (tmp_path / "notes.txt").write_text("not a model")

    deleted = prune_models(tmp_path, keep=3)

    assert sorted(p.name for p in deleted) == ["a.tar.gz", "b.tar.gz"]
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "c.tar.gz",
        "d.tar.gz",
        "e.tar.gz",
        "notes.txt",
    ]
