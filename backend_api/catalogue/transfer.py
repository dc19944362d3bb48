"""Import and export of the catalogue and FAQs as YAML, JSON or CSV.

An import validates every record first and writes nothing unless all of them are valid.
"""

from __future__ import annotations

import csv
import io
import json
import logging
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from backend_api.audit.service import record_change
from backend_api.catalogue.models import Agency, Cluster, Service
from backend_api.catalogue.schemas import AgencyIn, ClusterIn, ServiceCard
from backend_api.catalogue.service import apply_card, bump_kb_version, card_of
from backend_api.faq.models import Faq
from backend_api.faq.schemas import FaqIn
from backend_api.faq.service import faq_in_of
from backend_api.users.security import Principal

logger = logging.getLogger(__name__)

Format = Literal["yaml", "json", "csv"]
KINDS: dict[str, type[BaseModel]] = {
    "agencies": AgencyIn,
    "clusters": ClusterIn,
    "services": ServiceCard,
    "faqs": FaqIn,
}
LIST_SEPARATOR = " | "
_LIST_FIELDS = {
    "aliases", "prerequisites", "documents", "steps", "inquiries", "legal_basis",
    "channels.offices", "alternatives", "tags",
}  # fmt: skip


@dataclass(frozen=True)
class Problem:
    """One reason a record cannot be imported."""

    file: str
    row: int
    reason: str

    def __str__(self) -> str:
        return f"{self.file}, row {self.row}: {self.reason}"


@dataclass
class Bundle:
    """Validated records ready to import, and the problems found on the way."""

    agencies: list[AgencyIn] = field(default_factory=list)
    clusters: list[ClusterIn] = field(default_factory=list)
    services: list[ServiceCard] = field(default_factory=list)
    faqs: list[FaqIn] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    origins: dict[tuple[str, str], tuple[str, int]] = field(default_factory=dict)


class CatalogueImportError(Exception):
    """The sources have problems; nothing was imported."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(f"{len(problems)} problem(s) in the catalogue sources")
        self.problems = problems


def _unflatten(row: dict[str, str]) -> dict[str, Any]:
    record: dict[str, Any] = {}
    for key, raw in row.items():
        if key is None:
            continue
        value: Any = raw
        if key in _LIST_FIELDS:
            value = [part.strip() for part in raw.split("|") if part.strip()] if raw else []
        elif raw == "":
            continue
        target = record
        *parents, leaf = key.split(".")
        for parent in parents:
            target = target.setdefault(parent, {})
        target[leaf] = value
    return record


def _csv_kind(path: Path) -> str | None:
    stem = path.stem.lower()
    return next((kind for kind in KINDS if stem.startswith(kind)), None)


def _read_file(path: Path, problems: list[Problem]) -> dict[str, list[tuple[int, Any]]]:
    """Records in one file, by kind, each with its row number."""
    name = str(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        problems.append(Problem(name, 0, f"cannot read file: {exc}"))
        return {}
    suffix = path.suffix.lower()
    if suffix == ".csv":
        kind = _csv_kind(path)
        if kind is None:
            problems.append(Problem(name, 0, f"CSV file name must start with one of {list(KINDS)}"))
            return {}
        rows = csv.DictReader(io.StringIO(text))
        return {kind: [(i, _unflatten(r)) for i, r in enumerate(rows, start=2)]}
    try:
        data = yaml.safe_load(text) if suffix in (".yaml", ".yml") else json.loads(text)
    except (yaml.YAMLError, json.JSONDecodeError) as exc:
        problems.append(Problem(name, 0, f"not valid {suffix[1:].upper()}: {exc}"))
        return {}
    if not isinstance(data, dict) or not any(k in data for k in KINDS):
        problems.append(Problem(name, 0, f"expected a mapping with one of {list(KINDS)}"))
        return {}
    found: dict[str, list[tuple[int, Any]]] = {}
    for kind in KINDS:
        items = data.get(kind) or []
        if not isinstance(items, list):
            problems.append(Problem(name, 0, f"'{kind}' must be a list"))
            continue
        found[kind] = list(enumerate(items, start=1))
    return found


def _source_files(source: Path) -> list[Path]:
    if source.is_file():
        return [source]
    patterns = ("*.yaml", "*.yml", "*.json", "*.csv")
    return sorted(p for pattern in patterns for p in source.rglob(pattern))


def _reason(exc: ValidationError) -> str:
    parts = []
    for err in exc.errors():
        where = ".".join(str(p) for p in err["loc"]) or "record"
        parts.append(f"{where}: {err['msg']}")
    return "; ".join(parts)


def load_sources(source: Path) -> Bundle:
    """Read and validate every record under ``source`` (a file or a folder)."""
    bundle = Bundle()
    files = _source_files(source)
    if not files:
        bundle.problems.append(Problem(str(source), 0, "no YAML, JSON or CSV files found"))
    for path in files:
        for kind, rows in _read_file(path, bundle.problems).items():
            model = KINDS[kind]
            for row, raw in rows:
                try:
                    record = model.model_validate(raw)
                except ValidationError as exc:
                    bundle.problems.append(Problem(str(path), row, _reason(exc)))
                    continue
                key = (kind, str(getattr(record, "code", None) or getattr(record, "id", "")))
                if key in bundle.origins:
                    first = bundle.origins[key]
                    bundle.problems.append(
                        Problem(
                            str(path),
                            row,
                            f"duplicate {kind[:-1]} '{key[1]}' "
                            f"(first at {first[0]}, row {first[1]})",
                        )
                    )
                    continue
                bundle.origins[key] = (str(path), row)
                getattr(bundle, kind).append(record)
    return bundle


def _check_references(session: Session, bundle: Bundle) -> None:
    agencies = {a.code for a in bundle.agencies} | set(session.scalars(select(Agency.code)))
    numbers = {a.number: a.code for a in bundle.agencies}
    clusters = {c.code for c in bundle.clusters} | set(session.scalars(select(Cluster.code)))
    services = {s.code for s in bundle.services} | set(session.scalars(select(Service.code)))
    seen_numbers: dict[str, str] = {}
    for agency in bundle.agencies:
        if agency.number in seen_numbers:
            origin = bundle.origins[("agencies", agency.code)]
            bundle.problems.append(Problem(*origin, f"agency number {agency.number} is used twice"))
        seen_numbers[agency.number] = agency.code
    for card in bundle.services:
        origin = bundle.origins[("services", card.code)]
        if card.agency not in agencies:
            bundle.problems.append(Problem(*origin, f"unknown agency '{card.agency}'"))
        elif numbers and card.agency in numbers.values():
            number = next(n for n, c in numbers.items() if c == card.agency)
            if not card.code.startswith(number):
                bundle.problems.append(
                    Problem(*origin, f"service code must start with its agency's number {number}")
                )
        if card.cluster not in clusters:
            bundle.problems.append(Problem(*origin, f"unknown cluster '{card.cluster}'"))
    for faq in bundle.faqs:
        if faq.service and faq.service not in services:
            origin = bundle.origins[("faqs", faq.id)]
            bundle.problems.append(Problem(*origin, f"unknown service '{faq.service}'"))


def import_bundle(session: Session, bundle: Bundle, actor: Principal) -> dict[str, int]:
    """Write a validated bundle in the caller's transaction; raise if it has any problem."""
    _check_references(session, bundle)
    if bundle.problems:
        raise CatalogueImportError(bundle.problems)
    agencies = {a.code: a for a in session.scalars(select(Agency))}
    for data in bundle.agencies:
        agency = agencies.get(data.code) or Agency()
        for key, value in data.model_dump().items():
            setattr(agency, key, value)
        session.add(agency)
        agencies[data.code] = agency
    clusters = {c.code: c for c in session.scalars(select(Cluster))}
    for cdata in bundle.clusters:
        cluster = clusters.get(cdata.code) or Cluster()
        cluster.code, cluster.name = cdata.code, cdata.name
        session.add(cluster)
        clusters[cdata.code] = cluster
    session.flush()
    services = {s.code: s for s in session.scalars(select(Service))}
    for card in bundle.services:
        service = services.get(card.code) or Service()
        apply_card(service, card, agencies[card.agency], clusters[card.cluster])
        service.active = True
        session.add(service)
        services[card.code] = service
    session.flush()
    faqs = {f.slug: f for f in session.scalars(select(Faq))}
    for fdata in bundle.faqs:
        faq = faqs.get(fdata.id) or Faq(author=actor.username)
        faq.slug = fdata.id
        faq.service = services[fdata.service] if fdata.service else None
        faq.question, faq.answer = fdata.question, fdata.answer
        faq.alternatives, faq.tags = list(fdata.alternatives), list(fdata.tags)
        faq.status = fdata.status
        session.add(faq)
    counts = {kind: len(getattr(bundle, kind)) for kind in KINDS}
    record_change(session, actor, "import", "catalogue", "*", None, counts)
    bump_kb_version(session)
    session.flush()
    logger.info("imported %s", counts)
    return counts


