"""Writing tables for people to open in a spreadsheet program: .xlsx or .csv (UTF-8 with a byte-order mark,
so Excel on a Chinese Windows reads it right). Knows nothing of any domain: callers pass headers and rows
of already formatted values.

Every text cell that a spreadsheet program would run as a formula (it starts with =, +, -, @, a tab or a
carriage return) is written with a leading apostrophe; `core.spreadsheets.read_table` removes it again, so
an exported file imports back unchanged.
"""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import IO
from urllib.parse import quote

from django.http import HttpResponse

from core.spreadsheets import FORMULA_TRIGGERS

Cell = str | int | float | datetime.date | None

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
FORMATS = ("xlsx", "csv")


def escape_formula(value: Cell) -> Cell:
    """A text cell that would start a formula gets a leading apostrophe; so does one that already starts
    with an apostrophe before such a character, so that reading it back gives exactly what was written."""
    if not isinstance(value, str) or not value:
        return value
    if value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    if value.startswith("'") and value[1:2] in (*FORMULA_TRIGGERS, "'"):
        return "'" + value
    return value


def _text(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    return str(value)


def write_csv(stream: IO[str], *, headers: Sequence[str], rows: Iterable[Sequence[Cell]]) -> None:
    """CSV with CRLF line ends; the caller opens `stream` with encoding "utf-8-sig" (or writes the BOM)."""
    writer = csv.writer(stream, lineterminator="\r\n")
    writer.writerow([escape_formula(h) for h in headers])
    for row in rows:
        writer.writerow([_text(escape_formula(cell)) for cell in row])


def write_xlsx(
    stream: IO[bytes], *, headers: Sequence[str], rows: Iterable[Sequence[Cell]], title: str = "Sheet1"
) -> None:
    """One sheet, header row in bold and frozen, every text cell stored as text (never as a formula)."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31])
    sheet.freeze_panes = "A2"
    for index, header in enumerate(headers):
        letter = _column_letter(index)
        sheet.column_dimensions[letter].width = max(10, min(40, len(header) * 4))
    bold = Font(bold=True)
    header_cells = []
    for header in headers:
        cell = WriteOnlyCell(sheet, value=escape_formula(header))
        cell.font = bold
        header_cells.append(cell)
    sheet.append(header_cells)
    for row in rows:
        cells = []
        for value in row:
            value = escape_formula(value)
            cell = WriteOnlyCell(sheet, value=value)
            if isinstance(value, str):
                cell.data_type = "s"  # openpyxl would otherwise store a leading "=" as a formula
            cells.append(cell)
        sheet.append(cells)
    workbook.save(stream)


def _column_letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(index + 1)


def write_table(
    path: Path, *, headers: Sequence[str], rows: Iterable[Sequence[Cell]], title: str = ""
) -> str:
    """Write to `path` as .xlsx or .csv, chosen by its extension; returns the format written."""
    fmt = path.suffix.lower().lstrip(".")
    if fmt not in FORMATS:
        raise ValueError(f"不支援的匯出格式「{path.suffix}」，請使用 .xlsx 或 .csv。")
    if fmt == "csv":
        with path.open("w", encoding="utf-8-sig", newline="") as stream:
            write_csv(stream, headers=headers, rows=rows)
    else:
        with path.open("wb") as stream:
            write_xlsx(stream, headers=headers, rows=rows, title=title or path.stem)
    return fmt


def table_response(
    *, filename: str, fmt: str, headers: Sequence[str], rows: Iterable[Sequence[Cell]], title: str = ""
) -> HttpResponse:
    """An attachment download of the table; `filename` without extension, any script (RFC 6266/5987)."""
    if fmt not in FORMATS:
        raise ValueError(fmt)
    if fmt == "csv":
        text = io.StringIO()
        write_csv(text, headers=headers, rows=rows)
        response = HttpResponse(("\ufeff" + text.getvalue()).encode("utf-8"), content_type=CSV_CONTENT_TYPE)
    else:
        buffer = io.BytesIO()
        write_xlsx(buffer, headers=headers, rows=rows, title=title or filename)
        response = HttpResponse(buffer.getvalue(), content_type=XLSX_CONTENT_TYPE)
    full = f"{filename}.{fmt}"
    response["Content-Disposition"] = f"attachment; filename=\"export.{fmt}\"; filename*=UTF-8''{quote(full)}"
    return response
