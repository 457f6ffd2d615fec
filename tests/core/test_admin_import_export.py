"""django-import-export in the admin, through the admin pages: the reference tables import (upload, preview,
confirm; all or nothing) and export, every list exports its scoped and filtered rows as .xlsx or .csv with ROC
dates and escaped formulas, and only administrators reach any of it."""

import csv
import datetime
import io
from pathlib import Path
from urllib.parse import urlsplit

import openpyxl
import pytest
from django.contrib.admin.sites import site
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import RequestFactory

from associations.models import Association, County, ServiceRegion, Township, Village
from grading.models import TierThresholds
from tests.associations.factories import AssociationFactory, CountyFactory, TownshipFactory, VillageFactory

XLSX, CSV = "0", "1"  # the export form's format choices, in PortalExportMixin.export_formats order
REFERENCE_LISTS = ["county", "serviceregion", "township", "village"]


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def miaoli(db):
    return CountyFactory(name="苗栗縣")


def _xlsx(rows, name="townships.xlsx"):
    workbook = openpyxl.Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue())


def _csv(rows, name="villages.csv"):
    text = io.StringIO()
    csv.writer(text).writerows(rows)
    return SimpleUploadedFile(name, text.getvalue().encode("utf-8-sig"))


def _preview(client, model, upload):
    return client.post(f"/admin/associations/{model}/import/", {"import_file": upload, "format": "0"})


def _import(client, model, upload):
    """Upload, preview and confirm; the confirmation's response."""
    preview = _preview(client, model, upload)
    confirm = preview.context["confirm_form"]
    assert confirm is not None, preview.content.decode()
    return client.post(f"/admin/associations/{model}/process_import/", confirm.initial)


def _export(client, path, fmt, query=""):
    return client.post(f"{path}export/{query}", {"format": fmt, "resource": "0"})


def _rows(response):
    if response["Content-Type"].startswith("text/csv"):
        return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    return [["" if v is None else v for v in row] for row in workbook.active.iter_rows(values_only=True)]


def _sent_to_admin_login(response) -> bool:
    return response.status_code == 302 and urlsplit(response["Location"]).path == "/admin/login/"


# --- import ----------------------------------------------------------------------------------------------


def test_administrator_imports_townships_from_an_xlsx_after_a_preview(admin_client_, miaoli):
    ServiceRegion.objects.create(county=miaoli, name="竹南區")
    upload = _xlsx([["縣市", "鄉鎮市區", "類型", "服務區", "排序"], ["苗栗縣", "竹南鎮", "鎮", "竹南區", 1]])

    response = _import(admin_client_, "township", upload)

    assert response.status_code == 302
    township = Township.objects.get(county=miaoli, name="竹南鎮")
    assert (township.kind, township.service_region.name, township.sort_order) == ("鎮", "竹南區", 1)


def test_preview_writes_nothing(admin_client_, miaoli):
    upload = _xlsx([["縣市", "鄉鎮市區", "類型", "服務區", "排序"], ["苗栗縣", "竹南鎮", "鎮", "", 1]])

    response = _preview(admin_client_, "township", upload)

    assert response.status_code == 200
    assert "竹南鎮" in response.content.decode()
    assert not Township.objects.exists()


def test_administrator_imports_villages_from_a_csv_naming_county_and_township(admin_client_, miaoli):
    zhunan = TownshipFactory(county=miaoli, name="竹南鎮", kind="鎮")
    TownshipFactory(county=CountyFactory(name="新竹縣"), name="竹南鎮", kind="鎮")  # same name, other county
    upload = _csv([["縣市", "鄉鎮市區", "村里", "類型"], ["苗栗縣", "竹南", "大埔里", "里"]])

    _import(admin_client_, "village", upload)

    assert list(Village.objects.values_list("township", "name", "kind")) == [(zhunan.pk, "大埔里", "里")]


