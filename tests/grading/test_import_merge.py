"""The compliance import merges a sheet into what is stored (issue 10, items 2-4): meetings matched by kind
and date keep the facts the sheet cannot carry, every removal is shown and a removal that would lose such a
fact needs 「以檔案內容取代」, a sheet without the minutes column says what that means, and an unreadable
date refuses the file."""

import datetime
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from associations.compliance.imports import ComplianceImport
from associations.models import Meeting, YearlyFiling
from core.imports.pipeline import run_import
from core.models import ImportRecord
from tests.associations.factories import AssociationFactory
from tests.grading.factories import MeetingFactory, YearlyFilingFactory

D = datetime.date
NAME = "竹南鎮中港社區發展協會"
WITHOUT_MINUTES = "鄉鎮市,協會名稱,會員大會日期,理事會日期,監事會日期,備註\n"
WITH_MINUTES = "鄉鎮市,協會名稱,會員大會日期,會員大會紀錄送府日期,理事會日期,監事會日期,備註\n"
URL = "/admin/grading/assessment/import/"


@pytest.fixture
def association(zhunan):
    return AssociationFactory(township=zhunan, name=NAME)


def sheet(tmp_path, *rows: str, header: str = WITHOUT_MINUTES) -> Path:
    path = tmp_path / "清查.csv"
    path.write_text(header + "".join(row + "\n" for row in rows), encoding="utf-8")
    return path


def run(path, *args):
    out = StringIO()
    call_command("import_compliance", "112", str(path), *args, stdout=out)
    return out.getvalue()


def refused(path, *args):
    with pytest.raises(CommandError) as error:
        run(path, *args)
    assert error.value.returncode == 1
    return ImportRecord.objects.get().report


# --- item 2: merge, not replace ------------------------------------------------------------------------


def test_a_meeting_on_a_listed_date_keeps_its_minutes_note_and_quorum(tmp_path, association):
    board = MeetingFactory(
        association=association, kind="board", held_on=D(2023, 3, 1), note="補開", quorum_met=False
    )
    run(sheet(tmp_path, f"竹南鎮,{NAME},,112/03/01、112/08/01,,"))
    kept = Meeting.objects.get(pk=board.pk)
    assert (kept.minutes_filed_on, kept.note, kept.quorum_met) == (D(2023, 3, 11), "補開", False)
    assert Meeting.objects.filter(kind="board").count() == 2


def test_a_meeting_the_sheet_no_longer_lists_is_removed(tmp_path, association):
    MeetingFactory(association=association, kind="board", held_on=D(2023, 3, 1), minutes_filed_on=None)
    run(sheet(tmp_path, f"竹南鎮,{NAME},,112/03/05,,"))
    assert list(Meeting.objects.values_list("held_on", flat=True)) == [D(2023, 3, 5)]


def test_the_preview_lists_every_removal_by_association_kind_and_date(tmp_path, association):
    MeetingFactory(association=association, kind="board", held_on=D(2023, 3, 1), minutes_filed_on=None)
    output = run(sheet(tmp_path, f"竹南鎮,{NAME},,112/03/05,,"), "--dry-run")
    assert f"第 2 列 竹南鎮 {NAME}：刪除會議 理事會 112/03/01；新增會議 理事會 112/03/05" in output
    assert "檔案未再列出的已登錄會議共 1 場會被刪除" in output
    assert Meeting.objects.get().held_on == D(2023, 3, 1)


def test_a_blank_cell_keeps_every_meeting_of_its_kind_even_when_replacing(tmp_path, association):
    MeetingFactory(association=association, kind="board", held_on=D(2023, 3, 1), note="補開")
    run(sheet(tmp_path, f"竹南鎮,{NAME},112/05/20,,,"), "--replace")
    assert Meeting.objects.filter(kind="board").count() == 1


def test_removing_a_meeting_with_a_note_is_an_error_naming_association_kind_and_date(tmp_path, association):
    MeetingFactory(
        association=association, kind="board", held_on=D(2023, 3, 1), minutes_filed_on=None, note="補開"
    )
    report = refused(sheet(tmp_path, f"竹南鎮,{NAME},,112/03/05,,"))
    text = report["errors"][0]["text"]
    assert text.startswith(f"第 2 列「理事會日期」：檔案未列出{NAME}的理事會 112/03/01，")
    assert "備註「補開」" in text
    assert Meeting.objects.get().held_on == D(2023, 3, 1)


def test_removing_an_assembly_whose_minutes_date_the_sheet_does_not_give_is_an_error(tmp_path, association):
    MeetingFactory(association=association, held_on=D(2023, 5, 20), minutes_filed_on=D(2023, 6, 1))
    report = refused(sheet(tmp_path, f"竹南鎮,{NAME},112/05/25,,,"))
    assert "會議紀錄送府日期 112/06/01" in report["errors"][0]["text"]
    assert Meeting.objects.get().minutes_filed_on == D(2023, 6, 1)


