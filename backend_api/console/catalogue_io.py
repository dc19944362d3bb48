"""Catalogue files through the validated importer: xlsx sheets and CSV files in, xlsx/CSV out."""

from __future__ import annotations

import csv
import io
import re
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.orm import Session

from backend_api.catalogue.transfer import (
    KINDS,
    CatalogueImportError,
    Problem,
    export_catalogue,
    import_bundle,
    load_sources,
)
from backend_api.console.excel import read_sheets, workbook
from backend_api.users.security import Principal

_SAFE = re.compile(r"[^A-Za-z0-9_.-]")


@dataclass
class ImportReport:
    """What an import did, or why it did nothing."""

    counts: dict[str, int]
    problems: list[Problem]
    dry_run: bool


def _kind(name: str) -> str | None:
    stem = Path(name).stem.lower()
    return next((kind for kind in KINDS if stem.startswith(kind)), None)


def _write_csv(path: Path, rows: list[dict[str, str]]) -> None:
    columns = list(dict.fromkeys(k for row in rows for k in row))
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns)
        writer.writeheader()
        writer.writerows(rows)


def stage(filename: str, content: bytes, folder: Path) -> list[Problem]:
    """Put an uploaded xlsx (one sheet per kind) or CSV file in ``folder`` as the importer's
    CSV files; return the problems found with the file itself."""
    name = _SAFE.sub("_", Path(filename or "upload").name) or "upload"
    if name.lower().endswith(".xlsx"):
        try:
            sheets = read_sheets(content)
        except Exception as exc:  # not a readable workbook: the whole file is the problem
            return [Problem(name, 0, f"not a readable xlsx file: {exc.__class__.__name__}")]
        staged = 0
        for title, rows in sheets.items():
            kind = _kind(title)
            if kind is None:
                return [Problem(name, 0, f"sheet '{title}' must be named one of {list(KINDS)}")]
            _write_csv(folder / f"{kind}.csv", rows)
            staged += 1
        return [] if staged else [Problem(name, 0, "the workbook has no sheets")]
    if name.lower().endswith(".csv"):
        if _kind(name) is None:
            return [Problem(name, 0, f"CSV file name must start with one of {list(KINDS)}")]
        (folder / name).write_bytes(content)
        return []
    return [Problem(name, 0, "only .xlsx or .csv files can be imported")]


def import_file(
    session: Session, actor: Principal, filename: str, content: bytes, *, dry_run: bool
) -> ImportReport:
    """Validate an uploaded file and import it; nothing is written unless every row is valid,
    and nothing at all on a dry run."""
    with tempfile.TemporaryDirectory(prefix="dastyar-import-") as tmp:
        folder = Path(tmp)
        problems = stage(filename, content, folder)
        if problems:
            return ImportReport({}, problems, dry_run)
        bundle = load_sources(folder)
        for i, problem in enumerate(bundle.problems):
            # the report names the uploaded file and sheet, not the temporary folder
            bundle.problems[i] = Problem(
                f"{filename} / {Path(problem.file).stem}", problem.row, problem.reason
            )
        if bundle.problems:
            return ImportReport({}, bundle.problems, dry_run)
        try:
            counts = import_bundle(session, bundle, actor)
        except CatalogueImportError as exc:
            problems = [
                Problem(f"{filename} / {Path(p.file).stem}", p.row, p.reason) for p in exc.problems
            ]
            return ImportReport({}, problems, dry_run)
        if dry_run:
            # everything was checked and written in this transaction: undo it all
            session.rollback()
            return ImportReport(counts, [], True)
        return ImportReport(counts, [], False)


def _csv_files(session: Session, folder: Path) -> list[Path]:
    return export_catalogue(session, folder, "csv")


def export_xlsx(session: Session) -> bytes:
    """The catalogue as one workbook, one right-to-left sheet per kind (the import format)."""
    with tempfile.TemporaryDirectory(prefix="dastyar-export-") as tmp:
        sheets = []
        for path in _csv_files(session, Path(tmp)):
            with path.open(encoding="utf-8", newline="") as handle:
                reader = csv.reader(handle)
                header = next(reader, [])
                sheets.append((path.stem, header, list(reader)))
        return workbook(sheets)


def export_csv_zip(session: Session) -> bytes:
    """The catalogue as a zip of the importer's CSV files."""
    buffer = io.BytesIO()
    with (
        tempfile.TemporaryDirectory(prefix="dastyar-export-") as tmp,
        zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive,
    ):
        for path in _csv_files(session, Path(tmp)):
            archive.write(path, path.name)
    return buffer.getvalue()
