"""The operator's commands: `add_staff` (accounts with a role) and `import_townships` (geography)."""

import io

import openpyxl
import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.http import HttpRequest
from django.test import Client

from associations.models import County, ServiceRegion, StaffMembership, Township
from core.roles import Role
from tests.associations.factories import CountyFactory, TownshipFactory

PASSWORD = "Miaoli-county-2023!"


def _run(command: str, *args: str) -> str:
    out = io.StringIO()
    call_command(command, *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def portal_password(monkeypatch):
    monkeypatch.setenv("PORTAL_PASSWORD", PASSWORD)


# --- add_staff -------------------------------------------------------------------------------------------


def test_add_staff_binds_a_township_clerk_to_the_township_written_without_suffix(zhunan, portal_password):
    output = _run("add_staff", "chen", "--role", "township", "--township", "竹南", "--name", "陳美玲")

    membership = StaffMembership.objects.get(user__username="chen")
    assert (membership.role, membership.township) == (Role.TOWNSHIP, zhunan)
    assert membership.user.get_full_name() == "陳美玲"
    assert "已建立使用者 chen" in output


def test_added_staff_can_log_in_with_the_given_password(zhunan, portal_password):
    _run("add_staff", "chen", "--role", "township", "--township", "苗栗縣竹南鎮")

    assert Client().login(request=HttpRequest(), username="chen", password=PASSWORD)


def test_add_staff_gives_the_admin_only_to_administrators(zhunan, portal_password):
    _run("add_staff", "it", "--role", "admin")
    _run("add_staff", "officer", "--role", "county")

    User = get_user_model()
    assert User.objects.filter(username="it", is_staff=True, is_superuser=True).exists()
    assert User.objects.filter(username="officer", is_staff=False, is_superuser=False).exists()


def test_add_staff_run_again_updates_the_same_user(zhunan, toufen, portal_password):
    _run("add_staff", "chen", "--role", "township", "--township", "竹南鎮")

    output = _run("add_staff", "chen", "--role", "township", "--township", "頭份市")

    assert StaffMembership.objects.get(user__username="chen").township == toufen
    assert get_user_model().objects.filter(username="chen").count() == 1
    assert "已更新使用者 chen" in output


def test_add_staff_refuses_an_unknown_township_and_creates_nobody(zhunan, portal_password):
    with pytest.raises(CommandError, match="找不到鄉鎮市區「竹北市」"):
        _run("add_staff", "chen", "--role", "township", "--township", "竹北市")

    assert not get_user_model().objects.filter(username="chen").exists()


def test_add_staff_refuses_a_township_name_two_counties_share(db, portal_password):
    TownshipFactory(county=CountyFactory(name="苗栗縣"), name="中山鄉")
    yunlin = TownshipFactory(county=CountyFactory(name="雲林縣"), name="中山鄉")

    with pytest.raises(CommandError, match="請加上縣市"):
        _run("add_staff", "chen", "--role", "township", "--township", "中山鄉")
    _run("add_staff", "chen", "--role", "township", "--township", "雲林縣中山鄉")
    assert StaffMembership.objects.get().township == yunlin


def test_add_staff_requires_a_township_for_township_clerks_only(zhunan, portal_password):
    with pytest.raises(CommandError, match="公所承辦人必須以 --township 指定鄉鎮市區"):
        _run("add_staff", "chen", "--role", "township")
    with pytest.raises(CommandError, match="只有公所承辦人需要指定鄉鎮市區"):
        _run("add_staff", "boss", "--role", "county", "--township", "竹南鎮")

    assert not get_user_model().objects.exists()


def test_add_staff_refuses_a_weak_password_and_creates_nobody(zhunan, monkeypatch):
    monkeypatch.setenv("PORTAL_PASSWORD", "123")

    with pytest.raises(CommandError, match="密碼太短"):
        _run("add_staff", "officer", "--role", "county")

    assert not get_user_model().objects.exists()


def test_add_staff_without_a_password_or_terminal_says_how_to_give_one(db, monkeypatch):
    monkeypatch.delenv("PORTAL_PASSWORD", raising=False)
    monkeypatch.setattr("os.isatty", lambda fd: False)

    with pytest.raises(CommandError, match="請以 PORTAL_PASSWORD 環境變數提供密碼"):
        _run("add_staff", "officer", "--role", "county")

    assert not get_user_model().objects.exists()


# --- import_townships ------------------------------------------------------------------------------------


def _csv(tmp_path, text: str, name: str = "townships.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _xlsx(tmp_path, rows: list[list[object]]):
    workbook = openpyxl.Workbook()
    for row in rows:
        workbook.active.append(row)
    path = tmp_path / "townships.xlsx"
    workbook.save(path)
    return path


MIAOLI = (
    "縣市,鄉鎮市區,類型,服務區\n苗栗縣,竹南鎮,鎮,竹南區\n苗栗縣,頭份市,市,頭份區\n苗栗縣,造橋鄉,鄉,竹南區\n"
)


def test_import_townships_creates_them_in_file_order_with_their_regions(db, tmp_path):
    output = _run("import_townships", str(_csv(tmp_path, MIAOLI)))

    townships = list(
        Township.objects.order_by("sort_order").values_list("name", "kind", "service_region__name")
    )
    assert townships == [("竹南鎮", "鎮", "竹南區"), ("頭份市", "市", "頭份區"), ("造橋鄉", "鄉", "竹南區")]
    assert "新增 3、更新 0、未變更 0" in output


def test_import_townships_run_twice_changes_nothing_the_second_time(db, tmp_path):
    path = _csv(tmp_path, MIAOLI)
    _run("import_townships", str(path))

    output = _run("import_townships", str(path))

    assert "新增 0、更新 0、未變更 3" in output
    assert (County.objects.count(), ServiceRegion.objects.count(), Township.objects.count()) == (1, 2, 3)


def test_import_townships_updates_a_changed_service_region(db, tmp_path):
    _run("import_townships", str(_csv(tmp_path, MIAOLI)))

    output = _run(
        "import_townships", str(_csv(tmp_path, MIAOLI.replace("造橋鄉,鄉,竹南區", "造橋鄉,鄉,苗栗區")))
    )

    assert Township.objects.get(name="造橋鄉").service_region.name == "苗栗區"
    assert "新增 0、更新 1、未變更 2" in output


def test_import_townships_reads_an_xlsx_with_a_title_row_and_tai_written_either_way(db, tmp_path):
    path = _xlsx(
        tmp_path,
        [["雲林縣鄉鎮市一覽表"], ["縣市", "鄉鎮市區"], ["雲林縣", "台西鄉"], ["雲林縣", "斗六市"]],
    )

    _run("import_townships", str(path))

    assert set(Township.objects.values_list("name", "kind")) == {("臺西鄉", "鄉"), ("斗六市", "市")}
    assert Township.objects.lookup("台西") == Township.objects.get(name="臺西鄉")


def test_import_townships_with_a_bad_row_names_it_and_writes_nothing(db, tmp_path):
    text = "縣市,鄉鎮市區,類型\n苗栗縣,竹南鎮,鎮\n苗栗縣,大埔,村\n,頭份市,市\n"

    with pytest.raises(CommandError) as error:
        _run("import_townships", str(_csv(tmp_path, text)))

    assert "第 3 列：類型「村」無法辨識，應為鄉、鎮、市或區。" in str(error.value)
    assert "第 4 列：縣市與鄉鎮市區都必須填寫。" in str(error.value)
    assert not County.objects.exists()
    assert not Township.objects.exists()


def test_import_townships_without_the_township_column_says_which_is_missing(db, tmp_path):
    with pytest.raises(CommandError, match="鄉鎮市區"):
        _run("import_townships", str(_csv(tmp_path, "縣市,名稱\n苗栗縣,竹南鎮\n")))

    assert not Township.objects.exists()


def test_import_townships_reports_a_missing_file_in_chinese(db, tmp_path):
    with pytest.raises(CommandError, match="找不到檔案"):
        _run("import_townships", str(tmp_path / "none.csv"))
