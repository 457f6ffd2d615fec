import csv
import datetime
import io

import openpyxl
import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from associations import admin_import
from associations.geography import townships_import
from associations.models import Association, County, Officer
from associations.roster.dataset import roster_import
from core import spreadsheets
from core.models import ImportRecord
from tests import DATA_DIR
from tests.associations.factories import (
    AssociationFactory,
    CountyFactory,
    OfficerFactory,
    TownshipFactory,
    VillageFactory,
)

SAMPLE = DATA_DIR / "hsinchu-county-associations-big5.csv"
HEADER = ["鄉鎮市", "名稱", "成立日期", "理事長", "電話", "地址"]


def write_roster(tmp_path, rows, *, header=HEADER, name="roster.csv", encoding="utf-8"):
    path = tmp_path / name
    with path.open("w", encoding=encoding, newline="") as stream:
        csv.writer(stream).writerows([header, *rows])
    return path


def run(path, *, county="苗栗縣", dry_run=False, user=None):
    return roster_import(path=path, user=user, county=County.objects.get(name=county), dry_run=dry_run)


def messages(issues):
    return [str(issue) for issue in issues]


@pytest.fixture
def hsinchu(db):
    townships_import(path=settings.BASE_DIR / "fixtures" / "geography.csv")
    return County.objects.get(name="新竹縣")


@pytest.fixture
def roster(tmp_path, zhunan, toufen):
    return write_roster(
        tmp_path,
        [
            ["竹南鎮", "大埔社區發展協會", "810913", "王大明", "037-123456", "苗栗縣竹南鎮大埔里1號"],
            ["頭份市", "興隆社區發展協會", "1030405", "李小華", "0912345678", "苗栗縣頭份市興隆里2號"],
        ],
    )


# --- The real Hsinchu roster -------------------------------------------------------------------------------


def test_real_hsinchu_roster_imports_every_association_once(hsinchu):
    report = run(SAMPLE, county="新竹縣")

    assert (report.exit_code, report.created, report.rows) == (0, 188, 188)
    assert Association.objects.filter(township__county=hsinchu).count() == 188
    assert Association.objects.filter(name="東興社區發展協會").count() == 3  # 竹北市, 湖口鄉, 關西鎮


@pytest.mark.parametrize(
    "expected",
    [
        "第 38 列「電話」：電話「09100089910」位數不符（11 碼）",
        "第 75 列「理事長」：「林陳?美」含「?」",
        "第 98 列「成立日期」：「860517?」日期含無法辨識的字元「?」，已去除後解讀為 86/05/17",
        "第 113 列「地址」：地址「下大壢小段242號」似為地段地號",
        "第 116 列「成立日期」：無法辨識的日期：8201217，已留空",
        "第 137 列「名稱」：「上?社區發展協會」含「?」",
        "第 153 列「地址」：「新竹縣竹東鎮?林里杞林路15號」含「?」",
        "第 172 列「地址」：地址「新竹縣橫山村中豐路1段268號」未寫明鄉鎮市區",
    ],
)
def test_real_hsinchu_roster_warns_about_its_known_quirks(hsinchu, expected):
    report = run(SAMPLE, county="新竹縣", dry_run=True)

    assert any(text.startswith(expected) for text in messages(report.warnings))


def test_real_hsinchu_roster_warning_count_matches_its_quirks(hsinchu):
    report = run(SAMPLE, county="新竹縣", dry_run=True)

    dates_with_question_marks = sum("日期含無法辨識的字元" in text for text in messages(report.warnings))
    assert (len(report.errors), len(report.warnings), dates_with_question_marks) == (0, 29, 12)
    assert report.unknown_columns == ["編號", "最後更新時間"]


def test_real_hsinchu_roster_keeps_officer_notes_apart_from_names(hsinchu):
    run(SAMPLE, county="新竹縣")

    chairs = Officer.objects.filter(association__name__in=["勝利社區發展協會", "大湖社區發展協會"])
    assert set(chairs.values_list("name", "note")) == {("夏金裕", "黃木火代理"), ("彭智樑", "補選")}
    assert Officer.objects.filter(name="梭日伊˙尤敏").exists()
    assert Officer.objects.filter(name="姜信鈞").exists()


