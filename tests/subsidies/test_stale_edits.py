"""The subsidy edit forms carry a version (core.concurrency), as the registry's do: a save made on a page
someone else has saved since is refused, saying who and when, and changes nothing."""

from __future__ import annotations

import datetime
import zoneinfo

import pytest
import time_machine
from django.test import Client

from core.roles import Role
from subsidies import services
from subsidies.models import Allocation, Application, FundingSource, SelfFundingMinimum, SubsidyItem
from tests.associations.factories import AssociationFactory, StaffFactory
from tests.subsidies.factories import FUND, YEAR, configure, draft, source
from tests.subsidies.test_views import _form

STALE = "此資料已由 王小明 於 115/07/01 10:15 修改，請重新整理後再編輯。"
AT_10_15 = datetime.datetime(2026, 7, 1, 10, 15, tzinfo=zoneinfo.ZoneInfo("Asia/Taipei"))

pytestmark = pytest.mark.usefixtures("frozen_today")


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def association(zhunan):
    configure(zhunan.county)
    return AssociationFactory(township=zhunan, name="竹南社區發展協會")


@pytest.fixture
def application(association, zhunan_clerk):
    return draft(zhunan_clerk, association)


@pytest.fixture
def other_clerk(zhunan):
    """A second clerk of 竹南鎮, 王小明."""
    return _client(StaffFactory(username="zhunan2", role=Role.TOWNSHIP, township=zhunan, first_name="王小明"))


@pytest.fixture
def other_officer(zhunan):
    """A second county officer of 苗栗縣, 王小明."""
    return _client(
        StaffFactory(username="county2", role=Role.COUNTY, county=zhunan.county, first_name="王小明")
    )


def at_10_15(client, url, data) -> None:
    with time_machine.travel(AT_10_15, tick=False):
        assert client.post(url, data).status_code == 302


def shown(client, url) -> dict[str, object]:
    """What the page's form posts back unchanged (its version included)."""
    form = client.get(url).context["form"]
    return {field.html_name: field.value() if field.value() is not None else "" for field in form}


# --- Applications ---------------------------------------------------------------------------------------


def test_a_stale_application_edit_is_refused_with_who_and_when(zhunan_client, other_clerk, application):
    url = f"/subsidies/{application.pk}/edit/"
    version = shown(zhunan_client, url)["edit_version"]
    at_10_15(other_clerk, url, _form(application.association, title="他人改過的計畫名稱"))

    response = zhunan_client.post(
        url, _form(application.association, title="我的計畫名稱", edit_version=version)
    )

    assert response.status_code == 200
    assert STALE in response.content.decode()
    assert Application.objects.get().title == "他人改過的計畫名稱"


def test_an_application_edit_on_a_fresh_page_is_saved(zhunan_client, application):
    url = f"/subsidies/{application.pk}/edit/"
    version = shown(zhunan_client, url)["edit_version"]

    response = zhunan_client.post(
        url, _form(application.association, title="我的計畫名稱", edit_version=version)
    )

    assert response.status_code == 302
    assert Application.objects.get().title == "我的計畫名稱"


def test_a_submission_in_between_refuses_an_edit_of_the_page_shown_before(
    zhunan_client, zhunan_clerk, application
):
    zhunan_clerk.first_name = "王小明"
    zhunan_clerk.save(update_fields=["first_name"])
    url = f"/subsidies/{application.pk}/edit/"
    version = shown(zhunan_client, url)["edit_version"]
    with time_machine.travel(AT_10_15, tick=False):
        services.application_transition(application_id=application.pk, action="submit", actor=zhunan_clerk)

    response = zhunan_client.post(
        url, _form(application.association, title="我的計畫名稱", edit_version=version)
    )

    assert STALE in response.content.decode()
    assert Application.objects.get().title == "社區中秋聯歡活動"


# --- Configuration --------------------------------------------------------------------------------------


def test_a_stale_source_edit_is_refused(county_client, other_officer, association):
    fund = source(association.township.county, FUND)
    url = f"/subsidies/config/sources/{fund.pk}/"
    data = shown(county_client, url)
    at_10_15(other_officer, url, {**data, "aliases": "社福基金", "edit_version": ""})

    response = county_client.post(url, {**data, "aliases": "福利基金"})

    assert STALE in response.content.decode()
    assert FundingSource.objects.get(pk=fund.pk).aliases == "社福基金"


def test_a_stale_item_edit_is_refused(county_client, other_officer, association):
    chosen = SubsidyItem.objects.get(county=association.township.county, name="凝聚社區意識活動")
    url = f"/subsidies/config/items/{chosen.pk}/"
    data = shown(county_client, url)
    at_10_15(other_officer, url, {**data, "sort_order": 9, "edit_version": ""})

    response = county_client.post(url, {**data, "sort_order": 7})

    assert STALE in response.content.decode()
    assert SubsidyItem.objects.get(pk=chosen.pk).sort_order == 9


def test_a_source_edit_on_a_fresh_page_is_saved(county_client, association):
    fund = source(association.township.county, FUND)
    url = f"/subsidies/config/sources/{fund.pk}/"

    response = county_client.post(url, {**shown(county_client, url), "aliases": "福利基金"})

    assert response.status_code == 302
    assert FundingSource.objects.get(pk=fund.pk).aliases == "福利基金"


def test_a_stale_yearly_configuration_is_refused_and_changes_nothing(
    county_client, other_officer, association
):
    fund = source(association.township.county, FUND)
    url = f"/subsidies/config/{YEAR - 1911}/"
    data = shown(county_client, url)
    at_10_15(other_officer, url, {**data, f"alloc_{fund.pk}_recurrent": 2_000_000, "edit_version": ""})
    minimums = list(SelfFundingMinimum.objects.order_by("pk").values_list("percent", flat=True))

    response = county_client.post(
        url, {**data, f"alloc_{fund.pk}_recurrent": 3_000_000, f"min_{fund.pk}_{_first_item(fund)}": 50}
    )

    assert STALE in response.content.decode()
    assert Allocation.objects.get(source=fund, year=YEAR).recurrent_amount == 2_000_000
    assert list(SelfFundingMinimum.objects.order_by("pk").values_list("percent", flat=True)) == minimums


def test_a_yearly_configuration_saved_twice_from_fresh_pages_is_saved_both_times(county_client, association):
    fund = source(association.township.county, FUND)
    url = f"/subsidies/config/{YEAR - 1911}/"
    for amount in (2_000_000, 3_000_000):
        response = county_client.post(
            url, {**shown(county_client, url), f"alloc_{fund.pk}_recurrent": amount}
        )
        assert response.status_code == 302

    assert Allocation.objects.get(source=fund, year=YEAR).recurrent_amount == 3_000_000


def _first_item(fund: FundingSource) -> int:
    return SubsidyItem.objects.filter(county_id=fund.county_id).order_by("pk").first().pk
