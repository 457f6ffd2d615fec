"""Edit forms carry a version: a save made on a page someone else has saved since is refused, saying who
and when, and changes nothing. Create forms carry a one-time token: a repeat creates nothing."""

import datetime
import uuid
import zoneinfo

import pytest
import time_machine

from associations.models import Association, Meeting, Officer, YearlyFiling
from tests.associations.factories import AssociationFactory, OfficerFactory
from tests.associations.test_views import _form_data, _officer_data

STALE = "此資料已由 王小明 於 115/07/01 10:15 修改，請重新整理後再編輯。"
AT_10_15 = datetime.datetime(2026, 7, 1, 10, 15, tzinfo=zoneinfo.ZoneInfo("Asia/Taipei"))


@pytest.fixture
def association(zhunan):
    return AssociationFactory(township=zhunan, name="竹南大埔社區發展協會")


def edited_by_another(county_officer, client, url, data):
    """Someone else (the county officer, named 王小明) saves `url` with `data` at 115/07/01 10:15."""
    county_officer.first_name, county_officer.last_name = "王小明", ""
    county_officer.save()
    with time_machine.travel(AT_10_15, tick=False):
        assert client.post(url, data).status_code == 302


def test_a_stale_association_edit_is_refused_with_who_and_when(
    zhunan_client, county_client, county_officer, association
):
    url = f"/associations/{association.pk}/edit/"
    shown = zhunan_client.get(url).context["form"]["edit_version"].value()
    edited_by_another(county_officer, county_client, url, _form_data(association, phone="037-111111"))
    response = zhunan_client.post(url, _form_data(association, phone="037-222222", edit_version=shown))
    assert response.status_code == 200
    assert STALE in response.content.decode()
    assert Association.objects.get().phone == "037-111111"


def test_a_stale_officer_edit_is_refused(zhunan_client, county_client, county_officer, association):
    officer = OfficerFactory(association=association, name="林志明")
    url = f"/associations/officers/{officer.pk}/edit/"
    shown = zhunan_client.get(url).context["form"]["edit_version"].value()
    edited_by_another(county_officer, county_client, url, _officer_data(name="林志明", phone="0911"))
    response = zhunan_client.post(url, _officer_data(name="林志明", phone="0922", edit_version=shown))
    assert STALE in response.content.decode()
    assert Officer.objects.get().phone == "0911"


def test_a_stale_filing_save_is_refused(
    zhunan_client, county_client, county_officer, association, frozen_today
):
    url = f"/associations/{association.pk}/compliance/114/"
    shown = zhunan_client.get(url).context["forms"]["filing"]["edit_version"].value()
    post = {"action": "filing", "filing-plan_budget_filed_on": "114/01/10"}
    edited_by_another(county_officer, county_client, url, post)
    response = zhunan_client.post(
        url, {**post, "filing-plan_budget_filed_on": "114/01/20", "filing-edit_version": shown}
    )
    assert STALE in response.content.decode()
    assert str(YearlyFiling.objects.get().plan_budget_filed_on) == "2025-01-10"


def test_a_stale_grid_row_save_is_refused(
    zhunan_client, county_client, county_officer, association, frozen_today
):
    url = f"/associations/compliance/114/?township={association.township_id}"
    prefix = f"a{association.pk}"
    rows = zhunan_client.get(url).context["rows"]
    shown = rows[0]["version"]
    post = {"association": association.pk, f"{prefix}-assembly_dates": "114/05/20"}
    edited_by_another(county_officer, county_client, url, post)
    response = zhunan_client.post(
        url, {**post, f"{prefix}-assembly_dates": "114/06/20", f"{prefix}-edit_version": shown}
    )
    assert STALE in response.content.decode()
    assert [str(m.held_on) for m in Meeting.objects.all()] == ["2025-05-20"]


def test_an_officer_form_posted_twice_with_one_token_creates_one_officer(zhunan_client, association):
    data = _officer_data(submission_token=str(uuid.uuid4()))
    first = zhunan_client.post(f"/associations/{association.pk}/officers/new/", data)
    second = zhunan_client.post(f"/associations/{association.pk}/officers/new/", data)
    assert (first.status_code, second.status_code) == (302, 302)
    assert second.url == association.get_absolute_url()
    assert Officer.objects.count() == 1


def test_every_post_form_page_loads_the_script_that_disables_its_buttons(zhunan_client, association):
    assert "js/submit-once.js" in zhunan_client.get(f"/associations/{association.pk}/edit/").content.decode()