def test_reimporting_the_real_roster_reports_every_row_unchanged(hsinchu):
    run(SAMPLE, county="新竹縣")

    report = run(SAMPLE, county="新竹縣")

    assert (report.unchanged, report.created, report.updated, report.changes) == (188, 0, 0, [])


# --- Command line ------------------------------------------------------------------------------------------


def test_command_imports_and_exits_0(roster):
    out = io.StringIO()
    call_command("import_associations", str(roster), "--county", "苗栗縣", stdout=out)

    assert Association.objects.count() == 2
    assert "新增 2" in out.getvalue()


def test_command_exits_1_and_writes_nothing_when_a_row_has_a_blocking_error(tmp_path, zhunan):
    path = write_roster(
        tmp_path, [["竹南鎮", "大埔社區發展協會", "", "", "", ""], ["竹南鎮", "", "", "", "", ""]]
    )

    with pytest.raises(CommandError) as error:
        call_command("import_associations", str(path), "--county", "苗栗縣", stdout=io.StringIO())

    assert error.value.returncode == 1
    assert Association.objects.count() == 0


@pytest.mark.parametrize("content", [b"PK\x03\x04broken", b"\x00\x01\x02\xff\xfe\xfd" * 50])
def test_command_exits_2_with_the_reason_when_the_file_cannot_be_read(tmp_path, zhunan, content):
    path = tmp_path / "roster.xlsx"
    path.write_bytes(content)
    out = io.StringIO()

    with pytest.raises(CommandError) as error:
        call_command("import_associations", str(path), "--county", "苗栗縣", stdout=out)

    assert error.value.returncode == 2
    assert "無法" in out.getvalue()


def test_command_exits_2_for_a_missing_file(tmp_path, zhunan):
    with pytest.raises(CommandError) as error:
        call_command("import_associations", str(tmp_path / "none.csv"), stdout=io.StringIO())

    assert error.value.returncode == 2


def test_command_dry_run_writes_nothing_but_records_the_run(roster):
    call_command("import_associations", str(roster), "--county", "苗栗縣", "--dry-run", stdout=io.StringIO())

    assert Association.objects.count() == 0
    assert ImportRecord.objects.get().outcome == ImportRecord.Outcome.PREVIEWED


def test_command_shows_a_progress_bar_for_long_files(tmp_path, zhunan):
    rows = [["竹南鎮", f"第{n}社區發展協會", "", "", "", ""] for n in range(400)]
    err = io.StringIO()

    call_command("import_associations", str(write_roster(tmp_path, rows)), stdout=io.StringIO(), stderr=err)

    assert "400/400 列" in err.getvalue()


def test_command_shows_no_progress_bar_for_short_files(roster):
    err = io.StringIO()

    call_command("import_associations", str(roster), stdout=io.StringIO(), stderr=err)

    assert err.getvalue() == ""


# --- Columns and cleaning ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "header",
    [
        ["鄉鎮市區", "協會名稱", "成立日期", "理事長", "聯絡電話", "會址"],
        ["行政區", "團體名稱", "成立日期", "理事長", "電話", "地址"],
        ["鄉鎮市", "機構名稱", "成立日期", "理事長", "電話", "地址"],
    ],
)
def test_columns_are_recognised_under_their_header_variants(tmp_path, zhunan, header):
    path = write_roster(
        tmp_path, [["竹南", "大埔社區發展協會", "810913", "王大明", "037-123456", "竹南鎮1號"]], header=header
    )

    run(path)

    association = Association.objects.get()
    assert (association.township, association.phone, association.address) == (
        zhunan,
        "037-123456",
        "竹南鎮1號",
    )