def collect(session: Session) -> dict[str, list[dict[str, Any]]]:
    """Everything in the catalogue, in the import format."""
    return {
        "agencies": [
            AgencyIn.model_validate(a, from_attributes=True).model_dump()
            for a in session.scalars(select(Agency).order_by(Agency.number))
        ],
        "clusters": [
            {"code": c.code, "name": c.name}
            for c in session.scalars(select(Cluster).order_by(Cluster.id))
        ],
        "services": [card_of(s) for s in session.scalars(select(Service).order_by(Service.code))],
        "faqs": [
            faq_in_of(f).model_dump() for f in session.scalars(select(Faq).order_by(Faq.slug))
        ],
    }


def _flatten(record: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for key, value in record.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(_flatten(value, f"{name}."))
        elif isinstance(value, list):
            flat[name] = LIST_SEPARATOR.join(value)
        else:
            flat[name] = "" if value is None else value
    return flat


def _dump_yaml(data: dict[str, Any]) -> str:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=1000)


def export_catalogue(session: Session, target: Path, fmt: Format) -> list[Path]:
    """Write the catalogue under ``target`` in ``fmt``; return the files written."""
    data = collect(session)
    target.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    if fmt == "json":
        path = target / "catalogue.json"
        path.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
        return [path]
    if fmt == "csv":
        for kind, records in data.items():
            path = target / f"{kind}.csv"
            rows = [_flatten(r) for r in records]
            columns = list(dict.fromkeys(k for r in rows for k in r))
            with path.open("w", encoding="utf-8", newline="") as handle:
                writer = csv.DictWriter(handle, fieldnames=columns)
                writer.writeheader()
                writer.writerows(rows)
            written.append(path)
        return written
    for kind in ("agencies", "clusters"):
        path = target / f"{kind}.yaml"
        path.write_text(_dump_yaml({kind: data[kind]}), encoding="utf-8")
        written.append(path)
    cluster_of = {s["code"]: s["cluster"] for s in data["services"]}
    grouped: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for card in data["services"]:
        grouped[("services", card["cluster"])].append(card)
    for faq in data["faqs"]:
        grouped[("faqs", cluster_of.get(faq["service"], "general"))].append(faq)
    for (kind, cluster), records in sorted(grouped.items()):
        (target / kind).mkdir(exist_ok=True)
        path = target / kind / f"{cluster}.yaml"
        path.write_text(_dump_yaml({kind: records}), encoding="utf-8")
        written.append(path)
    return written
