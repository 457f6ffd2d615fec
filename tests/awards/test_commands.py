"""create_award_round, import_scores and export_award_results on the shared import pipeline."""

from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook

from awards import services
from awards.models import AwardLevel, AwardRound, Conflict, Criterion, Entry, ScoreSheet
from awards.results import round_results
from core.models import ImportRecord
from core.roles import Role
from tests.associations.factories import AssociationFactory, StaffFactory
from tests.awards.factories import points
from tests.grading.factories import AssessmentFactory

pytestmark = pytest.mark.django_db


def workbook(path, sheets: dict[str, list[list[object]]]):
    book = Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    book.save(path)
    return path


@pytest.fixture
def associations(zhunan, toufen):
    made = {
        "竹南": AssociationFactory(township=zhunan, name="竹南鎮中美社區發展協會"),
        "頭份": AssociationFactory(township=toufen, name="頭份市山下社區發展協會"),
    }
    for association in made.values():
        AssessmentFactory(association=association, year=2025)
    return made


@pytest.fixture
def judges(db):
    return [StaffFactory(username=f"judge{n}", role=Role.JUDGE) for n in (1, 2)]


SHEETS = {
    "評分項目": [
        ["組別", "評分項目", "配分", "說明"],
        ["績效組", "會務與財務", 40, "會議、帳冊"],
        ["績效組", "社區活動", 60, ""],
    ],
    "參選名單": [
        ["組別", "鄉鎮市", "協會名稱"],
        ["績效組", "竹南", "中美社區發展協會"],
        ["績效組", "頭份市", "山下社區發展協會"],
    ],
    "評審": [["帳號", "迴避"], ["judge1", "中美社區發展協會"], ["judge2", ""]],
    "等第": [["組別", "等第", "最低分數", "名額"], ["績效組", "優等", 85, 1], ["績效組", "甲等", 75, ""]],
}


def create(tmp_path, sheets=SHEETS, code="GE115"):
    path = workbook(tmp_path / "round.xlsx", sheets)
    call_command(
        "create_award_round",
        "115",
        code=code,
        name="115年度金卓越社區選拔",
        workbook=str(path),
        method="trimmed",
    )
    return AwardRound.objects.get(code=code)


def test_a_round_is_created_from_one_workbook(tmp_path, associations, judges):
    award_round = create(tmp_path)

    assert (award_round.year, award_round.method, award_round.state) == (2026, "trimmed", "setup")
    assert list(Criterion.objects.values_list("name", "max_points")) == [
        ("會務與財務", Decimal(40)),
        ("社區活動", Decimal(60)),
    ]
    assert Entry.objects.filter(state=Entry.State.ACCEPTED).count() == 2
    assert list(AwardLevel.objects.values_list("name", "min_score", "quota")) == [
        ("優等", Decimal(85), 1),
        ("甲等", Decimal(75), None),
    ]
    conflict = Conflict.objects.get()
    assert (conflict.judge.username, conflict.entry.association.name) == ("judge1", "竹南鎮中美社區發展協會")


def test_every_problem_is_reported_by_sheet_and_row_and_nothing_is_written(
    tmp_path, associations, judges, capsys
):
    sheets = {
        **SHEETS,
        "評分項目": [["組別", "評分項目", "配分"], ["績效組", "會務", "四十"]],
        "評審": [["帳號", "迴避"], ["nobody", ""]],
    }

    with pytest.raises(CommandError) as error:
        create(tmp_path, sheets)

    assert error.value.returncode == 1
    out = capsys.readouterr().out
    assert "第 2 列「評分項目／配分」" in out
    assert "第 2 列「評審／帳號」" in out
    assert "第 2 列「參選名單／組別」" in out  # 績效組 has no valid criterion left
    assert not AwardRound.objects.exists()
    assert ImportRecord.objects.get().outcome == ImportRecord.Outcome.REJECTED


def test_the_excellence_group_levels_each_require_the_one_below(tmp_path, associations, judges):
    sheets = {
        **SHEETS,
        "評分項目": [["組別", "評分項目", "配分"], ["卓越組", "永續經營", 100]],
        "參選名單": [["組別", "鄉鎮市", "協會名稱"]],
        "評審": [["帳號", "迴避"], ["judge2", ""]],
        "等第": [
            ["組別", "等第", "最低分數", "名額"],
            ["卓越組", "金質卓越獎", 90, 1],
            ["卓越組", "銀質卓越獎", 85, 2],
            ["卓越組", "銅質卓越獎", 80, ""],
        ],
    }

    create(tmp_path, sheets)

    assert list(AwardLevel.objects.values_list("name", "requires_level")) == [
        ("金質卓越獎", "銀質卓越獎"),
        ("銀質卓越獎", "銅質卓越獎"),
        ("銅質卓越獎", ""),
    ]