def test_every_optional_column_is_read(tmp_path, zhunan):
    VillageFactory(township=zhunan, name="大埔里", kind="里")
    header = ["鄉鎮市區", "名稱", "里別", "總幹事", "立案字號", "屆次", "會員人數", "電子郵件"]
    row = [
        "竹南鎮",
        "大埔社區發展協會",
        "大埔",
        "陳秘書",
        "府社字第123號",
        "第十屆",
        "120人",
        "dapu@example.tw",
    ]

    run(write_roster(tmp_path, [row], header=header))

    association = Association.objects.get()
    assert (association.registration_number, association.term_number, association.member_count) == (
        "府社字第123號",
        10,
        120,
    )
    assert [v.name for v in association.villages.all()] == ["大埔里"]
    assert association.officers.get().position == Officer.Position.EXECUTIVE_SECRETARY


def test_unknown_columns_are_ignored_and_listed(tmp_path, zhunan):
    path = write_roster(
        tmp_path, [["1", "竹南鎮", "大埔社區發展協會", "x"]], header=["編號", "鄉鎮市", "名稱", "備考"]
    )

    report = run(path)

    assert report.unknown_columns == ["編號", "備考"]
    assert "未使用的欄位：編號、備考。" in report.notices


def test_full_width_characters_and_extra_spaces_are_cleaned(tmp_path, zhunan):
    row = ["竹南鎮", "  大埔社區　發展協會 ", "８１０９１３", "王  大明", "０３７－１２３４５６", ""]

    run(write_roster(tmp_path, [row]))

    association = Association.objects.get()
    assert (association.name, association.founded_on, association.phone) == (
        "大埔社區 發展協會",
        datetime.date(1992, 9, 13),
        "037-123456",
    )
    assert association.officers.get().name == "王 大明"


@pytest.mark.parametrize("written", ["台西鄉", "臺西", "台西", " 雲林縣台西鄉 "])
def test_township_is_found_with_tai_or_without_its_suffix(tmp_path, db, written):
    taixi = TownshipFactory(county=CountyFactory(name="雲林縣"), name="臺西鄉", kind="鄉")

    run(write_roster(tmp_path, [[written, "五港社區發展協會", "", "", "", ""]]), county="雲林縣")

    assert Association.objects.get().township == taixi


def test_township_is_taken_from_the_name_when_there_is_no_township_column(tmp_path, db):
    songshan = TownshipFactory(county=CountyFactory(name="臺北市"), name="松山區", kind="區")
    path = write_roster(tmp_path, [["台北市松山區中央社區發展協會"]], header=["協會名稱"])

    run(path, county="臺北市")

    assert Association.objects.get().township == songshan


def test_township_is_taken_from_the_address_when_its_cell_is_blank(tmp_path, zhunan, toufen):
    path = write_roster(tmp_path, [["", "興隆社區發展協會", "", "", "", "351苗栗縣頭份市興隆里2號"]])

    report = run(path)

    assert Association.objects.get().township == toufen
    assert "1 列沒有填寫鄉鎮市區，已由協會名稱或地址判斷。" in report.notices


@pytest.mark.parametrize(
    "written",
    [
        "810913",
        "0810913",
        "81/9/13",
        "81.09.13",
        "民國81年9月13日",
        "81年09月13日",
        "1992-09-13",
        "1992/9/13",
    ],
)
def test_dates_are_read_in_every_roc_and_gregorian_form(tmp_path, zhunan, written):
    run(write_roster(tmp_path, [["竹南鎮", "大埔社區發展協會", written, "", "", ""]]))

    assert Association.objects.get().founded_on == datetime.date(1992, 9, 13)


def test_excel_date_cells_are_read(tmp_path, zhunan):
    workbook = openpyxl.Workbook()
    workbook.active.append(["新竹縣社區發展協會名冊"])
    workbook.active.append(["鄉鎮市", "名稱", "成立日期"])
    workbook.active.append(["竹南鎮", "大埔社區發展協會", datetime.datetime(1992, 9, 13)])
    workbook.save(tmp_path / "roster.xlsx")

    run(tmp_path / "roster.xlsx")

    assert Association.objects.get().founded_on == datetime.date(1992, 9, 13)


