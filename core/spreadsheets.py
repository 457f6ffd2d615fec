"""Reading tabular files the way county rosters arrive: .xlsx, .xls or .csv in whatever encoding, with title
rows above the header and blank rows scattered through. Knows nothing of any domain: callers name the
columns they want by their possible headers."""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from django.utils.translation import gettext as _

from core.text import normalize_text

#: How far down a header row may sit below title rows.
HEADER_SEARCH_ROWS = 20
CSV_ENCODINGS = ("utf-8", "cp950", "big5hkscs")


class SpreadsheetError(Exception):
    """The file cannot be read at all (the message, in Chinese, says why)."""


@dataclass
class Row:
    number: int  # the spreadsheet's own 1-based row number, as a clerk sees it
    values: dict[str, object]

    def get(self, key: str, default: object = None) -> object:
        return self.values.get(key, default)


@dataclass
class Table:
    columns: dict[str, str]  # our key -> the header as written in the file
    unknown_columns: list[str]
    rows: list[Row] = field(default_factory=list)
    header_row: int = 1
    encoding: str | None = None


def header_key(text: object) -> str:
    """Headers compared without spaces, full-width forms or the brackets some files add (名稱(必填))."""
    key = normalize_text(text).replace(" ", "")
    for bracket in ("(", "["):
        if bracket in key and key.index(bracket) > 0:
            key = key[: key.index(bracket)]
    return key


def decode_csv(data: bytes) -> tuple[str, str]:
    """Decode CSV bytes: a byte-order mark decides (UTF-8 or UTF-16); else strict UTF-8, then Big5 (cp950)."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8"), "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16"), "utf-16"
    for encoding in CSV_ENCODINGS:
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    raise SpreadsheetError(_("無法判讀檔案的文字編碼（支援 UTF-8、UTF-16 與 Big5）。"))


def _csv_rows(data: bytes) -> tuple[Iterable[Sequence[object]], str]:
    text, encoding = decode_csv(data)
    sample = text[:4096]
    delimiter = "\t" if sample.count("\t") > sample.count(",") else ","
    return csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), encoding


def _xlsx_rows(path: Path, sheet: str | None) -> Iterable[Sequence[object]]:
    import openpyxl

    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a damaged file
        raise SpreadsheetError(_("無法開啟 Excel 檔案：%(reason)s") % {"reason": exc}) from exc
    if sheet and sheet not in workbook.sheetnames:
        raise SpreadsheetError(_("檔案中沒有名為「%(sheet)s」的工作表。") % {"sheet": sheet})
    worksheet = workbook[sheet] if sheet else workbook.worksheets[0]
    return worksheet.iter_rows(values_only=True)


def _xls_rows(path: Path, sheet: str | None) -> Iterable[Sequence[object]]:
    import xlrd

    try:
        book = xlrd.open_workbook(str(path))
    except Exception as exc:
        raise SpreadsheetError(_("無法開啟 Excel 97-2003 檔案：%(reason)s") % {"reason": exc}) from exc
    try:
        worksheet = book.sheet_by_name(sheet) if sheet else book.sheet_by_index(0)
    except xlrd.biffh.XLRDError as exc:
        raise SpreadsheetError(_("檔案中沒有名為「%(sheet)s」的工作表。") % {"sheet": sheet}) from exc
    for index in range(worksheet.nrows):
        cells = []
        for cell in worksheet.row(index):
            if cell.ctype == xlrd.XL_CELL_DATE:
                cells.append(xlrd.xldate.xldate_as_datetime(cell.value, book.datemode))
            elif cell.ctype == xlrd.XL_CELL_NUMBER and float(cell.value).is_integer():
                cells.append(int(cell.value))
            else:
                cells.append(cell.value)
        yield cells


def iter_raw_rows(path: Path, *, sheet: str | None = None) -> tuple[Iterable[Sequence[object]], str | None]:
    suffix = path.suffix.lower()
    if not path.exists():
        raise SpreadsheetError(_("找不到檔案：%(path)s") % {"path": path})
    if suffix == ".xlsx":
        return _xlsx_rows(path, sheet), None
    if suffix == ".xls":
        return _xls_rows(path, sheet), None
    if suffix in (".csv", ".txt"):
        return _csv_rows(path.read_bytes())
    raise SpreadsheetError(
        _("不支援的檔案類型「%(suffix)s」，請使用 .xlsx、.xls 或 .csv。") % {"suffix": suffix or "?"}
    )


def _is_blank(cells: Sequence[object]) -> bool:
    return all(cell is None or (isinstance(cell, str) and not cell.strip()) for cell in cells)


def read_table(
    path: Path,
    *,
    columns: Mapping[str, Sequence[str]],
    required: Sequence[str] = (),
    sheet: str | None = None,
) -> Table:
    """Read `path` into rows keyed by our column names.

    `columns` maps each key to the headers it may appear under. The header row is the first of the top
    HEADER_SEARCH_ROWS rows that holds any header in `required` (or, without `required`, any known header),
    so merged title rows above it are skipped. Blank rows are skipped; row numbers stay the file's own.
    """
    raw, encoding = iter_raw_rows(path, sheet=sheet)
    wanted = {header_key(h): key for key, headers in columns.items() for h in headers}
    required_keys = {header_key(h) for h in required} or set(wanted)
    iterator = iter(raw)
    table: Table | None = None
    for number, cells in enumerate(iterator, start=1):
        cells = list(cells)
        if table is None:
            if number > HEADER_SEARCH_ROWS:
                break
            headers = [header_key(cell) for cell in cells]
            if not required_keys.intersection(headers):
                continue
            positions: dict[int, str] = {}
            found: dict[str, str] = {}
            unknown: list[str] = []
            for index, (cell, key) in enumerate(zip(cells, headers, strict=True)):
                if key in wanted and wanted[key] not in found:
                    positions[index] = wanted[key]
                    found[wanted[key]] = normalize_text(cell)
                elif key:
                    unknown.append(normalize_text(cell))
            table = Table(columns=found, unknown_columns=unknown, header_row=number, encoding=encoding)
            continue
        if _is_blank(cells):
            continue
        values = {positions[i]: _cell(cell) for i, cell in enumerate(cells) if i in positions}
        table.rows.append(Row(number=number, values=values))
    if table is None:
        names = "、".join(dict.fromkeys(required or [h for hs in columns.values() for h in hs][:3]))
        raise SpreadsheetError(
            _("在檔案前 %(n)d 列找不到標題列（應含「%(names)s」）。")
            % {"n": HEADER_SEARCH_ROWS, "names": names}
        )
    return table


def _cell(value: object) -> object:
    if isinstance(value, str):
        return value
    if isinstance(value, datetime.datetime | datetime.date):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value
