"""`python -m assistant catalogue import|export` on a real SQLite database."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from assistant.cli import main
from assistant.settings import get_settings

MINI = Path(__file__).resolve().parents[1] / "data" / "mini_catalogue.yaml"


@pytest.fixture(autouse=True)
def data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("DASTYAR_DATA_DIR", str(tmp_path / "var"))
    monkeypatch.delenv("DASTYAR_BACKEND_DATABASE_URL", raising=False)
    get_settings.cache_clear()
    yield tmp_path
    get_settings.cache_clear()


def test_import_then_export(tmp_path, capsys):
    assert main(["catalogue", "import", str(MINI)]) == 0
    assert "imported" in capsys.readouterr().err
    assert main(["catalogue", "export", str(tmp_path / "out"), "--format", "yaml"]) == 0
    exported = yaml.safe_load((tmp_path / "out" / "services" / "passport.yaml").read_text())
    assert exported["services"][0]["code"] == "10202000001"


def test_a_dry_run_writes_nothing(tmp_path):
    assert main(["catalogue", "import", str(MINI), "--dry-run"]) == 0
    assert main(["catalogue", "export", str(tmp_path / "out"), "--format", "json"]) == 0
    assert '"services": []' in (tmp_path / "out" / "catalogue.json").read_text()


def test_problems_are_listed_and_the_exit_code_is_non_zero(tmp_path, capsys):
    bad = tmp_path / "bad.yaml"
    bad.write_text("services:\n  - code: '1'\n    title: x\n", encoding="utf-8")
    assert main(["catalogue", "import", str(bad)]) == 1
    err = capsys.readouterr().err
    assert "Nothing was imported" in err
    assert f"{bad}, row 1:" in err
