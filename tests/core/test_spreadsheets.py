import datetime
import io
import zipfile

import openpyxl
import pytest
from openpyxl.styles import Font

from core import spreadsheets
from core.spreadsheets import SpreadsheetError, read_table

COLUMNS = {"name": ("名稱", "協會名稱"), "township": ("鄉鎮市", "行政區"), "date": ("成立日期",)}
REQUIRED = ("名稱", "協會名稱")
ROWS = [["鄉鎮市", "名稱", "成立日期"], ["竹北市", "斗崙社區發展協會", "810913"]]


def _csv_text(rows, newline="\n"):
    return newline.join(",".join(row) for row in rows) + newline


def _read(data: bytes, name: str = "roster.csv", **kwargs):
    return read_table(columns=COLUMNS, required=REQUIRED, data=data, name=name, **kwargs)


def _xlsx(rows, *, title_rows=0, merged=False) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for _ in range(title_rows):
        sheet.append(["新竹縣社區發展協會名冊"])
    if merged:
        sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=3)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("encoding", "newline", "prefix"),
    [
        ("utf-8", "\n", b""),
        ("utf-8", "\r\n", b"\xef\xbb\xbf"),
        ("cp950", "\n", b""),
        ("utf-16", "\r\n", b""),
        ("utf-16-le", "\r\n", b""),
    ],
)
def test_csv_is_read_in_every_encoding_without_being_told(encoding, newline, prefix):
    table = _read(prefix + _csv_text(ROWS, newline).encode(encoding))

    assert table.rows[0].values == {"township": "竹北市", "name": "斗崙社區發展協會", "date": "810913"}


def test_big5_only_characters_are_read_through_the_hkscs_superset():
    data = _csv_text([["名稱"], ["堃社區發展協會"]]).encode("big5hkscs")

    assert _read(data).rows[0].get("name") == "堃社區發展協會"


def test_title_rows_above_the_header_are_skipped_and_row_numbers_stay_the_files():
    table = _read(_csv_text([["新竹縣社區發展協會名冊"], ["製表日期 114/09/25"], *ROWS]).encode())

    assert (table.header_row, table.rows[0].number) == (3, 4)


def test_a_merged_title_cell_in_xlsx_is_skipped():
    table = _read(_xlsx(ROWS, title_rows=1, merged=True), name="roster.xlsx")

    assert table.header_row == 2
    assert table.rows[0].get("name") == "斗崙社區發展協會"


def test_header_row_is_the_one_with_most_known_headers():
    data = _csv_text(
        [["協會名稱一覽"], ["名稱"], ["鄉鎮市", "名稱", "成立日期"], ["竹北市", "斗崙", "810913"]]
    )

    assert _read(data.encode()).header_row == 3


def test_no_header_in_the_first_rows_is_a_clear_error():
    with pytest.raises(SpreadsheetError, match="找不到標題列"):
        _read(_csv_text([["a", "b"], ["c", "d"]]).encode())


def test_blank_rows_are_skipped_and_counted():
    data = _csv_text([ROWS[0], [",,"], ROWS[1], ["  ,,"], ROWS[1]]).encode()

    table = _read(data)

    assert [row.number for row in table.rows] == [3, 5]
    assert table.blank_rows == 2


def test_thousands_of_formatted_empty_rows_in_xlsx_are_skipped():
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in ROWS:
        sheet.append(row)
    for number in range(3, 20_000, 7):
        sheet.cell(row=number, column=2).font = Font(bold=True)  # styled, empty: written into the file
    buffer = io.BytesIO()
    workbook.save(buffer)

    table = _read(buffer.getvalue(), name="roster.xlsx")

    assert len(table.rows) == 1
    assert table.blank_rows > 2_800


def test_excel_date_cells_arrive_as_dates():
    table = _read(_xlsx([ROWS[0], ["竹北市", "斗崙", datetime.datetime(1992, 9, 13)]]), name="r.xlsx")

    assert table.rows[0].get("date") == datetime.datetime(1992, 9, 13)


