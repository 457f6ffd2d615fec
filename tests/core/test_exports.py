import io

import openpyxl
import pytest

from core.exports import escape_formula, table_response, write_csv, write_table, write_xlsx
from core.spreadsheets import read_table


@pytest.mark.parametrize("value", ['=HYPERLINK("x")', "+886", "-1", "@SUM(A1)", "\tx", "\rx"])
def test_a_cell_that_would_run_as_a_formula_gets_a_leading_apostrophe(value):
    assert escape_formula(value) == "'" + value


@pytest.mark.parametrize("value", ["斗崙社區", "0937176622", 12, None, ""])
def test_ordinary_cells_are_written_as_they_are(value):
    assert escape_formula(value) == value


def test_xlsx_stores_formula_like_text_as_text():
    buffer = io.BytesIO()
    write_xlsx(buffer, headers=["名稱"], rows=[["=1+1"]])

    cell = openpyxl.load_workbook(io.BytesIO(buffer.getvalue())).active["A2"]

    assert (cell.data_type, cell.value) == ("s", "'=1+1")


def test_csv_is_written_with_crlf_line_ends():
    stream = io.StringIO()
    write_csv(stream, headers=["名稱", "電話"], rows=[["斗崙", "-"]])

    assert stream.getvalue() == "名稱,電話\r\n斗崙,'-\r\n"


def test_csv_file_starts_with_a_byte_order_mark(tmp_path):
    path = tmp_path / "out.csv"
    write_table(path, headers=["名稱"], rows=[["斗崙"]])

    assert path.read_bytes().startswith(b"\xef\xbb\xbf\xe5\x90\x8d")


@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
def test_written_tables_read_back_unchanged(tmp_path, suffix):
    values = ["=1+2", "'=x", "@home", "-", "斗崙"]
    path = tmp_path / f"out{suffix}"
    write_table(path, headers=["名稱"], rows=[[v] for v in values])

    table = read_table(path, columns={"name": ("名稱",)})

    assert [row.get("name") for row in table.rows] == values


def test_an_unknown_export_format_is_refused(tmp_path):
    with pytest.raises(ValueError, match="不支援的匯出格式"):
        write_table(tmp_path / "out.pdf", headers=["名稱"], rows=[])


def test_download_names_the_file_in_chinese():
    response = table_response(filename="名冊", fmt="csv", headers=["名稱"], rows=[])

    assert response["Content-Disposition"].endswith("filename*=UTF-8''%E5%90%8D%E5%86%8A.csv")
    assert response.content.startswith(b"\xef\xbb\xbf")
