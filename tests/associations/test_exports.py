import csv
import datetime
import io

import openpyxl
import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from associations.models import Association
from associations.roster.dataset import roster_import
from tests.associations.factories import AssociationFactory, OfficerFactory, VillageFactory


def _reimport(path, county):
    return roster_import(path=path, user=None, county=county, dry_run=True)


def _sheet_rows(response):
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    return [list(row) for row in workbook.active.iter_rows(values_only=True)]


@pytest.fixture
def dapu(zhunan):
    association = AssociationFactory(
        township=zhunan,
        name="大埔社區發展協會",
        founded_on=datetime.date(1992, 9, 13),
        phone="037-123456",
        registration_number="府社字第123號",
        email="dapu@example.tw",
    )
    association.villages.add(VillageFactory(township=zhunan, name="大埔里", kind="里"))
    OfficerFactory(association=association, name="夏金裕", note="黃木火代理")
    return association


@pytest.mark.parametrize("suffix", ["xlsx", "csv"])
def test_export_then_import_reports_every_row_unchanged(tmp_path, dapu, toufen, suffix):
    AssociationFactory(township=toufen, name='=HYPERLINK("x")社區', phone="-", founded_on=None)
    AssociationFactory(
        township=toufen,
        name="舊社區發展協會",
        status=Association.Status.DISSOLVED,
        dissolved_on=datetime.date(2026, 2, 17),
    )
    AssociationFactory(township=toufen, name="整理社區發展協會", status=Association.Status.REORGANISING)
    path = tmp_path / f"roster.{suffix}"
    call_command("export_associations", str(path), stdout=io.StringIO())

    report = _reimport(path, dapu.township.county)

    assert (report.unchanged, report.created, report.updated, report.errors) == (4, 0, 0, [])
    assert not [w for w in report.warnings if "已解散" in str(w)]


def test_exported_roster_says_which_associations_are_dissolved_and_when(tmp_path, zhunan):
    AssociationFactory(
        township=zhunan, status=Association.Status.DISSOLVED, dissolved_on=datetime.date(2026, 2, 17)
    )
    path = tmp_path / "roster.csv"
    call_command("export_associations", str(path), stdout=io.StringIO())

    rows = list(csv.reader(path.read_text(encoding="utf-8-sig").splitlines()))

    assert rows[0][-2:] == ["狀態", "解散日期"]
    assert rows[1][-2:] == ["已解散", "115/02/17"]