def test_removing_a_meeting_whose_quorum_was_not_met_is_an_error(tmp_path, association):
    MeetingFactory(
        association=association, kind="board", held_on=D(2023, 3, 1), minutes_filed_on=None, quorum_met=False
    )
    report = refused(sheet(tmp_path, f"竹南鎮,{NAME},,112/03/05,,"))
    assert "未達法定人數" in report["errors"][0]["text"]


def test_an_assembly_moved_to_another_day_with_the_sheets_minutes_date_loses_nothing(tmp_path, association):
    MeetingFactory(association=association, held_on=D(2023, 5, 20), minutes_filed_on=D(2023, 6, 1))
    run(sheet(tmp_path, f"竹南鎮,{NAME},112/05/25,112/06/01,,,", header=WITH_MINUTES))
    moved = Meeting.objects.get()
    assert (moved.held_on, moved.minutes_filed_on) == (D(2023, 5, 25), D(2023, 6, 1))


def test_replace_removes_a_meeting_with_facts_and_says_so(tmp_path, association):
    MeetingFactory(association=association, kind="board", held_on=D(2023, 3, 1), note="補開")
    output = run(sheet(tmp_path, f"竹南鎮,{NAME},,112/03/05,,"), "--replace")
    assert list(Meeting.objects.values_list("held_on", flat=True)) == [D(2023, 3, 5)]
    assert "刪除會議 理事會 112/03/01（登錄有會議紀錄送府日期 112/03/11、備註「補開」）" in output
    assert "其中 1 場會議登錄有檔案無法記載的資料" in output


def test_a_filing_note_the_sheet_leaves_blank_is_kept(tmp_path, association):
    YearlyFilingFactory(association=association, note="延後送府，已核准")
    run(sheet(tmp_path, f"竹南鎮,{NAME},112/05/20,,,"))
    assert YearlyFiling.objects.get().note == "延後送府，已核准"


def test_history_rows_name_the_user_and_the_import_record(tmp_path, association, administrator):
    MeetingFactory(association=association, kind="board", held_on=D(2023, 3, 1), minutes_filed_on=None)
    run(sheet(tmp_path, f"竹南鎮,{NAME},,112/03/05,,"), "--user", administrator.username)
    record = ImportRecord.objects.get()
    written = Meeting.history.filter(
        history_type__in=["+", "-"], history_change_reason__contains=f"#{record.pk}"
    )
    assert sorted(written.values_list("history_type", "history_user_id")) == [
        ("+", administrator.pk),
        ("-", administrator.pk),
    ]


def test_a_minutes_date_alone_is_reported_as_a_change(tmp_path, association):
    MeetingFactory(association=association, held_on=D(2023, 5, 20), minutes_filed_on=None)
    output = run(sheet(tmp_path, f"竹南鎮,{NAME},112/05/20,112/06/01,,,", header=WITH_MINUTES))
    assert "大會紀錄送府日期 112/06/01" in output
    assert Meeting.objects.get().minutes_filed_on == D(2023, 6, 1)


# --- item 2: the admin's 「以檔案內容取代」 ---------------------------------------------------------------


def preview(client, path, county, **extra):
    with path.open("rb") as upload:
        return client.post(URL, {"year": "112", "file": upload, "county": county.pk, **extra})