# --- Errors and warnings -----------------------------------------------------------------------------------


def test_a_row_without_a_name_is_a_blocking_error_naming_its_row_and_column(tmp_path, zhunan):
    path = write_roster(
        tmp_path, [["竹南鎮", "大埔社區發展協會", "", "", "", ""], ["竹南鎮", " ", "", "王大明", "", ""]]
    )

    report = run(path)

    assert messages(report.errors) == ["第 3 列「名稱」：缺少協會名稱，無法對應到任何協會。"]
    assert Association.objects.count() == 0


def test_a_township_outside_the_county_is_a_blocking_error(tmp_path, zhunan):
    report = run(write_roster(tmp_path, [["竹北市", "斗崙社區發展協會", "", "", "", ""]]))

    assert messages(report.errors) == ["第 2 列「鄉鎮市」：「竹北市」不是苗栗縣的鄉鎮市區。"]
    assert report.outcome == ImportRecord.Outcome.REJECTED


def test_a_malformed_date_is_a_warning_and_the_row_is_still_imported(tmp_path, zhunan):
    report = run(write_roster(tmp_path, [["竹南鎮", "寶斗社區發展協會", "8201217", "", "", ""]]))

    assert messages(report.warnings) == ["第 2 列「成立日期」：無法辨識的日期：8201217，已留空。"]
    assert Association.objects.get().founded_on is None


def test_a_placeholder_date_is_left_blank_with_a_warning(tmp_path, zhunan):
    report = run(write_roster(tmp_path, [["竹南鎮", "大埔社區發展協會", "0010101", "", "", ""]]))

    assert messages(report.warnings) == ["第 2 列「成立日期」：「0010101」是代表無日期的填充值，已留空。"]
    assert Association.objects.get().founded_on is None


def test_a_question_mark_left_by_a_lost_character_is_kept_with_a_warning(tmp_path, zhunan):
    report = run(write_roster(tmp_path, [["竹南鎮", "上?社區發展協會", "", "李榮?", "", ""]]))

    assert len(report.warnings) == 2
    assert Officer.objects.get().association.name == "上?社區發展協會"


@pytest.mark.parametrize(
    ("phone", "problem"),
    [("09100089910", "位數不符（11 碼）"), ("5956832", "缺少區碼"), ("無", "不是電話號碼")],
)
def test_an_odd_phone_number_is_kept_as_written_with_a_warning(tmp_path, zhunan, phone, problem):
    report = run(write_roster(tmp_path, [["竹南鎮", "大埔社區發展協會", "", "", phone, ""]]))

    assert problem in messages(report.warnings)[0]
    assert Association.objects.get().phone == phone


@pytest.mark.parametrize(
    "phone", ["037-123456", "(037)123456#12", "0912-345-678、037123456", "+886-37-123456"]
)
def test_ordinary_phone_numbers_raise_no_warning(tmp_path, zhunan, phone):
    report = run(write_roster(tmp_path, [["竹南鎮", "大埔社區發展協會", "", "", phone, ""]]))

    assert report.warnings == []


def test_a_row_with_only_unknown_columns_filled_is_skipped_with_a_warning(tmp_path, zhunan):
    path = write_roster(
        tmp_path,
        [["1", "竹南鎮", "大埔社區發展協會"], ["合計 1 個", "", ""]],
        header=["編號", "鄉鎮市", "名稱"],
    )

    report = run(path)

    assert (report.created, report.skipped) == (1, 1)
    assert messages(report.warnings) == ["第 3 列：這一列沒有任何可辨識的資料，已略過。"]


# --- Matching ----------------------------------------------------------------------------------------------


def test_reimporting_the_same_file_reports_every_row_unchanged(roster):
    run(roster)

    report = run(roster)

    assert (report.unchanged, report.created, report.updated) == (2, 0, 0)
    assert Association.history.count() == 2


