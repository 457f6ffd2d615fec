"""`import_compliance` and the admin's compliance import: the roster import's rules on a compliance sheet."""

import datetime
from io import StringIO

import openpyxl
import pytest
from django.core.management import CommandError, call_command

from associations.models import Association, Election, Meeting, YearlyFiling
from core.models import ImportRecord
from grading.models import Assessment
from tests.associations.factories import AssociationFactory
from tests.grading.factories import ElectionFactory, MeetingFactory

D = datetime.date
HEADER = (
    "鄉鎮市,協會名稱,會員大會日期,理事會日期,監事會日期,"
    "工作計畫及預算送府日期,工作報告及決算送府日期,任期屆滿日,備註\n"
)


@pytest.fixture
def association(zhunan):
    return AssociationFactory(township=zhunan, name="竹南鎮中美社區發展協會")


def sheet(tmp_path, *rows: str, name: str = "清查.csv"):
    path = tmp_path / name
    path.write_text(HEADER + "".join(row + "\n" for row in rows), encoding="utf-8")
    return path


def run(path, *args):
    out = StringIO()
    call_command("import_compliance", "112", str(path), *args, stdout=out)
    return out.getvalue()


def test_a_row_records_meetings_filings_and_term_and_computes_the_status(tmp_path, association):
    path = sheet(
        tmp_path,
        "竹南鎮,竹南鎮中美社區發展協會,112/05/20,112/03/01、112/08/01,112/03/01,1111220,1130331,115/02/28,",
    )
    run(path)
    assert Meeting.objects.filter(association=association).count() == 4
    assert YearlyFiling.objects.get(association=association).report_accounts_filed_on == D(2024, 3, 31)
    assert Election.objects.get(association=association).term_ends_on == D(2026, 2, 28)
    assert Assessment.objects.filter(association=association, year=2023).exists()


def test_township_and_name_match_as_the_roster_import_matches_them(tmp_path, association):
    run(sheet(tmp_path, "竹南,中美社區發展協會,112/05/20,,,,,,"))
    assert Meeting.objects.get().association == association


def test_dates_in_one_cell_may_be_separated_by_comma(tmp_path, association):
    run(sheet(tmp_path, '竹南鎮,竹南鎮中美社區發展協會,,"112/03/01,112/08/01",,,,,'))
    assert Meeting.objects.filter(kind="board").count() == 2


def test_blank_cells_leave_what_is_stored(tmp_path, association):
    MeetingFactory(association=association, kind="supervisory", held_on=D(2023, 4, 1))
    run(sheet(tmp_path, "竹南鎮,竹南鎮中美社區發展協會,112/05/20,,,,,,"))
    assert Meeting.objects.filter(kind="supervisory").count() == 1


def test_an_unknown_association_blocks_the_whole_file(tmp_path, association):
    path = sheet(
        tmp_path, "竹南鎮,竹南鎮中美社區發展協會,112/05/20,,,,,,", "竹南鎮,不存在社區發展協會,112/05/20,,,,,,"
    )
    with pytest.raises(CommandError) as error:
        run(path)
    assert error.value.returncode == 1
    assert not Meeting.objects.exists()
    assert ImportRecord.objects.get().outcome == ImportRecord.Outcome.REJECTED


def test_a_date_outside_the_year_is_an_error_naming_row_and_column(tmp_path, association):
    path = sheet(tmp_path, "竹南鎮,竹南鎮中美社區發展協會,113/01/05,,,,,,")
    with pytest.raises(CommandError):
        run(path)
    report = ImportRecord.objects.get().report
    assert report["errors"][0]["text"] == "第 2 列「會員大會日期」：113/01/05 不在112年度內。"


def test_an_unreadable_date_blocks_the_file_and_nothing_of_the_row_is_imported(tmp_path, association):
    with pytest.raises(CommandError) as error:
        run(sheet(tmp_path, "竹南鎮,竹南鎮中美社區發展協會,112/05/20,五月,,,,,"))
    assert error.value.returncode == 1
    errors = ImportRecord.objects.get().report["errors"]
    assert errors[0]["text"] == "第 2 列「理事會日期」：無法辨識的日期「五月」"
    assert not Meeting.objects.exists()


def test_the_same_association_twice_is_an_error(tmp_path, association):
    row = "竹南鎮,竹南鎮中美社區發展協會,112/05/20,,,,,,"
    with pytest.raises(CommandError):
        run(sheet(tmp_path, row, row))
    assert "與第 2 列是同一個協會。" in ImportRecord.objects.get().report["errors"][0]["text"]