SCORES = [
    ["評審", "鄉鎮市", "協會名稱", "評分項目", "分數"],
    ["judge2", "竹南鎮", "中美社區發展協會", "會務與財務", 35],
    ["judge2", "竹南鎮", "中美社區發展協會", "社區活動", 50.5],
    ["judge1", "頭份", "山下社區發展協會", "會務與財務", 30],
    ["judge1", "頭份", "山下社區發展協會", "社區活動", 48],
    ["judge2", "頭份", "山下社區發展協會", "會務與財務", 32],
    ["judge2", "頭份", "山下社區發展協會", "社區活動", 44],
]


def _scoring(tmp_path, code="GE115") -> AwardRound:
    award_round = create(tmp_path, code=code)
    award_round.state = AwardRound.State.SCORING
    award_round.save()
    return award_round


def test_imported_scores_are_submitted_sheets(tmp_path, associations, judges):
    award_round = _scoring(tmp_path)

    call_command("import_scores", "GE115", str(workbook(tmp_path / "scores.xlsx", {"分數": SCORES})))

    assert ScoreSheet.objects.filter(state=ScoreSheet.State.SUBMITTED).count() == 3
    lines = {line.entry.association.name: line.result.score for line in round_results(award_round)[0].lines}
    assert lines == {"竹南鎮中美社區發展協會": Decimal("85.50"), "頭份市山下社區發展協會": Decimal("77.00")}


def test_imported_and_typed_scores_give_the_same_results(tmp_path, associations, judges):
    typed = _scoring(tmp_path, code="TYPED")
    by_name = {
        e.association.township.name[:2]: e for e in typed.entries.select_related("association__township")
    }
    criteria = list(Criterion.objects.filter(group__round=typed).order_by("position"))
    judge1, judge2 = judges
    services.sheet_save(actor=judge2, entry=by_name["竹南"], points=points(criteria, 35, "50.5"), submit=True)
    services.sheet_save(actor=judge1, entry=by_name["頭份"], points=points(criteria, 30, 48), submit=True)
    services.sheet_save(actor=judge2, entry=by_name["頭份"], points=points(criteria, 32, 44), submit=True)
    imported = _scoring(tmp_path, code="IMPORTED")  # the same round beside it, its scores imported
    call_command("import_scores", "IMPORTED", str(workbook(tmp_path / "scores.xlsx", {"分數": SCORES})))

    def summary(award_round):
        return [
            (line.entry.association.name, line.result.rank, line.result.score, line.result.level)
            for line in round_results(award_round)[0].lines
        ]

    assert summary(typed) == summary(imported)
    assert summary(typed)[0][2] == Decimal("85.50")


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (["judge1", "竹南", "中美社區發展協會", "會務與財務", 30], "須迴避"),
        (["judge2", "竹南", "中美社區發展協會", "不存在的項目", 30], "沒有這個評分項目"),
        (["judge2", "竹南", "中美社區發展協會", "會務與財務", 41], "0 到 40.0"),
    ],
)
def test_a_blocking_error_names_its_row_and_nothing_is_written(
    tmp_path, associations, judges, capsys, row, message
):
    _scoring(tmp_path)
    path = workbook(tmp_path / "scores.xlsx", {"分數": [*SCORES, row]})

    with pytest.raises(CommandError) as error:
        call_command("import_scores", "GE115", str(path))

    assert error.value.returncode == 1
    out = capsys.readouterr().out
    assert "第 8 列" in out and message in out
    assert not ScoreSheet.objects.exists()


def test_a_dry_run_writes_no_scores(tmp_path, associations, judges):
    _scoring(tmp_path)

    call_command("import_scores", "GE115", str(workbook(tmp_path / "s.xlsx", {"分數": SCORES})), dry_run=True)

    assert not ScoreSheet.objects.exists()


def test_an_unreadable_scores_file_exits_with_2(tmp_path, associations, judges):
    _scoring(tmp_path)
    path = tmp_path / "broken.xlsx"
    path.write_bytes(b"PK\x03\x04 not really a workbook")

    with pytest.raises(CommandError) as error:
        call_command("import_scores", "GE115", str(path))

    assert error.value.returncode == 2


def test_results_export_to_csv(tmp_path, associations, judges):
    _scoring(tmp_path)
    call_command("import_scores", "GE115", str(workbook(tmp_path / "scores.xlsx", {"分數": SCORES})))
    out = tmp_path / "results.csv"

    call_command("export_award_results", "GE115", str(out))

    assert out.read_text(encoding="utf-8-sig").splitlines() == [
        "組別,名次,鄉鎮市,協會名稱,總分,評審人數,各評審總分,等第",
        "績效組,1,竹南鎮,竹南鎮中美社區發展協會,85.50,1,85.50,優等",
        "績效組,2,頭份市,頭份市山下社區發展協會,77.00,2,78.00、76.00,甲等",
    ]
