"""Excel files: right-to-left sheets written with XlsxWriter, read back with openpyxl."""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

import xlsxwriter
from openpyxl import load_workbook

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def workbook(sheets: Sequence[tuple[str, Sequence[str], Sequence[Sequence[Any]]]]) -> bytes:
    """An xlsx file with one right-to-left sheet per ``(name, header, rows)``."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_urls": False})
    bold = book.add_format({"bold": True, "bg_color": "#EEF2F6"})
    for name, header, rows in sheets:
        sheet = book.add_worksheet(name[:31])
        sheet.right_to_left()
        sheet.write_row(0, 0, list(header), bold)
        widths = [len(str(h)) for h in header]
        for r, row in enumerate(rows, start=1):
            for c, value in enumerate(row):
                # text that looks like a formula is written as text: a sheet never runs user data
                if isinstance(value, str):
                    sheet.write_string(r, c, value)
                elif value is None:
                    sheet.write_blank(r, c, None)
                else:
                    sheet.write(r, c, value)
                if c < len(widths):
                    widths[c] = max(widths[c], min(len(str(value)), 60))
        for c, width in enumerate(widths):
            sheet.set_column(c, c, width + 2)
        sheet.freeze_panes(1, 0)
    book.close()
    return buffer.getvalue()


def read_sheets(content: bytes) -> dict[str, list[dict[str, str]]]:
    """Every sheet of an xlsx file as rows of ``{header: text}`` (empty rows skipped)."""
    book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    sheets: dict[str, list[dict[str, str]]] = {}
    for sheet in book.worksheets:
        rows = sheet.iter_rows(values_only=True)
        header = [str(h).strip() if h is not None else "" for h in next(rows, ())]
        records = []
        for row in rows:
            if row is None or all(v is None or str(v).strip() == "" for v in row):
                continue
            records.append({h: _text(v) for h, v in zip(header, row, strict=False) if h})
        sheets[sheet.title] = records
    book.close()
    return sheets


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if hasattr(value, "date") and hasattr(value, "isoformat"):
        return value.date().isoformat() if hasattr(value, "hour") else value.isoformat()
    return str(value)