def test_xls_files_are_read():
    xlwt = pytest.importorskip("xlwt")
    book = xlwt.Workbook()
    sheet = book.add_sheet("名冊")
    for r, row in enumerate(ROWS):
        for c, value in enumerate(row):
            sheet.write(r, c, value)
    buffer = io.BytesIO()
    book.save(buffer)

    table = _read(buffer.getvalue(), name="roster.xls")

    assert (table.format, table.rows[0].get("name")) == ("xls", "斗崙社區發展協會")


def test_a_csv_named_xls_is_read_by_its_content():
    table = _read(_csv_text(ROWS).encode("cp950"), name="roster.xls")

    assert (table.format, table.rows[0].get("name")) == ("csv", "斗崙社區發展協會")


def test_a_missing_sheet_names_the_sheets_the_file_has():
    with pytest.raises(SpreadsheetError, match="沒有名為「名冊」的工作表（有：Sheet）"):
        _read(_xlsx(ROWS), name="roster.xlsx", sheet="名冊")


def test_unknown_and_duplicate_columns_are_listed():
    data = _csv_text([["編號", "名稱", "協會名稱", "備考"], ["1", "斗崙", "北崙", "x"]]).encode()

    table = _read(data)

    assert (table.unknown_columns, table.duplicate_columns) == (["編號", "備考"], ["協會名稱"])
    assert table.rows[0].get("name") == "斗崙"


def test_headers_match_without_spaces_case_full_width_or_bracketed_notes():
    data = _csv_text([["名 稱(必填)", "ＥＭＡＩＬ"], ["斗崙", "a@b.tw"]]).encode()

    table = read_table(columns={"name": ("名稱",), "email": ("email",)}, required=("名稱",), data=data)

    assert table.rows[0].values == {"name": "斗崙", "email": "a@b.tw"}


def test_a_file_over_the_size_limit_is_refused_before_reading(tmp_path, monkeypatch):
    monkeypatch.setattr(spreadsheets, "MAX_FILE_BYTES", 100)
    path = tmp_path / "big.csv"
    path.write_bytes(b"x" * 101)

    with pytest.raises(SpreadsheetError, match="檔案太大"):
        spreadsheets.read_bytes(path)


def test_more_data_rows_than_the_limit_are_refused(monkeypatch):
    monkeypatch.setattr(spreadsheets, "MAX_DATA_ROWS", 3)
    data = _csv_text([ROWS[0], *[ROWS[1]] * 4]).encode()

    with pytest.raises(SpreadsheetError, match="資料超過 3 列（第 5 列起）"):
        _read(data)


def _zip_with(member: bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/worksheets/sheet1.xml", member)
    return buffer.getvalue()


def test_an_xlsx_with_an_absurd_compression_ratio_is_refused_before_parsing():
    with pytest.raises(SpreadsheetError, match="壓縮比異常"):
        _read(_zip_with(b" " * (8 * 1024 * 1024)), name="bomb.xlsx")


def test_an_xlsx_too_large_uncompressed_is_refused(monkeypatch):
    monkeypatch.setattr(spreadsheets, "MAX_XLSX_UNCOMPRESSED_BYTES", 1000)

    with pytest.raises(SpreadsheetError, match="解壓縮後"):
        _read(_zip_with(b"<x/>" * 500), name="big.xlsx")


def test_a_damaged_xlsx_is_an_unreadable_file_not_a_crash():
    with pytest.raises(SpreadsheetError, match="無法開啟 Excel 檔案"):
        _read(b"PK\x03\x04 not really a zip", name="broken.xlsx")


def test_xlsx_xml_is_parsed_through_defusedxml():
    from openpyxl import xml

    assert xml.DEFUSEDXML is True


def test_cells_escaped_against_formulas_are_read_back_as_written():
    data = _csv_text([["名稱"], ["'=1+2"], ["''x"], ["'abc"]]).encode()

    assert [row.get("name") for row in _read(data).rows] == ["=1+2", "'x", "'abc"]