def test_dry_run_writes_nothing_but_the_import_record(tmp_path, association):
    output = run(sheet(tmp_path, "竹南鎮,竹南鎮中美社區發展協會,112/05/20,,,,,,"), "--dry-run")
    assert not Meeting.objects.exists()
    assert not Assessment.objects.exists()
    assert ImportRecord.objects.get().outcome == ImportRecord.Outcome.PREVIEWED
    assert "新增 1" in output


def test_an_unreadable_file_exits_with_code_2(tmp_path, association):
    path = tmp_path / "壞檔.xlsx"
    path.write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(CommandError) as error:
        run(path)
    assert error.value.returncode == 2


def test_xlsx_date_cells_are_read(tmp_path, association):
    book = openpyxl.Workbook()
    book.active.append(HEADER.strip().split(","))
    book.active.append(
        [
            "竹南鎮",
            "竹南鎮中美社區發展協會",
            datetime.datetime(2023, 5, 20),
            None,
            None,
            None,
            None,
            None,
            None,
        ]
    )
    book.save(tmp_path / "清查.xlsx")
    run(tmp_path / "清查.xlsx")
    assert Meeting.objects.get().held_on == D(2023, 5, 20)


def test_a_term_end_updates_the_election_on_record(tmp_path, association):
    election = ElectionFactory(association=association, term_ends_on=D(2026, 2, 28))
    run(sheet(tmp_path, "竹南鎮,竹南鎮中美社區發展協會,,,,,,115/03/10,"))
    assert Election.objects.get(pk=election.pk).term_ends_on == D(2026, 3, 10)


# --- the admin page --------------------------------------------------------------------------------------


def test_administrator_previews_then_confirms_a_compliance_sheet(
    admin_client_, tmp_path, association, settings
):
    settings.MEDIA_ROOT = tmp_path / "media"
    path = sheet(tmp_path, "竹南鎮,竹南鎮中美社區發展協會,112/05/20,,,,,,")
    with path.open("rb") as upload:
        preview = admin_client_.post(
            "/admin/grading/assessment/import/",
            {"year": "112", "file": upload, "county": association.township.county_id},
        )
    assert "預覽結果（尚未寫入）" in preview.content.decode()
    assert not Meeting.objects.exists()
    record = ImportRecord.objects.get()
    admin_client_.post(
        "/admin/grading/assessment/import/", {"confirm": "1", "record": record.pk, "sha256": record.sha256}
    )
    assert Meeting.objects.filter(association=association).count() == 1


def test_county_officer_cannot_open_the_admin_import(county_client):
    response = county_client.get("/admin/grading/assessment/import/")
    assert response.status_code == 302
    assert "/admin/login/" in response.url


# --- the register export command -------------------------------------------------------------------------


def test_export_command_writes_the_register_scoped_to_a_user(tmp_path, zhunan, toufen, toufen_clerk):
    from tests.grading.factories import AssessmentFactory

    AssessmentFactory(association=AssociationFactory(township=zhunan, name="竹南社區發展協會"))
    AssessmentFactory(association=AssociationFactory(township=toufen, name="+頭份社區發展協會"))
    call_command(
        "export_tier_register", "112", str(tmp_path / "清冊.xlsx"), "--user", "toufen", stdout=StringIO()
    )
    rows = list(openpyxl.load_workbook(tmp_path / "清冊.xlsx").active.iter_rows(values_only=True))
    assert [row[1] for row in rows[1:]] == ["'+頭份社區發展協會"]


def test_export_command_refuses_a_judge_and_writes_no_file(tmp_path, zhunan, judge):
    from tests.grading.factories import AssessmentFactory

    AssessmentFactory(association=AssociationFactory(township=zhunan))
    path = tmp_path / "清冊.csv"
    with pytest.raises(CommandError, match="沒有查看協會資料的權限"):
        call_command("export_tier_register", "112", str(path), "--user", judge.username, stdout=StringIO())
    assert not path.exists()


def test_recompute_command_computes_every_active_association(zhunan):
    AssociationFactory(township=zhunan)
    AssociationFactory(township=zhunan, status=Association.Status.DISSOLVED)
    call_command("recompute_grading", "112", "--as-of", "113/06/30", stdout=StringIO())
    assert Assessment.objects.filter(year=2023).count() == 1
