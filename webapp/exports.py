"""Spreadsheet downloads (CSV and XLSX) that are safe to open in Excel or LibreOffice.

A cell whose text starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is
read as a formula by spreadsheet programs, so a registrant who types
``=HYPERLINK(...)`` as their organisation could run it on an organiser's machine. Every
text cell goes through ``safe_cell``, which first removes the control characters no
spreadsheet keeps (so ``"\x01=cmd"`` cannot turn into ``=cmd`` later) and then prefixes
such values with an apostrophe (OWASP "CSV injection"). XLSX files go further: every
text cell is written as a string cell, which no spreadsheet evaluates. Use
``csv_response`` / ``xlsx_response`` for every export.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any
from urllib.parse import quote

from flask import Response

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
# Control characters that the XLSX format cannot hold (openpyxl refuses them) and that
# spreadsheet programs drop on import: removed before the formula check.
_CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

CSV_MIMETYPE = "text/csv; charset=utf-8"
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def safe_cell(value: Any) -> Any:
    """``value`` made safe for a spreadsheet cell.

    Text that a spreadsheet would read as a formula gets a leading apostrophe; lists
    are joined with "; "; numbers, booleans, dates and ``None`` pass unchanged.
    """
    if value is None or isinstance(value, bool | int | float | date | datetime):
        return value
    if isinstance(value, list | tuple | set):
        value = "; ".join(str(v) for v in value)
    text = _CONTROL_CHARACTERS.sub("", str(value))
    if text.startswith(FORMULA_PREFIXES):
        return "'" + text
    return text


def _safe_row(row: Iterable[Any]) -> list[Any]:
    return [safe_cell(v) for v in row]


def _disposition(filename: str) -> str:
    ascii_name = filename.encode("ascii", "replace").decode().replace("?", "_").replace('"', "")
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"


def _csv_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat(sep=" ", timespec="minutes")
    if isinstance(value, date):
        return value.isoformat()
    return value


def csv_bytes(header: Sequence[str], rows: Iterable[Iterable[Any]]) -> bytes:
    """A UTF-8 CSV (with a byte-order mark, so Excel reads accents right)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(_safe_row(header))
    for row in rows:
        writer.writerow([_csv_value(v) for v in _safe_row(row)])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _xlsx_value(value: Any) -> Any:
    if isinstance(value, datetime) and value.tzinfo is not None:
        # Spreadsheets have no time zones: write the wall-clock time the caller chose.
        return value.replace(tzinfo=None)
    return value


def _append_row(sheet: Any, values: Iterable[Any]) -> None:
    """Append one row; text goes into string cells, never read as a formula."""
    sheet.append([_xlsx_value(v) for v in _safe_row(values)])
    for cell in sheet[sheet.max_row]:
        if isinstance(cell.value, str):
            cell.data_type = "s"


def xlsx_bytes(
    header: Sequence[str], rows: Iterable[Iterable[Any]], *, sheet_title: str = "Sheet"
) -> bytes:
    """An XLSX workbook with one sheet: a bold, frozen header row and the rows."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook(write_only=False)
    sheet = workbook.active
    sheet.title = re.sub(r"[\[\]:*?/\\]", " ", sheet_title)[:31] or "Sheet"
    _append_row(sheet, header)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    for row in rows:
        _append_row(sheet, row)
    for cell in sheet[1]:
        width = max((len(str(c.value or "")) for c in sheet[cell.column_letter][:200]), default=8)
        sheet.column_dimensions[cell.column_letter].width = min(max(width + 2, 8), 60)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def csv_response(filename: str, header: Sequence[str], rows: Iterable[Iterable[Any]]) -> Response:
    """A download of ``rows`` as ``filename`` (CSV, every cell neutralised)."""
    return Response(
        csv_bytes(header, rows),
        mimetype=CSV_MIMETYPE,
        headers={"Content-Disposition": _disposition(filename), "Cache-Control": "no-store"},
    )


def xlsx_response(
    filename: str,
    header: Sequence[str],
    rows: Iterable[Iterable[Any]],
    *,
    sheet_title: str = "Sheet",
) -> Response:
    """A download of ``rows`` as ``filename`` (XLSX, every cell neutralised)."""
    return Response(
        xlsx_bytes(header, rows, sheet_title=sheet_title),
        mimetype=XLSX_MIMETYPE,
        headers={"Content-Disposition": _disposition(filename), "Cache-Control": "no-store"},
    )
