"""Environment bootstrap decisions (what gets reinstalled when)."""

from __future__ import annotations

from assistant import bootstrap


def test_the_hash_changes_when_a_requirement_file_changes(tmp_path, monkeypatch):
    (tmp_path / "a.txt").write_text("fastapi==1\n")
    monkeypatch.setattr(bootstrap, "REQUIREMENTS", tmp_path)
    spec = bootstrap.EnvSpec(name="x", files=("a.txt",), steps=())
    first = bootstrap.requirements_hash(spec)
    assert bootstrap.requirements_hash(spec) == first
    (tmp_path / "a.txt").write_text("fastapi==2\n")
    assert bootstrap.requirements_hash(spec) != first


def test_an_up_to_date_env_is_not_touched(tmp_path, monkeypatch):
    (tmp_path / "a.txt").write_text("x\n")
    monkeypatch.setattr(bootstrap, "REQUIREMENTS", tmp_path)
    monkeypatch.setenv("DASTYAR_VENV_ROOT", str(tmp_path / "venvs"))
    spec = bootstrap.EnvSpec(name="x", files=("a.txt",), steps=())
    python = tmp_path / "venvs" / "x" / "bin" / "python"
    python.parent.mkdir(parents=True)
    python.write_text("")
    (tmp_path / "venvs" / "x" / bootstrap.STAMP).write_text(bootstrap.requirements_hash(spec))
    calls = []
    monkeypatch.setattr(bootstrap, "run_logged", lambda *a, **k: calls.append(a))
    assert bootstrap.ensure_env(spec) == python
    assert calls == []


def test_every_env_file_exists_and_rasa_is_installed_without_its_python_cap():
    for spec in bootstrap.ENVS.values():
        for name in spec.files:
            assert (bootstrap.REQUIREMENTS / name).is_file()
    rasa_steps = [step.args for step in bootstrap.ENVS["rasa"].steps]
    assert any("--ignore-requires-python" in args and "--no-deps" in args for args in rasa_steps)
    nodeps = (bootstrap.REQUIREMENTS / "rasa-nodeps.txt").read_text()
    assert "rasa==3.6.21" in nodeps and "rasa-sdk==3.6.2" in nodeps
