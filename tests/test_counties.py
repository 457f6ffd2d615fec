"""Many counties in one portal: each county officer serves one county, an administrator picks the county to
work on, and each county keeps, recomputes, finalises and exports its own tier register."""

import io

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import CommandError, call_command

from associations import access
from associations.models import Association, StaffMembership
from grading.models import Assessment, TierRegister
from grading.services import assessments_recompute, register_finalise
from tests.associations.factories import AssociationFactory, TownshipFactory
from tests.grading.factories import compliant_year

YEAR = 2023


@pytest.fixture
def both(zhunan, douliu):
    return AssociationFactory(township=zhunan), AssociationFactory(township=douliu)


def test_county_officer_sees_only_their_own_countys_associations(both, county_officer, yunlin_officer):
    miaoli_row, yunlin_row = both

    assert list(Association.objects.visible_to(county_officer)) == [miaoli_row]
    assert list(Association.objects.visible_to(yunlin_officer)) == [yunlin_row]


def test_county_officer_without_a_county_sees_nothing(both, county_officer):
    StaffMembership.objects.filter(user=county_officer).update(county=None)
    county_officer.refresh_from_db()

    assert not Association.objects.visible_to(county_officer).exists()


def test_township_clerks_county_is_their_townships(zhunan, zhunan_clerk):
    assert access.county_id_of(zhunan_clerk) == zhunan.county_id


def test_administrator_works_on_the_portal_county_until_they_choose(both, administrator, zhunan):
    assert access.county_id_of(administrator) == zhunan.county_id


def test_administrators_county_choice_is_remembered(both, admin_client_, administrator, douliu):
    response = admin_client_.post("/county/", {"county": douliu.county_id})

    assert response.status_code == 302
    administrator.refresh_from_db()
    assert access.county_id_of(administrator) == douliu.county_id
    assert "斗六市" in admin_client_.get("/associations/").content.decode()


def test_only_administrators_may_switch_county(both, county_client, douliu):
    assert county_client.post("/county/", {"county": douliu.county_id}).status_code == 403


def test_township_menu_lists_only_the_users_countys_townships_in_its_order(zhunan, douliu, county_client):
    TownshipFactory(county=zhunan.county, name="後龍鎮", kind="鎮", sort_order=0)
    zhunan.sort_order = 1
    zhunan.save()

    choices = [
        t.name for t in county_client.get("/associations/").context["form"].fields["township"].queryset
    ]

    assert choices == ["後龍鎮", "竹南鎮"]


def test_compliance_grid_opens_on_the_first_township_with_associations(zhunan, county_client):
    TownshipFactory(county=zhunan.county, name="後龍鎮", kind="鎮", sort_order=0)
    zhunan.sort_order = 1
    zhunan.save()
    AssociationFactory(township=zhunan)

    assert county_client.get(f"/associations/compliance/{YEAR - 1911}/").context["township"] == zhunan


def test_each_county_finalises_its_own_register_for_the_same_year(both, county_officer, yunlin_officer):
    for row in both:
        compliant_year(row, YEAR)
    for officer in (county_officer, yunlin_officer):
        assessments_recompute(year=YEAR, actor=officer)
        register_finalise(year=YEAR, actor=officer)

    registers = TierRegister.objects.filter(year=YEAR, state=TierRegister.State.FINALISED)
    assert sorted(r.county.name for r in registers) == ["苗栗縣", "雲林縣"]
    assert Assessment.objects.filter(year=YEAR).count() == 2


def test_recompute_touches_only_the_actors_county(both, county_officer):
    assessments_recompute(year=YEAR, actor=county_officer)

    assert list(Assessment.objects.values_list("association", flat=True)) == [both[0].pk]


def test_county_officer_cannot_finalise_another_countys_register(both, county_officer, douliu):
    with pytest.raises(PermissionDenied):
        register_finalise(year=YEAR, actor=county_officer, county=douliu.county)


def test_recompute_command_runs_every_county_or_the_one_named(both):
    call_command("recompute_grading", "112", "--county", "雲林縣", stdout=io.StringIO())
    assert list(Assessment.objects.values_list("association", flat=True)) == [both[1].pk]

    call_command("recompute_grading", "112", stdout=io.StringIO())
    assert Assessment.objects.count() == 2


def test_recompute_command_refuses_an_unknown_county(both):
    with pytest.raises(CommandError, match="找不到縣市"):
        call_command("recompute_grading", "112", "--county", "火星縣", stdout=io.StringIO())


def test_export_command_exports_only_the_named_county(both, tmp_path):
    call_command("recompute_grading", "112", stdout=io.StringIO())
    path = tmp_path / "register.csv"

    call_command("export_tier_register", "112", str(path), "--county", "雲林縣", stdout=io.StringIO())

    text = path.read_text(encoding="utf-8-sig")
    assert "斗六市" in text
    assert "竹南鎮" not in text


def test_add_staff_binds_a_county_officer_to_the_county_named(douliu, zhunan, monkeypatch):
    monkeypatch.setenv("PORTAL_PASSWORD", "Yunlin-county-2023!")

    call_command("add_staff", "lin", "--role", "county", "--county", "雲林縣", stdout=io.StringIO())
    call_command("add_staff", "wang", "--role", "county", stdout=io.StringIO())

    assert StaffMembership.objects.get(user__username="lin").county == douliu.county
    assert StaffMembership.objects.get(user__username="wang").county == zhunan.county


def test_add_staff_refuses_a_county_for_a_township_clerk(zhunan, douliu, monkeypatch):
    monkeypatch.setenv("PORTAL_PASSWORD", "Yunlin-county-2023!")

    with pytest.raises(CommandError, match="只有縣府承辦人與系統管理者可以指定縣市"):
        call_command("add_staff", "chen", "--role", "township", "--township", "竹南鎮", "--county", "雲林縣")
