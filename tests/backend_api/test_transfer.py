"""Catalogue import and export: the sample catalogue, every format, and all-or-nothing imports."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from sqlalchemy import func, select

from backend_api.catalogue.models import Service
from backend_api.catalogue.transfer import (
    CatalogueImportError,
    collect,
    export_catalogue,
    import_bundle,
    load_sources,
)
from backend_api.db import make_engine, make_session_factory
from backend_api.faq.models import Faq
from backend_api.users.security import Principal

SAMPLE = Path(__file__).resolve().parents[2] / "data" / "catalogue"
CLI = Principal("test", "admin")


@pytest.fixture
def session(database_url):
    engine = make_engine(database_url)
    factory = make_session_factory(engine)
    with factory() as s:
        yield s
    engine.dispose()


def test_the_sample_catalogue_is_complete_and_valid(session):
    bundle = load_sources(SAMPLE)
    assert bundle.problems == []
    counts = import_bundle(session, bundle, CLI)
    session.commit()
    assert counts["services"] >= 80
    assert counts["faqs"] >= 250
    assert len({s.agency for s in bundle.services}) >= 15
    assert len({s.cluster for s in bundle.services}) >= 10
    for card in bundle.services:
        assert card.documents and card.steps and card.description
        assert card.channels.url or card.channels.offices
    per_service = {s.code: 0 for s in bundle.services}
    for faq in bundle.faqs:
        if faq.service:
            per_service[faq.service] += 1
    assert min(per_service.values()) >= 2
    text = "".join(p.read_text(encoding="utf-8") for p in SAMPLE.rglob("*.yaml"))
    assert "ي" not in text and "ك" not in text


@pytest.mark.parametrize("fmt", ["yaml", "json", "csv"])
def test_export_then_import_round_trips(session, tmp_path, fmt, database_url):
    import_bundle(session, load_sources(SAMPLE), CLI)
    session.commit()
    before = collect(session)
    export_catalogue(session, tmp_path / fmt, fmt)
    reloaded = load_sources(tmp_path / fmt)
    assert reloaded.problems == []
    services = sorted(
        (c.model_dump(mode="json") for c in reloaded.services), key=lambda c: c["code"]
    )
    faqs = sorted((f.model_dump() for f in reloaded.faqs), key=lambda f: f["id"])
    assert services == before["services"]
    assert faqs == before["faqs"]


def write(path: Path, data: dict) -> Path:
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def test_a_bad_row_refuses_the_whole_import_and_says_where(session, tmp_path):
    good = yaml.safe_load((Path(__file__).parents[1] / "data" / "mini_catalogue.yaml").read_text())
    bad = json.loads(json.dumps(good, default=str))
    bad["services"][1]["code"] = "12"  # not 11 digits
    bad["services"][2]["cost"] = {"kind": "fixed"}  # fixed without an amount
    bad["faqs"][0]["service"] = "99999999999"  # unknown service
    source = write(tmp_path / "catalogue.yaml", bad)
    with pytest.raises(CatalogueImportError) as caught:
        import_bundle(session, load_sources(source), CLI)
    session.rollback()
    reasons = [str(p) for p in caught.value.problems]
    assert any("row 2" in r and "code" in r for r in reasons)
    assert any("row 3" in r and "amount" in r for r in reasons)
    assert any("unknown service '99999999999'" in r for r in reasons)
    assert session.scalar(select(func.count()).select_from(Service)) == 0
    assert session.scalar(select(func.count()).select_from(Faq)) == 0


def test_unknown_agency_duplicate_codes_and_broken_files_are_reported(session, tmp_path):
    mini = yaml.safe_load((Path(__file__).parents[1] / "data" / "mini_catalogue.yaml").read_text())
    mini = json.loads(json.dumps(mini, default=str))
    mini["services"][0]["agency"] = "no-such-agency"
    mini["services"].append(dict(mini["services"][1]))
    folder = tmp_path / "src"
    folder.mkdir()
    write(folder / "a.yaml", mini)
    (folder / "broken.yaml").write_text("services: [unclosed", encoding="utf-8")
    (folder / "misc.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(CatalogueImportError) as caught:
        import_bundle(session, load_sources(folder), CLI)
    reasons = "\n".join(str(p) for p in caught.value.problems)
    assert "unknown agency 'no-such-agency'" in reasons
    assert "duplicate service '10101000001'" in reasons
    assert "broken.yaml, row 0: not valid YAML" in reasons
    assert "misc.csv" in reasons


def test_reimport_updates_in_place(session, tmp_path):
    mini = Path(__file__).parents[1] / "data" / "mini_catalogue.yaml"
    import_bundle(session, load_sources(mini), CLI)
    session.commit()
    data = yaml.safe_load(mini.read_text())
    data = json.loads(json.dumps(data, default=str))
    data["services"][0]["title"] = "صدور گذرنامهٔ عادی (ویرایش)"
    import_bundle(session, load_sources(write(tmp_path / "v2.yaml", data)), CLI)
    session.commit()
    titles = set(session.scalars(select(Service.title)))
    assert "صدور گذرنامهٔ عادی (ویرایش)" in titles
    assert session.scalar(select(func.count()).select_from(Service)) == 3
