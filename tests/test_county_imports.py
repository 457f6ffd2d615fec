"""Imports keep to their county (issue 9, item 3): a file of another county's townships is refused with one
sentence naming that county, a file mixing counties names its foreign rows, the import pages offer only the
counties the user may import into, the commands refuse a `--user` another county's, and importing one
county's roster changes nothing another county's officer sees."""

from __future__ import annotations

import re
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.test import Client

from associations import access
from associations.compliance.imports import ComplianceImport
from associations.geography import townships_import
from associations.models import Association, County
from associations.roster.dataset import roster_import
from core.imports.pipeline import run_import
from core.roles import Role
from tests import DATA_DIR
from tests.associations.factories import AssociationFactory, StaffFactory
from tests.grading.factories import AssessmentFactory

SAMPLE = DATA_DIR / "hsinchu-county-associations-big5.csv"
YEAR = 2023
COMPLIANCE_HEADER = "鄉鎮市,協會名稱,會員大會日期\n"


@pytest.fixture
def geography(db):
    townships_import(path=settings.BASE_DIR / "fixtures" / "geography.csv")
    return {county.name: county for county in County.objects.all()}


@pytest.fixture
def hsinchu_officer(geography):
    return StaffFactory(username="hsinchu", role=Role.COUNTY, county=geography["新竹縣"])


def _roster(path: Path, county: County, **options):
    return roster_import(path=path, user=None, county=county, dry_run=False, **options)


def _write(tmp_path: Path, text: str, name: str = "file.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _messages(report) -> list[str]:
    return [str(issue) for issue in report.errors]


# --- The roster -----------------------------------------------------------------------------------------


def test_the_hsinchu_roster_imported_into_miaoli_is_one_error_naming_hsinchu(geography):
    report = _roster(SAMPLE, geography["苗栗縣"])

    assert _messages(report) == ["此檔案的鄉鎮市區均屬新竹縣，請選擇新竹縣或確認檔案。"]
    assert not Association.objects.exists()


def test_a_roster_mixing_counties_names_each_foreign_row_with_its_county(geography, tmp_path):
    path = _write(
        tmp_path,
        "鄉鎮市,名稱\n竹南鎮,大埔社區發展協會\n竹北市,斗崙社區發展協會\n新竹縣竹東鎮,上坪社區發展協會\n",
    )

    report = _roster(path, geography["苗栗縣"])

    assert _messages(report) == [
        "第 3 列「鄉鎮市」：「竹北市」是新竹縣竹北市，不屬苗栗縣；請確認檔案或選擇的縣市。",
        "第 4 列「鄉鎮市」：「新竹縣竹東鎮」是新竹縣竹東鎮，不屬苗栗縣；請確認檔案或選擇的縣市。",
    ]
    assert not Association.objects.exists()


def test_a_roster_without_a_township_column_is_judged_by_its_addresses(geography, tmp_path):
    path = _write(
        tmp_path,
        "名稱,地址\n斗崙社區發展協會,302新竹縣竹北市斗崙里1號\n北崙社區發展協會,新竹縣竹北市博愛街2號\n",
    )

    report = _roster(path, geography["苗栗縣"])

    assert _messages(report) == ["此檔案的鄉鎮市區均屬新竹縣，請選擇新竹縣或確認檔案。"]


def test_a_township_unknown_everywhere_keeps_its_plain_error(geography, tmp_path):
    report = _roster(_write(tmp_path, "鄉鎮市,名稱\n不存在鄉,大埔社區發展協會\n"), geography["苗栗縣"])

    assert _messages(report) == ["第 2 列「鄉鎮市」：「不存在鄉」不是苗栗縣的鄉鎮市區。"]


def _pages(client: Client) -> dict[str, str]:
    """What the 苗栗 officer sees on home, the association list, the register and the to-do list, without
    the per-request tokens."""
    paths = ["/", "/associations/", f"/grading/{YEAR - 1911}/register/", "/grading/todo/"]
    pages = {}
    for path in paths:
        response = client.get(path)
        assert response.status_code == 200, path
        pages[path] = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode())
    return pages


def test_the_hsinchu_roster_imports_for_a_hsinchu_officer_and_changes_nothing_miaoli_sees(
    geography, hsinchu_officer, county_client, zhunan
):
    AssessmentFactory(association=AssociationFactory(township=zhunan, name="大埔社區發展協會"), year=YEAR)
    before = _pages(county_client)

    report = roster_import(
        path=SAMPLE, user=hsinchu_officer, county=geography["新竹縣"], dry_run=False, file_name=SAMPLE.name
    )

    assert (report.exit_code, report.created) == (0, 188)
    assert Association.objects.visible_to(hsinchu_officer).count() == 188
    assert _pages(county_client) == before


