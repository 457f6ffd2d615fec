"""Reading tabular files the way county rosters arrive: .xlsx, .xls or .csv in whatever encoding, with title
rows above the header and blank rows scattered through. Knows nothing of any domain: callers name the
columns they want by their possible headers.

Untrusted input is bounded before it is parsed: the file size, the number of data rows, and for .xlsx the
declared uncompressed size and compression ratio of the zip archive (a zip bomb is refused before a single
byte is inflated). XML inside .xlsx is parsed by openpyxl through defusedxml, which refuses entity
expansion ("billion laughs") and external entities.
"""

from __future__ import annotations

import csv
import datetime
import io
import unicodedata
import zipfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext as _

from core.text import normalize_text

#: How far down a header row may sit below title rows.
HEADER_SEARCH_ROWS = 20
CSV_ENCODINGS = ("utf-8", "cp950", "big5hkscs")

#: Limits on untrusted files (module attributes so a test can tighten them; a deployment sets
#: IMPORT_MAX_BYTES and IMPORT_MAX_ROWS).
MAX_FILE_BYTES: int = settings.IMPORT_MAX_BYTES
MAX_DATA_ROWS: int = settings.IMPORT_MAX_ROWS
MAX_XLSX_UNCOMPRESSED_BYTES = 200 * 1024 * 1024
MAX_XLSX_RATIO = 200
MAX_XLSX_MEMBERS = 500
#: Members smaller than this are not judged by their ratio (tiny XML parts compress oddly well).
XLSX_RATIO_FLOOR_BYTES = 1024 * 1024

#: A cell written by `core.exports` with a protective apostrophe starts with ' and then one of these.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")

_ZIP_MAGIC = b"PK\x03\x04"
_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


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
    format: str = ""  # "csv", "xlsx" or "xls": what the bytes are, whatever the file name says
    blank_rows: int = 0  # blank rows skipped below the header
    duplicate_columns: list[str] = field(default_factory=list)  # a second column under a known header


def header_key(text: object) -> str:
    """Headers compared without spaces, case, full-width forms or the brackets some files add (名稱(必填))."""
    key = normalize_text(text).replace(" ", "").casefold()
    for bracket in ("(", "["):
        if bracket in key and key.index(bracket) > 0:
            key = key[: key.index(bracket)]
    return key


def unescape_formula(value: object) -> object:
    """Undo the apostrophe `core.exports.escape_formula` puts before a cell that would run as a formula."""
    if isinstance(value, str) and value.startswith("'") and value[1:2] in (*FORMULA_TRIGGERS, "'"):
        return value[1:]
    return value


# --- Bytes to rows ------------------------------------------------------------------------------------------


def check_size(size: int) -> None:
    if size > MAX_FILE_BYTES:
        raise SpreadsheetError(
            _("檔案太大（%(size)s MB），上限為 %(limit)s MB。")
            % {"size": f"{size / 1024 / 1024:.1f}", "limit": f"{MAX_FILE_BYTES / 1024 / 1024:g}"}
        )


def read_bytes(path: Path) -> bytes:
    """The file's bytes, refusing a missing or oversized file before reading it into memory."""
    if not path.is_file():
        raise SpreadsheetError(_("找不到檔案：%(path)s") % {"path": path})
    check_size(path.stat().st_size)
    data = path.read_bytes()
    check_size(len(data))
    return data


def sniff_format(data: bytes, name: str = "") -> str:
    """What the bytes are: "xlsx", "xls" or "csv". Content wins over the file name, since open-data
    portals publish CSV files named .xls and the like."""
    if data.startswith(_ZIP_MAGIC):
        return "xlsx"
    if data.startswith(_OLE2_MAGIC):
        return "xls"
    suffix = Path(name).suffix.lower()
    if suffix in ("", ".csv", ".txt", ".tsv", ".xls", ".xlsx"):
        return "csv"
    raise SpreadsheetError(
        _("不支援的檔案類型「%(suffix)s」，請使用 .xlsx、.xls 或 .csv。") % {"suffix": suffix}
    )


def _utf16_without_bom(data: bytes) -> str | None:
    """UTF-16 without a byte-order mark shows as NUL bytes on one side of most ASCII characters."""
    sample = data[:4096]
    if sample.count(0) < len(sample) // 8:
        return None
    even, odd = sample[0::2].count(0), sample[1::2].count(0)
    return "utf-16-le" if odd > even else "utf-16-be"