def test_the_admin_preview_lists_the_removal(admin_client_, tmp_path, association, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    MeetingFactory(association=association, kind="board", held_on=D(2023, 3, 1), minutes_filed_on=None)
    response = preview(
        admin_client_, sheet(tmp_path, f"竹南鎮,{NAME},,112/03/05,,"), association.township.county
    )
    assert "刪除會議：理事會 112/03/01" in response.content.decode()


def test_the_admin_confirms_with_the_replace_ticked_in_the_preview(
    admin_client_, tmp_path, association, settings
):
    settings.MEDIA_ROOT = tmp_path / "media"
    MeetingFactory(association=association, kind="board", held_on=D(2023, 3, 1), note="補開")
    path = sheet(tmp_path, f"竹南鎮,{NAME},,112/03/05,,")
    preview(admin_client_, path, association.township.county, replace="on")
    record = ImportRecord.objects.get()
    admin_client_.post(URL, {"confirm": "1", "record": record.pk, "sha256": record.sha256})
    assert list(Meeting.objects.values_list("held_on", flat=True)) == [D(2023, 3, 5)]


def test_the_admin_preview_without_replace_refuses_the_removal(
    admin_client_, tmp_path, association, settings
):
    settings.MEDIA_ROOT = tmp_path / "media"
    MeetingFactory(association=association, kind="board", held_on=D(2023, 3, 1), note="補開")
    response = preview(
        admin_client_, sheet(tmp_path, f"竹南鎮,{NAME},,112/03/05,,"), association.township.county
    )
    assert "以檔案內容取代" in response.content.decode()
    assert ImportRecord.objects.get().outcome == ImportRecord.Outcome.REJECTED


# --- item 3: the optional minutes column ---------------------------------------------------------------


def test_reimporting_last_years_sheet_without_the_minutes_column_changes_no_minutes_date(
    tmp_path, association
):
    MeetingFactory(association=association, held_on=D(2023, 5, 20), minutes_filed_on=D(2023, 6, 1))
    MeetingFactory(association=association, kind="board", held_on=D(2023, 3, 1), minutes_filed_on=None)
    path = sheet(tmp_path, f"竹南鎮,{NAME},112/05/20,112/03/01,,")
    run(path)
    run(path)
    assert Meeting.objects.get(kind="general_assembly").minutes_filed_on == D(2023, 6, 1)
    assert Meeting.objects.count() == 2


def test_a_sheet_without_the_minutes_column_counts_associations_with_no_minutes_date(tmp_path, zhunan):
    filed = AssociationFactory(township=zhunan, name="甲社區發展協會")
    AssociationFactory(township=zhunan, name="乙社區發展協會")
    MeetingFactory(association=filed, held_on=D(2023, 5, 20))
    output = run(sheet(tmp_path, "竹南鎮,甲社區發展協會,112/05/20,,,", "竹南鎮,乙社區發展協會,112/05/21,,,"))
    assert output.count("此檔案沒有「會員大會紀錄送府日期」欄") == 1
    assert "此檔案沒有「會員大會紀錄送府日期」欄：1 個協會沒有已登錄的大會紀錄送府日期" in output


def test_a_sheet_with_the_minutes_column_gets_no_such_notice(tmp_path, association):
    output = run(sheet(tmp_path, f"竹南鎮,{NAME},112/05/20,,,,", header=WITH_MINUTES))
    assert "此檔案沒有「會員大會紀錄送府日期」欄" not in output


def test_the_admin_import_page_names_the_optional_minutes_column(admin_client_):
    assert "會員大會紀錄送府日期（選填）" in admin_client_.get(URL).content.decode()


def test_the_readme_lists_the_optional_minutes_column():
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    line = next(line for line in readme.splitlines() if "import_compliance YEAR FILE" in line)
    assert "optional 會員大會紀錄送府日期" in line


# --- item 4: an unreadable date refuses the file -------------------------------------------------------


def test_an_unreadable_meeting_date_is_an_error_naming_row_column_and_value(tmp_path, association):
    report = refused(sheet(tmp_path, f"竹南鎮,{NAME},112/05/20,五月,,"))
    assert [e["text"] for e in report["errors"]] == ["第 2 列「理事會日期」：無法辨識的日期「五月」"]
    assert not Meeting.objects.exists()


def test_an_unreadable_minutes_date_refuses_the_whole_file(tmp_path, association, zhunan):
    AssociationFactory(township=zhunan, name="乙社區發展協會")
    path = sheet(
        tmp_path,
        "竹南鎮,乙社區發展協會,112/05/20,,,,",
        f"竹南鎮,{NAME},112/05/20,112/13/40,,,",
        header=WITH_MINUTES,
    )
    report = refused(path)
    assert report["errors"][0]["text"] == "第 3 列「會員大會紀錄送府日期」：無法辨識的日期「112/13/40」"
    assert not Meeting.objects.exists()


def test_a_date_with_a_lost_character_is_read_with_a_warning(tmp_path, association):
    output = run(sheet(tmp_path, f"竹南鎮,{NAME},1120520?,,,"))
    assert "日期含無法辨識的字元「?」，已去除後解讀為 112/05/20" in output
    assert Meeting.objects.get().held_on == D(2023, 5, 20)


# --- efficiency ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("rows", [5, 50])
def test_a_preview_takes_as_many_queries_for_50_rows_as_for_5(
    tmp_path, zhunan, rows, django_assert_max_num_queries
):
    lines = []
    for n in range(rows):
        association = AssociationFactory(township=zhunan, name=f"第{n}社區發展協會")
        MeetingFactory(association=association, kind="board", held_on=D(2023, 3, 1), minutes_filed_on=None)
        lines.append(f"竹南鎮,第{n}社區發展協會,112/05/20,112/03/05,,")
    path = sheet(tmp_path, *lines)
    county = zhunan.county
    # 9 on SQLite, 11 on PostgreSQL (the county's advisory lock): a query per row would add 5 or 50.
    with django_assert_max_num_queries(12):
        report = run_import(
            ComplianceImport(year=2023, county=county, user=None), path=path, user=None, dry_run=True
        )
    assert report.changes and report.exit_code == 0