# --- The compliance sheet -------------------------------------------------------------------------------


def _compliance(path: Path, county: County):
    return run_import(
        ComplianceImport(year=YEAR, county=county, user=None), path=path, user=None, dry_run=False
    )


def test_a_compliance_sheet_of_another_county_is_one_error_naming_it(geography, tmp_path):
    path = _write(
        tmp_path, COMPLIANCE_HEADER + "竹北市,斗崙社區發展協會,112/05/20\n竹東鎮,上坪社區發展協會,\n"
    )

    report = _compliance(path, geography["苗栗縣"])

    assert _messages(report) == ["此檔案的鄉鎮市區均屬新竹縣，請選擇新竹縣或確認檔案。"]


def test_a_compliance_sheet_mixing_counties_names_the_foreign_rows(geography, tmp_path, zhunan):
    AssociationFactory(township=zhunan, name="大埔社區發展協會")
    path = _write(
        tmp_path, COMPLIANCE_HEADER + "竹南鎮,大埔社區發展協會,112/05/20\n斗六市,溝壩社區發展協會,\n"
    )

    report = _compliance(path, geography["苗栗縣"])

    assert _messages(report) == [
        "第 3 列「鄉鎮市」：「斗六市」是雲林縣斗六市，不屬苗栗縣；請確認檔案或選擇的縣市。"
    ]


# --- Who may import into which county -------------------------------------------------------------------


def _county_menu(client: Client, path: str) -> list[str]:
    html = client.get(path).content.decode()
    menu = re.search(r'<select name="county".*?</select>', html, re.S)
    assert menu is not None
    return re.findall(r"<option[^>]*>([^<]+)</option>", menu.group(0))


@pytest.mark.parametrize(
    "path", ["/admin/associations/association/import/", "/admin/grading/assessment/import/"]
)
def test_the_import_pages_offer_every_county_with_the_working_one_chosen(geography, admin_client_, path):
    admin_client_.post("/county/", {"county": geography["雲林縣"].pk})

    html = admin_client_.get(path).content.decode()

    assert _county_menu(admin_client_, path) == sorted(geography)
    assert re.search(rf'<option value="{geography["雲林縣"].pk}" selected>雲林縣</option>', html)


def test_a_county_officer_may_import_only_into_their_own_county(geography, hsinchu_officer):
    counties = access.import_counties(County.objects.all(), hsinchu_officer)

    assert list(counties.values_list("name", flat=True)) == ["新竹縣"]
    assert not access.can_import_into(hsinchu_officer, geography["苗栗縣"])


def test_a_township_clerk_may_import_into_no_county_not_even_their_own(geography, zhunan_clerk):
    assert not access.import_counties(County.objects.all(), zhunan_clerk).exists()


def test_an_administrator_may_import_into_every_county(geography, administrator):
    assert access.import_counties(County.objects.all(), administrator).count() == len(geography)


@pytest.mark.parametrize(
    ("username", "refused"), [("county", True), ("zhunan", True), ("hsinchu", False), ("admin", False)]
)
def test_the_roster_command_imports_only_into_a_county_the_user_may_import_into(
    geography, hsinchu_officer, county_officer, zhunan_clerk, administrator, username, refused
):
    args = ["import_associations", str(SAMPLE), "--county", "新竹縣", "--user", username, "--dry-run"]
    if refused:
        with pytest.raises(CommandError, match="不能匯入新竹縣的名冊"):
            call_command(*args, stdout=StringIO())
    else:
        call_command(*args, stdout=StringIO())


def test_the_roster_command_without_a_user_imports_into_any_county(geography):
    call_command("import_associations", str(SAMPLE), "--county", "新竹縣", stdout=StringIO())

    assert Association.objects.filter(township__county__name="新竹縣").count() == 188


def test_the_compliance_command_refuses_a_county_the_user_may_not_import_into(
    geography, county_officer, tmp_path
):
    path = _write(tmp_path, COMPLIANCE_HEADER + "竹北市,斗崙社區發展協會,112/05/20\n")

    with pytest.raises(CommandError, match="不能匯入新竹縣的清查表"):
        call_command("import_compliance", "112", str(path), "--county", "新竹縣", "--user", "county")