def test_dissolved_only_export_shows_every_row_as_dissolved(county_client, zhunan):
    AssociationFactory(township=zhunan, status=Association.Status.DISSOLVED)
    AssociationFactory(township=zhunan)
    response = county_client.get(reverse("associations:export") + "?status=dissolved&format=csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [row[-2] for row in rows[1:]] == ["已解散"]


def test_exported_rows_use_import_headers_roc_dates_and_officer_notes(tmp_path, dapu):
    path = tmp_path / "roster.csv"
    call_command("export_associations", str(path), stdout=io.StringIO())

    rows = list(csv.reader(path.read_text(encoding="utf-8-sig").splitlines()))

    assert rows[0] == [
        "鄉鎮市區",
        "協會名稱",
        "村里",
        "理事長",
        "總幹事",
        "電話",
        "地址",
        "成立日期",
        "立案字號",
        "屆期",
        "會員人數",
        "電子郵件",
        "狀態",
        "解散日期",
    ]
    assert rows[1][:8] == [
        "竹南鎮",
        "大埔社區發展協會",
        "大埔里",
        "夏金裕(黃木火代理)",
        "",
        "037-123456",
        dapu.address,
        "81/09/13",
    ]


def test_exported_csv_starts_with_a_byte_order_mark(tmp_path, dapu):
    path = tmp_path / "roster.csv"
    call_command("export_associations", str(path), stdout=io.StringIO())

    assert path.read_bytes().startswith(b"\xef\xbb\xbf")


def test_formula_like_cells_are_exported_with_a_leading_apostrophe(county_client, zhunan):
    AssociationFactory(township=zhunan, name="=cmd|' /C calc'!A0", phone="+886-37-123456")

    rows = _sheet_rows(county_client.get(reverse("associations:export")))

    assert rows[1][1] == "'=cmd|' /C calc'!A0"
    assert rows[1][5] == "'+886-37-123456"


def test_export_command_refuses_an_unknown_extension(tmp_path, db):
    with pytest.raises(CommandError, match="不支援的匯出格式"):
        call_command("export_associations", str(tmp_path / "roster.pdf"))


def test_export_keeps_the_list_filters(county_client, zhunan, toufen):
    AssociationFactory(township=zhunan, name="大埔社區發展協會")
    AssociationFactory(township=zhunan, name="公義社區發展協會")
    AssociationFactory(township=toufen, name="興隆社區發展協會")

    response = county_client.get(reverse("associations:export"), {"township": zhunan.pk, "q": "大埔"})

    assert [row[1] for row in _sheet_rows(response)[1:]] == ["大埔社區發展協會"]


def test_export_holds_every_page_of_the_list(county_client, zhunan, settings):
    settings.PAGE_SIZE = 2
    AssociationFactory.create_batch(5, township=zhunan)

    rows = _sheet_rows(county_client.get(reverse("associations:export")))

    assert len(rows) == 1 + 5


def test_csv_export_is_offered_too(county_client, dapu):
    response = county_client.get(reverse("associations:export"), {"format": "csv"})

    assert response["Content-Type"].startswith("text/csv")
    assert "大埔社區發展協會" in response.content.decode("utf-8-sig")


def test_township_clerk_export_holds_nothing_of_another_township(toufen_client, dapu, toufen):
    AssociationFactory(township=toufen, name="興隆社區發展協會")

    response = toufen_client.get(reverse("associations:export"), {"township": dapu.township.pk})

    assert [row[1] for row in _sheet_rows(response)[1:]] == ["興隆社區發展協會"]


def test_township_clerk_csv_export_filtered_by_another_township_holds_only_their_own(
    toufen_client, dapu, toufen
):
    AssociationFactory(township=toufen, name="興隆社區發展協會")

    response = toufen_client.get(
        reverse("associations:export"), {"township": dapu.township.pk, "format": "csv"}
    )

    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [row[:2] for row in rows[1:]] == [["頭份市", "興隆社區發展協會"]]


def test_anonymous_visitor_is_sent_to_login_instead_of_exporting(anonymous_client, dapu):
    response = anonymous_client.get(reverse("associations:export"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_judge_cannot_export_the_registry(judge_client, dapu):
    assert judge_client.get(reverse("associations:export")).status_code == 403


def _export_queries(client):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("associations:export")).status_code == 200
    return len(queries)


def test_export_query_count_does_not_grow_with_rows(county_client, zhunan):
    for association in AssociationFactory.create_batch(2, township=zhunan):
        OfficerFactory(association=association)
    small = _export_queries(county_client)
    for association in AssociationFactory.create_batch(20, township=zhunan):
        OfficerFactory(association=association)

    assert _export_queries(county_client) == small


def test_list_page_links_to_the_export_with_its_filters(county_client, zhunan):
    response = county_client.get(reverse("associations:list"), {"q": "大埔", "status": "active"})

    assert (
        f"{reverse('associations:export')}?q=%E5%A4%A7%E5%9F%94&amp;status=active&amp;format=xlsx"
        in response.content.decode()
    )


def test_export_counts_rows_on_the_command_line(tmp_path, dapu):
    out = io.StringIO()
    call_command("export_associations", str(tmp_path / "r.xlsx"), "--county", "苗栗縣", stdout=out)

    assert "已匯出 1 個協會" in out.getvalue()
    assert Association.objects.count() == 1