def decode_csv(data: bytes) -> tuple[str, str]:
    """Decode CSV bytes: a byte-order mark decides (UTF-8 or UTF-16); else UTF-16 by its NUL bytes, strict
    UTF-8, then Big5 (cp950, then the HKSCS superset)."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="strict"), "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError as exc:
            raise SpreadsheetError(_("檔案標示為 UTF-16，但內容無法解讀。")) from exc
    encodings = CSV_ENCODINGS
    if guess := _utf16_without_bom(data):
        encodings = (guess, *encodings)
    for encoding in encodings:
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    raise SpreadsheetError(_("無法判讀檔案的文字編碼（支援 UTF-8、UTF-16 與 Big5）。"))


def _looks_binary(text: str) -> bool:
    """Bytes that decoded "successfully" into control, unassigned or surrogate characters are no CSV.
    (Private-use characters are allowed: Big5 files carry user-defined characters for rare names.)"""
    sample = text[:4096]
    odd = sum(1 for c in sample if (c not in "\t\r\n" and unicodedata.category(c) in ("Cc", "Cn", "Cs")))
    return odd > max(len(sample) // 100, 0) or "\x00" in text


def _csv_rows(data: bytes) -> tuple[Iterable[Sequence[object]], str]:
    text, encoding = decode_csv(data)
    if _looks_binary(text):
        raise SpreadsheetError(_("無法判讀檔案內容：不是文字檔，也不是 Excel 檔（可能已損壞）。"))
    sample = text[:4096]
    delimiter = "\t" if sample.count("\t") > sample.count(",") else ","
    return csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), encoding


def check_xlsx_archive(data: bytes) -> None:
    """Refuse a zip bomb from the archive's directory alone, before anything is inflated.

    zipfile stops inflating a member at its declared size and checks its CRC, so the declared sizes the
    checks rely on cannot be exceeded by a lying archive."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise SpreadsheetError(
            _("無法開啟 Excel 檔案：壓縮格式損壞（%(reason)s）。") % {"reason": exc}
        ) from exc
    if len(members) > MAX_XLSX_MEMBERS:
        raise SpreadsheetError(_("Excel 檔案內含的項目過多（%(n)d 個），拒絕讀取。") % {"n": len(members)})
    total = sum(member.file_size for member in members)
    if total > MAX_XLSX_UNCOMPRESSED_BYTES:
        raise SpreadsheetError(
            _("Excel 檔案解壓縮後達 %(size)s MB，超過上限 %(limit)s MB，拒絕讀取。")
            % {
                "size": f"{total / 1024 / 1024:.0f}",
                "limit": f"{MAX_XLSX_UNCOMPRESSED_BYTES / 1024 / 1024:g}",
            }
        )
    for member in members:
        if member.file_size < XLSX_RATIO_FLOOR_BYTES:
            continue
        ratio = member.file_size / max(member.compress_size, 1)
        if ratio > MAX_XLSX_RATIO:
            raise SpreadsheetError(
                _("Excel 檔案的壓縮比異常（%(ratio)d 倍，上限 %(limit)d 倍），疑似壓縮炸彈，拒絕讀取。")
                % {"ratio": ratio, "limit": MAX_XLSX_RATIO}
            )


def _xlsx_rows(data: bytes, sheet: str | None) -> Iterator[Sequence[object]]:
    import openpyxl

    check_xlsx_archive(data)
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a damaged file
        raise SpreadsheetError(_("無法開啟 Excel 檔案：%(reason)s") % {"reason": exc}) from exc
    if sheet and sheet not in workbook.sheetnames:
        raise SpreadsheetError(
            _("檔案中沒有名為「%(sheet)s」的工作表（有：%(names)s）。")
            % {"sheet": sheet, "names": "、".join(workbook.sheetnames)}
        )
    worksheet = workbook[sheet] if sheet else workbook.worksheets[0]
    # The stored dimension is often wrong: too small cuts data off, A1:M1048576 makes openpyxl pad a
    # million empty rows. Without it, openpyxl yields the rows the sheet really holds.
    worksheet.reset_dimensions()

    def rows() -> Iterator[Sequence[object]]:
        try:
            yield from worksheet.iter_rows(values_only=True)
        except Exception as exc:  # damaged XML surfaces while iterating
            raise SpreadsheetError(_("Excel 檔案內容損壞：%(reason)s") % {"reason": exc}) from exc
        finally:
            workbook.close()

    return rows()


def _xls_rows(data: bytes, sheet: str | None) -> Iterator[Sequence[object]]:
    import xlrd

    try:
        book = xlrd.open_workbook(file_contents=data, on_demand=True)
    except Exception as exc:
        raise SpreadsheetError(_("無法開啟 Excel 97-2003 檔案：%(reason)s") % {"reason": exc}) from exc
    try:
        worksheet = book.sheet_by_name(sheet) if sheet else book.sheet_by_index(0)
    except xlrd.biffh.XLRDError as exc:
        raise SpreadsheetError(
            _("檔案中沒有名為「%(sheet)s」的工作表（有：%(names)s）。")
            % {"sheet": sheet, "names": "、".join(book.sheet_names())}
        ) from exc

    def rows() -> Iterator[Sequence[object]]:
        for index in range(worksheet.nrows):
            cells: list[object] = []
            for cell in worksheet.row(index):
                if cell.ctype == xlrd.XL_CELL_DATE:
                    try:
                        cells.append(xlrd.xldate.xldate_as_datetime(cell.value, book.datemode))
                    except (ValueError, OverflowError):
                        cells.append(cell.value)
                elif cell.ctype == xlrd.XL_CELL_NUMBER and float(cell.value).is_integer():
                    cells.append(int(cell.value))
                elif cell.ctype in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK):
                    cells.append(None)
                else:
                    cells.append(cell.value)
            yield cells

    return rows()


