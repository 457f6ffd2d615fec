"""import_applications and export_applications: past years' decided applications in and out."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from subsidies.models import Application, FundingLine, State
from tests.associations.factories import AssociationFactory
from tests.subsidies.factories import configure

HEADER = ["鄉鎮市", "協會名稱", "年度", "補助項目", "計畫名稱", "期程", "經費來源", "申請金額", "核定金額"]


@pytest.fixture
def association(zhunan):
    configure(zhunan.county, year=2025)
    return AssociationFactory(township=zhunan, name="竹南社區發展協會")


def _file(tmp_path, rows, name="applications.csv"):
    path = tmp_path / name
    with path.open("w", encoding="utf-8-sig", newline="") as stream:
        csv.writer(stream).writerows([HEADER, *rows])
    return path


ROW = [
    "竹南",
    "竹南社區發展協會",
    "114",
    "凝聚社區意識活動",
    "中秋晚會",
    "114/09/01~114/09/30",
    "社會福利基金",
    "50000",
    "40000",
]


def _run(path, *extra) -> tuple[int, str]:
    out = io.StringIO()
    try:
        call_command("import_applications", str(path), "--county", "苗栗縣", *extra, stdout=out)
    except CommandError as error:
        return error.returncode, out.getvalue()
    return 0, out.getvalue()


def test_past_applications_arrive_closed_with_their_history_saying_so(tmp_path, association):
    code, _out = _run(_file(tmp_path, [ROW, [*ROW[:6], "公益彩券盈餘分配款", "20000", "20000"]]))

    application = Application.objects.get()
    assert code == 0
    assert (application.case_number, application.state, application.year) == (
        "114-竹南-001",
        State.CLOSED,
        2025,
    )
    assert sorted(FundingLine.objects.values_list("requested", "approved")) == [
        (20_000, 20_000),
        (50_000, 40_000),
    ]
    assert "由歷年資料匯入" in application.transitions.get().note


def test_an_approval_over_the_request_blocks_the_file_naming_the_row(tmp_path, association):
    code, out = _run(_file(tmp_path, [ROW, [*ROW[:4], "重陽敬老", ROW[5], ROW[6], "10000", "12000"]]))

    assert code == 1
    assert "第 3 列「核定金額」" in out
    assert not Application.objects.exists()


def test_an_unknown_item_source_or_association_is_a_blocking_error(tmp_path, association):
    rows = [
        [*ROW[:3], "不存在的項目", *ROW[4:]],
        [*ROW[:6], "不存在的來源", *ROW[7:]],
        ["竹南", "名冊沒有的協會", *ROW[2:]],
    ]

    code, out = _run(_file(tmp_path, rows))

    assert code == 1
    assert ["第 2 列「補助項目」" in out, "第 3 列「經費來源」" in out, "第 4 列「協會名稱」" in out] == [
        True
    ] * 3


def test_a_dry_run_writes_nothing(tmp_path, association):
    assert _run(_file(tmp_path, [ROW]), "--dry-run")[0] == 0
    assert not Application.objects.exists()


def test_importing_the_same_file_twice_adds_nothing(tmp_path, association):
    path = _file(tmp_path, [ROW])
    _run(path)

    _run(path)

    assert Application.objects.count() == 1


def test_an_unreadable_file_exits_2(tmp_path, association):
    path = tmp_path / "broken.xlsx"
    path.write_bytes(b"not a spreadsheet")

    assert _run(path)[0] == 2


def test_the_export_has_the_import_columns_plus_case_number_and_state(tmp_path, association):
    _run(_file(tmp_path, [[*ROW[:4], '=HYPERLINK("x")', *ROW[5:]]]))
    out = tmp_path / "out.csv"

    call_command("export_applications", "2025", str(out), "--county", "苗栗縣", stdout=io.StringIO())

    rows = list(csv.reader(out.open(encoding="utf-8-sig")))
    assert rows[0] == [*HEADER, "案號", "狀態"]
    assert rows[1][4] == '\'=HYPERLINK("x")'
    assert rows[1][6:] == ["縣社會福利基金", "50000", "40000", "114-竹南-001", "已結案"]
