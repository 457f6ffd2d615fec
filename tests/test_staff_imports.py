"""County officers import rosters and compliance sheets from the staff pages (issue 12, item 7): upload,
a preview listing the rows it will write and every warning, then confirm, on the admin's pipeline and for
their own county only; township clerks and judges are refused."""

from __future__ import annotations

import csv
import re

import pytest

from associations.models import Association, Meeting
from core.models import ImportRecord
from tests.associations.factories import AssociationFactory

ROSTER = "/associations/import/"
COMPLIANCE = "/grading/import/"
COMPLIANCE_HEADER = (
    "鄉鎮市,協會名稱,會員大會日期,理事會日期,監事會日期,"
    "工作計畫及預算送府日期,工作報告及決算送府日期,任期屆滿日,備註\n"
)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def roster(tmp_path, zhunan):
    path = tmp_path / "roster.csv"
    with path.open("w", encoding="utf-8", newline="") as stream:
        csv.writer(stream).writerows(
            [
                ["鄉鎮市", "名稱", "成立日期", "理事長", "電話", "地址"],
                ["竹南鎮", "大埔社區發展協會", "810913", "王大明", "037-123456", "苗栗縣竹南鎮大埔里1號"],
                ["竹南鎮", "中港社區發展協會", "810914", "林?美", "037-123457", "苗栗縣竹南鎮中港里2號"],
            ]
        )
    return path


@pytest.fixture
def sheet(tmp_path, zhunan):
    AssociationFactory(township=zhunan, name="竹南鎮中美社區發展協會")
    path = tmp_path / "清查.csv"
    path.write_text(COMPLIANCE_HEADER + "竹南鎮,竹南鎮中美社區發展協會,112/05/20,,,,,,\n", encoding="utf-8")
    return path


def _preview(client, url, path, **data):
    with path.open("rb") as upload:
        return client.post(url, {"file": upload, **data})


def _confirm(client, url):
    record = ImportRecord.objects.get(dry_run=True)
    return client.post(url, {"confirm": "1", "record": record.pk, "sha256": record.sha256}, follow=True)


def test_county_officer_previews_a_roster_listing_every_row_and_warning_before_writing(
    county_client, county_officer, roster
):
    html = _preview(
        county_client, ROSTER, roster, county=county_officer.membership.county_id
    ).content.decode()

    assert "預覽結果（尚未寫入）" in html
    assert "大埔社區發展協會" in html and "中港社區發展協會" in html
    assert "「林?美」含「?」" in html
    assert not Association.objects.exists()


def test_county_officer_imports_a_roster_end_to_end(county_client, county_officer, roster):
    _preview(county_client, ROSTER, roster, county=county_officer.membership.county_id)

    response = _confirm(county_client, ROSTER)

    assert "已匯入「roster.csv」" in response.content.decode()
    assert sorted(Association.objects.values_list("name", flat=True)) == [
        "中港社區發展協會",
        "大埔社區發展協會",
    ]


def test_county_officer_imports_a_compliance_sheet_end_to_end(county_client, county_officer, sheet):
    preview = _preview(
        county_client, COMPLIANCE, sheet, year="112", county=county_officer.membership.county_id
    )
    assert "竹南鎮中美社區發展協會" in preview.content.decode()
    assert not Meeting.objects.exists()

    _confirm(county_client, COMPLIANCE)

    assert Meeting.objects.filter(association__name="竹南鎮中美社區發展協會").count() == 1


@pytest.mark.parametrize("url", [ROSTER, COMPLIANCE])
def test_the_staff_page_offers_only_the_officers_own_county(county_client, county_officer, douliu, url):
    menu = re.search(r'<select name="county".*?</select>', county_client.get(url).content.decode(), re.S)

    assert re.findall(r"<option[^>]*>([^<]+)</option>", menu.group(0)) == [
        county_officer.membership.county.name
    ]


def test_another_countys_officer_cannot_pick_this_county(yunlin_client, county_officer, roster):
    response = _preview(yunlin_client, ROSTER, roster, county=county_officer.membership.county_id)

    assert "預覽結果" not in response.content.decode()
    assert not ImportRecord.objects.exists()


def test_another_countys_officer_cannot_confirm_this_countys_preview(
    county_client, county_officer, yunlin_client, roster
):
    _preview(county_client, ROSTER, roster, county=county_officer.membership.county_id)

    response = _confirm(yunlin_client, ROSTER)

    assert "找不到預覽過的檔案" in response.content.decode()
    assert not Association.objects.exists()


@pytest.mark.parametrize("url", [ROSTER, COMPLIANCE])
def test_township_clerk_is_refused_the_import_pages(zhunan_client, url):
    assert zhunan_client.get(url).status_code == 403


@pytest.mark.parametrize("url", [ROSTER, COMPLIANCE])
def test_judge_is_refused_the_import_pages(judge_client, url):
    assert judge_client.get(url).status_code == 403


def test_county_officer_finds_the_import_pages_in_the_menu(county_client):
    html = county_client.get("/associations/").content.decode()

    assert f'href="{ROSTER}"' in html and f'href="{COMPLIANCE}"' in html


def test_township_clerk_has_no_import_link_in_the_menu(zhunan_client):
    assert f'href="{ROSTER}"' not in zhunan_client.get("/associations/").content.decode()
