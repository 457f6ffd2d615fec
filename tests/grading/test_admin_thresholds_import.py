"""The tier thresholds' admin import, through the admin pages: every changed row goes through the grading
workflow (`thresholds_update`) as the administrator, so it is refused once the year is final, recorded in the
tier history, and the preview writes nothing."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from grading.models import TierChange, TierRegister, TierThresholds
from tests.associations.factories import CountyFactory
from tests.core.test_admin_import_export import _csv, _export, _sent_to_admin_login, _xlsx
from tests.grading.factories import TierRegisterFactory

LIST = "/admin/grading/tierthresholds/"
HEADER = ["縣市", "年度", "潛力型至少應有的方案數", "發展型至少應有的方案數", "志工隊計入方案的最低人數"]


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def miaoli(db):
    """The administrator's working county (PORTAL_COUNTY)."""
    return CountyFactory(name="苗栗縣")


@pytest.fixture
def thresholds_2026(miaoli):
    return TierThresholds.objects.create(county=miaoli, year=2026)


def _preview(client, upload):
    return client.post(f"{LIST}import/", {"import_file": upload, "format": "0"})


def _import(client, upload):
    preview = _preview(client, upload)
    confirm = preview.context["confirm_form"]
    assert confirm is not None, preview.content.decode()
    return client.post(f"{LIST}process_import/", confirm.initial)


def _numbers(thresholds):
    thresholds.refresh_from_db()
    return thresholds.potential_min_activities, thresholds.developing_min_activities


def test_import_changes_thresholds_and_records_the_administrator(
    admin_client_, administrator, thresholds_2026
):
    response = _import(admin_client_, _xlsx([HEADER, ["苗栗縣", 115, 2, 4, 10]]))

    assert response.status_code == 302
    assert _numbers(thresholds_2026) == (2, 4)
    change = TierChange.objects.get(kind=TierChange.Kind.THRESHOLDS)
    assert (change.changed_by, change.year) == (administrator, 2026)
    assert change.reason.startswith("潛力型至少應有的方案數：1 → 2")


def test_a_gregorian_year_is_read_as_that_year(admin_client_, thresholds_2026):
    _import(admin_client_, _csv([HEADER, ["苗栗縣", "2026", 1, 5, 10]]))

    assert _numbers(thresholds_2026) == (1, 5)


def test_preview_writes_nothing(admin_client_, thresholds_2026):
    response = _preview(admin_client_, _xlsx([HEADER, ["苗栗縣", 115, 2, 4, 10]]))

    assert response.context["confirm_form"] is not None
    assert response.context["result"].totals["update"] == 1
    assert _numbers(thresholds_2026) == (1, 3)
    assert not TierChange.objects.exists()


def test_a_finalised_years_row_is_refused_with_the_reason_and_nothing_is_written(
    admin_client_, miaoli, thresholds_2026
):
    TierRegisterFactory(county=miaoli, year=2025, state=TierRegister.State.FINALISED)
    TierThresholds.objects.create(county=miaoli, year=2025)
    upload = _xlsx([HEADER, ["苗栗縣", 115, 2, 4, 10], ["苗栗縣", 114, 2, 4, 10]])

    response = _preview(admin_client_, upload)

    assert response.status_code == 200
    assert response.context.get("confirm_form") is None
    assert "114年度的分級清冊已定案，不可修改。" in response.content.decode()
    assert [row.number for row in response.context["result"].invalid_rows] == [3]
    assert _numbers(thresholds_2026) == (1, 3)
    assert not TierChange.objects.exists()


def test_developing_below_potential_is_refused_under_its_column(admin_client_, thresholds_2026):
    response = _preview(admin_client_, _xlsx([HEADER, ["苗栗縣", 115, 4, 2, 10]]))

    (row,) = response.context["result"].invalid_rows
    assert row.error_dict == {"發展型至少應有的方案數": ["發展型的方案數門檻不可低於潛力型。"]}
    assert _numbers(thresholds_2026) == (1, 3)


@pytest.mark.parametrize(
    ("cells", "column", "message"),
    [
        (["火星縣", 115], "縣市", "找不到縣市「火星縣」"),
        (["苗栗縣", "明年"], "年度", "無法辨識的年度：明年"),
    ],
)
def test_an_unknown_county_or_year_is_named_by_its_column(admin_client_, miaoli, cells, column, message):
    response = _preview(admin_client_, _xlsx([HEADER, [*cells, 2, 4, 10]]))

    (row,) = response.context["result"].invalid_rows
    assert message in row.error_dict[column][0]
    assert not TierThresholds.objects.exists()


def test_another_county_than_the_working_one_is_refused(admin_client_, miaoli):
    TierThresholds.objects.create(county=CountyFactory(name="雲林縣"), year=2026)

    response = _preview(admin_client_, _xlsx([HEADER, ["雲林縣", 115, 2, 4, 10]]))

    assert "只能處理所屬縣市的分級清冊。" in response.content.decode()
    assert not TierChange.objects.exists()


def test_an_export_reimports_as_all_skipped(admin_client_, miaoli, thresholds_2026):
    TierRegisterFactory(county=miaoli, year=2025, state=TierRegister.State.FINALISED)
    TierThresholds.objects.create(county=miaoli, year=2025)
    exported = _export(admin_client_, LIST, "0")

    preview = _preview(admin_client_, SimpleUploadedFile("t.xlsx", exported.content))

    totals = preview.context["result"].totals
    assert (totals["skip"], totals["update"], totals["new"], totals["invalid"]) == (2, 0, 0, 0)


def test_the_list_offers_import_but_single_rows_stay_closed(admin_client_, thresholds_2026):
    assert f"{LIST}import/" in admin_client_.get(LIST).content.decode()
    assert admin_client_.get(f"{LIST}add/").status_code == 403
    assert admin_client_.post(f"{LIST}{thresholds_2026.pk}/change/", {}).status_code == 403
    assert admin_client_.post(f"{LIST}{thresholds_2026.pk}/delete/", {"post": "yes"}).status_code == 403
    assert TierThresholds.objects.filter(pk=thresholds_2026.pk).exists()


@pytest.mark.parametrize("cast", ["county_client", "zhunan_client"])
@pytest.mark.parametrize("path", [f"{LIST}import/", f"{LIST}process_import/"])
def test_county_officers_and_clerks_cannot_reach_the_import(request, miaoli, cast, path):
    client = request.getfixturevalue(cast)

    assert _sent_to_admin_login(client.get(path))
    assert _sent_to_admin_login(client.post(path, {"format": "0"}))
