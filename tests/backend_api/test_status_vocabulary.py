"""The request statuses have one source (requests/workflow.py); every file that labels them must
label exactly those, with the backend locale's words. A failure names the file and the fix."""

from __future__ import annotations

from pathlib import Path

import yaml

from backend_api.requests.workflow import STATUSES

ROOT = Path(__file__).resolve().parents[2]
BACKEND_LOCALE = ROOT / "data" / "locale" / "backend.fa.yaml"
CONNECTORS_LOCALE = ROOT / "data" / "locale" / "connectors.fa.yaml"
DOMAIN = ROOT / "domain.yml"


def _load(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def _labels() -> dict[str, str]:
    return {str(k): str(v) for k, v in _load(BACKEND_LOCALE)["statuses"].items()}


def _fix(path: Path, block: str) -> str:
    return f"{path.relative_to(ROOT)} drifted from requests/workflow.py; make it read:\n{block}"


def test_the_backend_locale_labels_every_workflow_status_and_no_other() -> None:
    labels = _labels()
    expected = "statuses:\n" + "".join(
        f"  {status}: {labels.get(status, '<Persian label>')}\n" for status in STATUSES
    )
    assert list(labels) == list(STATUSES), _fix(BACKEND_LOCALE, expected)


def test_the_gateway_locale_uses_the_same_statuses_and_words() -> None:
    labels = _labels()
    found = {str(k): str(v) for k, v in _load(CONNECTORS_LOCALE)["status"].items()}
    expected = "status:\n" + "".join(f"  {s}: {labels[s]}\n" for s in STATUSES)
    assert found == {s: labels[s] for s in STATUSES}, _fix(CONNECTORS_LOCALE, expected)


def test_the_assistant_domain_uses_the_same_statuses_and_words() -> None:
    labels = _labels()
    responses = _load(DOMAIN)["responses"]
    found = {
        name.removeprefix("phrase_status_"): variants[0]["text"]
        for name, variants in responses.items()
        if name.startswith("phrase_status_")
    }
    expected = "responses:\n" + "".join(
        f'  phrase_status_{s}:\n    - text: "{labels[s]}"\n' for s in STATUSES
    )
    assert found == {s: labels[s] for s in STATUSES}, _fix(DOMAIN, expected)