def test_a_changed_field_updates_the_association_with_history_by_the_importer(
    tmp_path, zhunan, administrator
):
    association = AssociationFactory(township=zhunan, name="大埔社區發展協會", phone="037-111111")

    report = run(
        write_roster(tmp_path, [["竹南鎮", "大埔社區發展協會", "", "", "037-222222", ""]]), user=administrator
    )

    association.refresh_from_db()
    latest = association.history.first()
    assert (report.updated, association.phone) == (1, "037-222222")
    assert (latest.history_type, latest.history_user, latest.prev_record.phone) == (
        "~",
        administrator,
        "037-111111",
    )
    assert report.changes[0].changes == [("聯絡電話", "037-111111", "037-222222")]


def test_a_name_written_with_tai_spaces_or_a_prefix_matches_the_stored_association(tmp_path, zhunan):
    AssociationFactory(township=zhunan, name="臺灣大埔社區發展協會")
    path = write_roster(tmp_path, [["竹南鎮", "苗栗縣竹南鎮台灣 大埔社區發展協會", "", "", "", ""]])

    report = run(path)

    assert (report.unchanged, Association.objects.count()) == (1, 1)


def test_the_same_association_twice_is_a_blocking_error_naming_both_rows(tmp_path, zhunan):
    rows = [
        ["竹南鎮", "大埔社區發展協會", "", "", "", ""],
        ["竹南", "苗栗縣竹南鎮大埔社區 發展協會", "", "", "", ""],
    ]

    report = run(write_roster(tmp_path, rows))

    assert messages(report.errors) == [
        "第 3 列：與第 2 列是同一個協會「大埔社區發展協會」（竹南鎮），同一協會只能出現一次，請合併後再匯入。"
    ]
    assert Association.objects.count() == 0


def test_associations_absent_from_the_file_are_listed_not_deleted(roster, zhunan):
    AssociationFactory(township=zhunan, name="公義社區發展協會")

    report = run(roster)

    assert report.missing == ["竹南鎮 公義社區發展協會"]
    assert Association.objects.filter(name="公義社區發展協會").exists()


def test_a_registration_number_alone_never_matches_an_association(tmp_path, zhunan):
    AssociationFactory(township=zhunan, name="大埔社區發展協會", registration_number="府社字第1號")
    path = write_roster(
        tmp_path, [["竹南鎮", "公義社區發展協會", "府社字第1號"]], header=["鄉鎮市", "名稱", "立案字號"]
    )

    report = run(path)

    assert (report.created, Association.objects.count()) == (1, 2)
    assert "與系統中的「大埔社區發展協會」相同" in messages(report.warnings)[0]


def test_a_blank_cell_does_not_erase_a_stored_value(tmp_path, zhunan):
    AssociationFactory(township=zhunan, name="大埔社區發展協會", phone="037-111111")

    report = run(write_roster(tmp_path, [["竹南鎮", "大埔社區發展協會", "", "", "", ""]]))

    assert report.unchanged == 1
    assert Association.objects.get().phone == "037-111111"


# --- Officers ----------------------------------------------------------------------------------------------


def test_a_new_chair_ends_the_previous_chairs_term_and_keeps_them_as_past(tmp_path, zhunan, frozen_today):
    old = OfficerFactory(association__township=zhunan, association__name="大埔社區發展協會", name="王大明")

    report = run(write_roster(tmp_path, [["竹南鎮", "大埔社區發展協會", "", "李小華(補選)", "", ""]]))

    old.refresh_from_db()
    current = Officer.objects.current().get()
    assert old.term_end == datetime.date(2026, 6, 30)
    assert (current.name, current.note, report.updated) == ("李小華", "補選", 1)


def test_the_same_chair_named_again_is_left_alone(tmp_path, zhunan):
    OfficerFactory(association__township=zhunan, association__name="大埔社區發展協會", name="王大明")

    report = run(write_roster(tmp_path, [["竹南鎮", "大埔社區發展協會", "", "王大明", "", ""]]))

    assert (report.unchanged, Officer.objects.count(), Officer.history.count()) == (1, 1, 1)


# --- Atomicity and records ---------------------------------------------------------------------------------