def test_reimporting_an_export_changes_nothing(admin_client_, miaoli):
    VillageFactory(township=TownshipFactory(county=miaoli, name="竹南鎮"), name="大埔里", kind="里")
    exported = _export(admin_client_, "/admin/associations/village/", XLSX)

    preview = _preview(admin_client_, "village", SimpleUploadedFile("v.xlsx", exported.content))

    assert preview.context["result"].totals == {
        "new": 0,
        "update": 0,
        "delete": 0,
        "skip": 1,
        "error": 0,
        "invalid": 0,
    }


def test_a_bad_row_blocks_the_whole_import_and_is_named_by_row_and_column(admin_client_, miaoli):
    TownshipFactory(county=miaoli, name="竹南鎮", kind="鎮")
    upload = _csv(
        [
            ["縣市", "鄉鎮市區", "村里", "類型"],
            ["苗栗縣", "竹南鎮", "大埔里", "里"],
            ["苗栗縣", "不存在鄉", "某村", "村"],
        ]
    )

    response = _preview(admin_client_, "village", upload)

    html = response.content.decode()
    assert response.context.get("confirm_form") is None
    assert "找不到「苗栗縣」的鄉鎮市區「不存在鄉」。" in html
    assert [row.number for row in response.context["result"].invalid_rows] == [3]
    assert not Village.objects.exists()


def test_an_unknown_county_is_refused_in_chinese(admin_client_, miaoli):
    upload = _xlsx([["縣市", "服務區"], ["火星縣", "竹南區"]])

    response = _preview(admin_client_, "serviceregion", upload)

    assert "找不到縣市「火星縣」" in response.content.decode()
    assert not ServiceRegion.objects.exists()


def test_a_file_without_the_key_columns_is_refused_in_chinese(admin_client_, miaoli):
    response = _preview(admin_client_, "county", _xlsx([["名稱"], ["苗栗縣"]]))

    assert "找不到欄位「縣市」" in response.content.decode()


def test_confirmation_that_meets_an_error_writes_nothing(admin_client_, miaoli):
    """The table changed between preview and confirmation: the import is rolled back whole."""
    zhunan = TownshipFactory(county=miaoli, name="竹南鎮", kind="鎮")
    upload = _csv([["縣市", "鄉鎮市區", "村里", "類型"], ["苗栗縣", "竹南鎮", "大埔里", "里"]])
    confirm = _preview(admin_client_, "village", upload).context["confirm_form"]
    zhunan.delete()

    response = admin_client_.post("/admin/associations/village/process_import/", confirm.initial, follow=True)

    assert "未匯入" in response.content.decode()
    assert not Village.objects.exists()


def test_an_upload_waits_on_the_media_storage_until_confirmed(admin_client_, miaoli, media_root):
    upload = _xlsx([["縣市"], ["新竹縣"]])
    confirm = _preview(admin_client_, "county", upload).context["confirm_form"]
    kept = Path(media_root) / "django-import-export" / confirm.initial["import_file_name"]
    assert kept.is_file()

    admin_client_.post("/admin/associations/county/process_import/", confirm.initial)

    assert not kept.exists()
    assert County.objects.filter(name="新竹縣").exists()


# --- export ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("model", REFERENCE_LISTS)
@pytest.mark.parametrize("fmt", [XLSX, CSV])
def test_each_reference_table_exports_with_formulas_escaped(admin_client_, miaoli, model, fmt):
    region = ServiceRegion.objects.create(county=miaoli, name="=1+1")
    township = TownshipFactory(county=miaoli, name="=2+2", service_region=region)
    VillageFactory(township=township, name="=3+3")
    County.objects.create(name="=4+4")

    rows = _rows(_export(admin_client_, f"/admin/associations/{model}/", fmt))

    assert rows[0][0] == "縣市"
    assert any(cell.startswith("'=") for row in rows[1:] for cell in row if isinstance(cell, str))
    assert not any(cell.startswith("=") for row in rows[1:] for cell in row if isinstance(cell, str))