def iter_raw_rows(
    path: Path | None = None, *, data: bytes | None = None, name: str = "", sheet: str | None = None
) -> tuple[Iterable[Sequence[object]], str | None, str]:
    """Rows of cells from `data` (or the file at `path`), with the text encoding (CSV only) and the format."""
    if data is None:
        if path is None:
            raise TypeError("iter_raw_rows needs a path or data")
        data = read_bytes(path)
    check_size(len(data))
    kind = sniff_format(data, name or (path.name if path else ""))
    if kind == "xlsx":
        return _xlsx_rows(data, sheet), None, kind
    if kind == "xls":
        return _xls_rows(data, sheet), None, kind
    rows, encoding = _csv_rows(data)
    return rows, encoding, kind


def _is_blank(cells: Sequence[object]) -> bool:
    return all(cell is None or (isinstance(cell, str) and not cell.strip()) for cell in cells)


def _header_score(cells: Sequence[object], wanted: Mapping[str, str], required: set[str]) -> int:
    """How many known headers a row holds; 0 unless one of them is required."""
    keys = [header_key(cell) for cell in cells]
    if not required.intersection(keys):
        return 0
    return len({wanted[k] for k in keys if k in wanted})


def read_table(
    path: Path | None = None,
    *,
    columns: Mapping[str, Sequence[str]],
    required: Sequence[str] = (),
    sheet: str | None = None,
    data: bytes | None = None,
    name: str = "",
    max_rows: int | None = None,
) -> Table:
    """Read `data` (or the file at `path`) into rows keyed by our column names.

    `columns` maps each key to the headers it may appear under. The header row is the row among the top
    HEADER_SEARCH_ROWS that holds a header in `required` (or, without `required`, any known header) and the
    most known headers, so merged title rows above it are skipped. Blank rows are skipped and counted; row
    numbers stay the file's own. More than `max_rows` (default MAX_DATA_ROWS) data rows is refused.
    """
    limit = MAX_DATA_ROWS if max_rows is None else max_rows
    raw, encoding, kind = iter_raw_rows(path, data=data, name=name, sheet=sheet)
    wanted = {header_key(h): key for key, headers in columns.items() for h in headers}
    required_keys = {header_key(h) for h in required} or set(wanted)

    iterator = enumerate(raw, start=1)
    top: list[tuple[int, list[object]]] = []
    for number, cells in iterator:
        top.append((number, list(cells)))
        if number >= HEADER_SEARCH_ROWS:
            break
    scored = [(_header_score(cells, wanted, required_keys), number, cells) for number, cells in top]
    best = max((s for s, _n, _c in scored), default=0)
    if best == 0:
        names = "、".join(dict.fromkeys(required or [h for hs in columns.values() for h in hs][:3]))
        raise SpreadsheetError(
            _("在檔案前 %(n)d 列找不到標題列（應含「%(names)s」）。")
            % {"n": HEADER_SEARCH_ROWS, "names": names}
        )
    header_number, header_cells = next((n, c) for s, n, c in scored if s == best)

    positions: dict[int, str] = {}
    found: dict[str, str] = {}
    unknown: list[str] = []
    duplicates: list[str] = []
    for index, cell in enumerate(header_cells):
        key = header_key(cell)
        if key in wanted and wanted[key] not in found:
            positions[index] = wanted[key]
            found[wanted[key]] = normalize_text(cell)
        elif key in wanted:
            duplicates.append(normalize_text(cell))
        elif key:
            unknown.append(normalize_text(cell))
    table = Table(
        columns=found,
        unknown_columns=unknown,
        header_row=header_number,
        encoding=encoding,
        format=kind,
        duplicate_columns=duplicates,
    )

    def below_header() -> Iterator[tuple[int, Sequence[object]]]:
        yield from ((n, c) for n, c in top if n > header_number)
        yield from iterator

    for number, cells in below_header():
        if _is_blank(cells):
            table.blank_rows += 1
            continue
        if len(table.rows) >= limit:
            raise SpreadsheetError(
                _("資料超過 %(limit)s 列（第 %(row)d 列起），請分檔匯入。")
                % {"limit": f"{limit:,}", "row": number}
            )
        values = {key: _cell(cells[i]) for i, key in positions.items() if i < len(cells)}
        table.rows.append(Row(number=number, values=values))
    return table


def _cell(value: object) -> object:
    if isinstance(value, str):
        return unescape_formula(value)
    if isinstance(value, datetime.datetime | datetime.date):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value