def test_a_failure_while_writing_leaves_nothing_written(roster, monkeypatch):
    def explode(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr("associations.roster.writing.copy_to_history", explode)

    with pytest.raises(RuntimeError):
        run(roster)

    assert (Association.objects.count(), ImportRecord.objects.count()) == (0, 0)


def test_every_import_is_recorded_with_who_the_file_its_hash_and_counts(roster, administrator):
    report = run(roster, user=administrator)

    record = ImportRecord.objects.get()
    assert (record.user, record.file_name, record.dry_run) == (administrator, "roster.csv", False)
    assert record.sha256 == report.sha256 and len(record.sha256) == 64
    assert record.counts["created"] == 2
    assert record.report["columns"]["name"] == "名稱"


def test_bulk_created_associations_keep_history_with_their_villages(tmp_path, zhunan, administrator):
    VillageFactory(township=zhunan, name="大埔里", kind="里")
    path = write_roster(
        tmp_path, [["竹南鎮", "大埔社區發展協會", "大埔里"]], header=["鄉鎮市", "名稱", "村里"]
    )

    run(path, user=administrator)

    record = Association.objects.get().history.get()
    assert (record.history_type, record.history_user) == ("+", administrator)
    assert [row.village.name for row in record.villages.all()] == ["大埔里"]


def test_a_file_over_the_size_limit_is_unreadable(roster, monkeypatch):
    monkeypatch.setattr(spreadsheets, "MAX_FILE_BYTES", 50)

    report = run(roster)

    assert report.exit_code == 2
    assert "檔案太大" in messages(report.errors)[0]


def test_a_file_over_the_row_limit_is_unreadable(roster, monkeypatch):
    monkeypatch.setattr(spreadsheets, "MAX_DATA_ROWS", 1)

    report = run(roster)

    assert report.exit_code == 2
    assert Association.objects.count() == 0


def _queries_for(tmp_path, zhunan, size):
    rows = [
        ["竹南鎮", f"第{n}社區發展協會", "810913", f"王{n}明", "037-123456", "竹南鎮1號"] for n in range(size)
    ]
    path = write_roster(tmp_path, rows, name=f"r{size}.csv")
    counts = []
    for _ in range(2):  # new, then unchanged
        with CaptureQueriesContext(connection) as queries:
            run(path)
        counts.append(len(queries))
    return counts


def test_query_count_does_not_grow_with_rows(tmp_path, zhunan):
    small = _queries_for(tmp_path, zhunan, 3)
    Association.objects.all().delete()
    large = _queries_for(tmp_path, zhunan, 25)

    # The new associations' to-do duties (about ten each) are read and inserted in batches: one on PostgreSQL,
    # while SQLite's limit of 999 parameters a statement splits 25 associations' into a few (22 → 24 queries).
    # A query per row would add 22; an unchanged file writes nothing and costs the same either way.
    batches = 0 if connection.vendor == "postgresql" else 2
    assert large[0] <= small[0] + batches
    assert large[1] == small[1]


# --- Admin page --------------------------------------------------------------------------------------------


def _upload(client, path, county):
    with path.open("rb") as stream:
        return client.post(
            reverse("admin:associations_association_import"), {"file": stream, "county": county.pk}
        )


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def test_admin_preview_writes_nothing_and_confirm_imports_the_same_file(admin_client_, roster, zhunan, media):
    preview = _upload(admin_client_, roster, zhunan.county)
    report = preview.context["report"]
    assert (preview.status_code, Association.objects.count(), report.created) == (200, 0, 2)

    confirm = admin_client_.post(
        reverse("admin:associations_association_import"),
        {"confirm": "1", "record": report.record_id, "sha256": report.sha256},
    )

    assert (confirm.status_code, Association.objects.count()) == (200, 2)
    assert ImportRecord.objects.filter(sha256=report.sha256, dry_run=False).exists()


def test_admin_confirm_refuses_a_file_changed_after_the_preview(admin_client_, roster, zhunan, media):
    report = _upload(admin_client_, roster, zhunan.county).context["report"]
    admin_import.upload_path(report.sha256).write_bytes(b"tampered")

    response = admin_client_.post(
        reverse("admin:associations_association_import"),
        {"confirm": "1", "record": report.record_id, "sha256": report.sha256},
    )

    assert response.status_code == 302
    assert Association.objects.count() == 0


def test_admin_preview_of_a_file_with_errors_offers_no_confirmation(admin_client_, tmp_path, zhunan, media):
    path = write_roster(tmp_path, [["竹北市", "斗崙社區發展協會", "", "", "", ""]])

    response = _upload(admin_client_, path, zhunan.county)

    assert response.context["confirmable"] is False
    assert "「竹北市」不是苗栗縣的鄉鎮市區" in response.content.decode()


def test_the_admin_association_list_links_to_the_import_page(admin_client_):
    response = admin_client_.get(reverse("admin:associations_association_changelist"))

    assert reverse("admin:associations_association_import") in response.content.decode()


@pytest.mark.parametrize("client_name", ["toufen_client", "county_client", "anonymous_client"])
def test_only_administrators_reach_the_import_page(request, client_name, toufen):
    client = request.getfixturevalue(client_name)

    response = client.get(reverse("admin:associations_association_import"))

    assert response.status_code == 302
    assert "/login/" in response["Location"]


def test_import_records_are_listed_read_only_in_the_admin(admin_client_, roster):
    run(roster)
    record = ImportRecord.objects.get()

    listing = admin_client_.get(reverse("admin:core_importrecord_changelist"))
    detail = admin_client_.get(reverse("admin:core_importrecord_change", args=[record.pk]))

    assert "roster.csv" in listing.content.decode()
    assert detail.status_code == 200 and record.sha256 in detail.content.decode()
    assert admin_client_.get(reverse("admin:core_importrecord_add")).status_code == 403


# --- 狀態 and 解散日期 -------------------------------------------------------------------------------------

STATUS_HEADER = ["鄉鎮市區", "協會名稱", "狀態", "解散日期"]


def test_roster_marks_an_association_dissolved_on_its_roc_date(tmp_path, zhunan):
    association = AssociationFactory(township=zhunan, name="大埔社區發展協會")
    path = write_roster(
        tmp_path, [["竹南鎮", "大埔社區發展協會", "已解散", "115/02/17"]], header=STATUS_HEADER
    )

    report = run(path)

    association.refresh_from_db()
    assert (report.updated, association.status) == (1, Association.Status.DISSOLVED)
    assert association.dissolved_on == datetime.date(2026, 2, 17)


def test_unknown_status_blocks_the_import_naming_row_column_and_value(tmp_path, zhunan):
    AssociationFactory(township=zhunan, name="大埔社區發展協會")
    path = write_roster(tmp_path, [["竹南鎮", "大埔社區發展協會", "停業", ""]], header=STATUS_HEADER)

    report = run(path)

    assert report.exit_code == 1
    assert messages(report.errors) == [
        "第 2 列「狀態」：「停業」不是協會狀態，請填寫運作中、限期整理中、已解散。"
    ]
    assert Association.objects.get().status == Association.Status.ACTIVE


def test_unreadable_dissolution_date_blocks_its_row(tmp_path, zhunan):
    AssociationFactory(township=zhunan, name="大埔社區發展協會")
    path = write_roster(tmp_path, [["竹南鎮", "大埔社區發展協會", "已解散", "去年"]], header=STATUS_HEADER)

    report = run(path)

    assert [(issue.row, issue.column) for issue in report.errors] == [(2, "解散日期")]
    assert Association.objects.get().status == Association.Status.ACTIVE


def test_dissolution_date_on_an_active_association_blocks_its_row(tmp_path, zhunan):
    AssociationFactory(township=zhunan, name="大埔社區發展協會")
    path = write_roster(
        tmp_path, [["竹南鎮", "大埔社區發展協會", "運作中", "115/02/17"]], header=STATUS_HEADER
    )

    report = run(path)

    assert messages(report.errors) == ["第 2 列「解散日期」：只有已解散的協會才有解散日期。"]


def test_blank_status_and_date_keep_what_is_stored(tmp_path, zhunan):
    AssociationFactory(
        township=zhunan,
        name="大埔社區發展協會",
        status=Association.Status.DISSOLVED,
        dissolved_on=datetime.date(2026, 2, 17),
    )
    path = write_roster(tmp_path, [["竹南鎮", "大埔社區發展協會", "", ""]], header=STATUS_HEADER)

    report = run(path)

    association = Association.objects.get()
    assert (report.unchanged, association.status) == (1, Association.Status.DISSOLVED)
    assert association.dissolved_on == datetime.date(2026, 2, 17)


def test_roster_reviving_a_dissolved_association_drops_its_dissolution_date(tmp_path, zhunan):
    AssociationFactory(
        township=zhunan,
        name="大埔社區發展協會",
        status=Association.Status.DISSOLVED,
        dissolved_on=datetime.date(2026, 2, 17),
    )
    path = write_roster(tmp_path, [["竹南鎮", "大埔社區發展協會", "運作中", ""]], header=STATUS_HEADER)

    report = run(path)

    association = Association.objects.get()
    assert report.errors == []
    assert (association.status, association.dissolved_on) == (Association.Status.ACTIVE, None)


def test_status_change_is_reported_with_its_labels(tmp_path, zhunan):
    AssociationFactory(township=zhunan, name="大埔社區發展協會")
    path = write_roster(tmp_path, [["竹南鎮", "大埔社區發展協會", "限期整理中", ""]], header=STATUS_HEADER)

    report = run(path, dry_run=True)

    assert ("狀態", "運作中", "限期整理中") in report.changes[0].changes


def test_roster_ordering_an_association_to_reorganise_judges_its_year_again(tmp_path, zhunan, frozen_today):
    from grading.models import Assessment, ComplianceStatus
    from tests.grading.factories import AssessmentFactory

    association = AssociationFactory(township=zhunan, name="大埔社區發展協會")
    AssessmentFactory(association=association, year=frozen_today.year, status=ComplianceStatus.NORMAL)
    path = write_roster(tmp_path, [["竹南鎮", "大埔社區發展協會", "限期整理中", ""]], header=STATUS_HEADER)

    run(path)

    assert Assessment.objects.get(association=association).status == ComplianceStatus.ABNORMAL


# --- The new associations' to-do duties ---------------------------------------------------------------------


def _duties():
    from grading.models import Duty

    columns = ("association_id", "year", "kind", "due_on", "done_on", "shows_from", "params")
    return sorted(Duty.objects.values_list(*columns), key=repr)


def _what_a_refresh_writes():
    """The duties a refresh of every association writes from scratch, leaving the table as it was."""
    from grading import duties
    from grading.models import Duty

    with transaction.atomic():
        kept = list(Duty.objects.all())
        Duty.objects.all().delete()
        duties.refresh(associations=Association.objects.all())
        written = _duties()
        Duty.objects.all().delete()
        Duty.objects.bulk_create(kept)
    return written


def test_a_small_imports_new_associations_have_their_duties_at_once(roster):
    run(roster)

    assert len({row[0] for row in _duties()}) == 2
    assert _duties() == _what_a_refresh_writes()


def test_a_large_imports_new_associations_get_their_duties_from_the_task_worker(roster, settings):
    from django_tasks_db.models import DBTaskResult

    from tests.background import run_queued_tasks

    settings.RECOMPUTE_BACKGROUND_ASSOCIATIONS = 2
    run(roster, dry_run=True)
    assert not DBTaskResult.objects.exists()  # a dry run queues nothing

    run(roster)
    assert Association.objects.count() == 2
    assert _duties() == []  # the import's transaction wrote none...
    assert DBTaskResult.objects.count() == 1

    assert run_queued_tasks() == 1  # ...the worker writes them as a refresh would
    assert len({row[0] for row in _duties()}) == 2
    assert _duties() == _what_a_refresh_writes()