@pytest.mark.parametrize("fmt", [XLSX, CSV])
def test_tier_thresholds_export_with_roc_years_and_dates(admin_client_, administrator, fmt):
    TierThresholds.objects.create(county=CountyFactory(), year=2023, updated_by=administrator)

    rows = _rows(_export(admin_client_, "/admin/grading/tierthresholds/", fmt))

    assert rows[0][0] == "年度"
    assert str(rows[1][0]) == "112"
    assert rows[1][-1].startswith(f"{datetime.date.today().year - 1911}/")


def test_association_list_exports_the_filtered_rows_with_roc_dates(admin_client_, zhunan, toufen):
    AssociationFactory(township=zhunan, name="大埔社區發展協會", founded_on=datetime.date(1992, 9, 13))
    AssociationFactory(township=toufen, name="興隆社區發展協會")

    response = _export(
        admin_client_, "/admin/associations/association/", CSV, f"?township__id__exact={zhunan.pk}"
    )

    rows = _rows(response)
    assert [row[rows[0].index("協會名稱")] for row in rows[1:]] == ["大埔社區發展協會"]
    assert rows[1][rows[0].index("成立日期")] == "81/09/13"
    assert rows[1][rows[0].index("鄉鎮市區")] == "竹南鎮"


def test_export_of_the_association_list_is_scoped_like_the_list(toufen_clerk, zhunan, toufen):
    AssociationFactory(township=zhunan)
    toufen_row = AssociationFactory(township=toufen)
    request = RequestFactory().get("/admin/associations/association/export/")
    request.user = toufen_clerk

    assert list(site._registry[Association].get_export_queryset(request)) == [toufen_row]


@pytest.mark.parametrize(
    "path",
    [
        "/admin/associations/officer/",
        "/admin/associations/staffmembership/",
        "/admin/grading/assessment/",
        "/admin/grading/tierregister/",
        "/admin/grading/tierchange/",
        "/admin/core/importrecord/",
        "/admin/auth/user/",
        "/admin/auth/group/",
    ],
)
def test_every_other_list_exports_as_xlsx(admin_client_, path):
    response = _export(admin_client_, path, XLSX)

    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")


def test_user_export_leaves_out_password_hashes(admin_client_, administrator):
    rows = _rows(_export(admin_client_, "/admin/auth/user/", CSV))

    assert "admin" in [cell for row in rows for cell in row]
    assert not any("md5$" in cell for row in rows for cell in row)


def test_the_lists_show_import_and_export_beside_the_portal_imports(admin_client_):
    roster = admin_client_.get("/admin/associations/association/").content.decode()
    townships = admin_client_.get("/admin/associations/township/").content.decode()

    assert "/admin/associations/association/import/" in roster  # the roster pipeline, not the library
    assert "/admin/associations/association/export/" in roster
    assert "/admin/associations/township/import/" in townships
    assert "/admin/associations/township/export/" in townships


def test_the_roster_import_url_is_still_the_portals_own(admin_client_):
    response = admin_client_.get("/admin/associations/association/import/")

    assert "匯入協會名冊" in response.content.decode()


# --- access ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("cast", ["county_client", "zhunan_client", "judge_client"])
@pytest.mark.parametrize(
    "path",
    [
        "/admin/associations/township/import/",
        "/admin/associations/township/process_import/",
        "/admin/associations/township/export/",
        "/admin/associations/association/export/",
    ],
)
def test_other_roles_are_sent_to_the_admin_login_from_import_and_export(request, miaoli, cast, path):
    client = request.getfixturevalue(cast)

    assert _sent_to_admin_login(client.get(path))
    assert _sent_to_admin_login(client.post(path, {"format": XLSX}))


def test_the_library_pages_speak_traditional_chinese(admin_client_, miaoli):
    response = _preview(admin_client_, "county", _xlsx([["縣市"], ["新竹縣"]]))

    html = response.content.decode()
    assert "確認匯入" in html
    assert "Confirm import" not in html
