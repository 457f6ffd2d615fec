"""The county's funding configuration: defaults, aliases, the yearly grid, copying a year, and who may."""

from __future__ import annotations

import pytest

from subsidies import services
from subsidies.models import Allocation, FundingSource, SelfFundingMinimum, SubsidyItem
from tests.associations.factories import AssociationFactory
from tests.subsidies.factories import FUND, MINISTRY, YEAR, advance, configure, draft, source, to_review


@pytest.fixture
def county(zhunan):
    services.configuration_ensure(county=zhunan.county, year=YEAR)
    return zhunan.county


def test_a_county_starts_with_the_six_default_sources_and_eight_items(county):
    assert FundingSource.objects.filter(county=county).count() == 6
    assert SubsidyItem.objects.filter(county=county).count() == 8


def test_the_ministry_asks_20_percent_of_recurrent_and_30_of_capital_costs(county):
    ministry = source(county, MINISTRY)
    found = dict(
        SelfFundingMinimum.objects.filter(source=ministry, year=YEAR).values_list("item__name", "percent")
    )

    assert (found["凝聚社區意識活動"], found["社區活動中心興修建"]) == (20, 30)


def test_county_sources_ask_five_percent(county):
    assert set(
        SelfFundingMinimum.objects.filter(source=source(county, FUND)).values_list("percent", flat=True)
    ) == {5}


def test_an_alias_finds_its_source(county):
    assert services.find_source(county=county, name="社會福利基金").name == "縣社會福利基金"


def test_next_years_configuration_is_copied_from_this_years(county):
    Allocation.objects.filter(source=source(county, FUND), year=YEAR).update(recurrent_amount=123_000)

    services.configuration_copy(county=county, from_year=YEAR, to_year=YEAR + 1)

    assert Allocation.objects.get(source=source(county, FUND), year=YEAR + 1).recurrent_amount == 123_000


def test_a_county_officer_sets_an_allocation_on_the_page(county_client, county):
    fund = source(county, FUND)
    page = county_client.get(f"/subsidies/config/{YEAR - 1911}/")
    data = {
        k: v.value() if v.value() is not None else 0 for k, v in ((f.name, f) for f in page.context["form"])
    }
    data[f"alloc_{fund.pk}_recurrent"] = 2_500_000

    response = county_client.post(f"/subsidies/config/{YEAR - 1911}/", data)

    assert response.status_code == 302
    assert Allocation.objects.get(source=fund, year=YEAR).recurrent_amount == 2_500_000


def test_an_allocation_cannot_drop_below_what_is_already_approved(
    zhunan, zhunan_clerk, county_officer, county
):
    configure(county, recurrent=200_000)
    application = to_review(
        draft(zhunan_clerk, AssociationFactory(township=zhunan)), zhunan_clerk, county_officer
    )
    advance(application, [(county_officer, "approve")])
    fund = source(county, FUND)

    with pytest.raises(services.SubsidyError, match="已核定 95,000 元"):
        services.configuration_save(
            county=county, year=YEAR, allocations={fund.pk: (90_000, 0)}, minimums={}, actor=county_officer
        )


def test_the_copy_button_creates_next_years_rows(county_client, county):
    response = county_client.post(f"/subsidies/config/{YEAR + 1 - 1911}/copy/")

    assert response.status_code == 302
    assert Allocation.objects.filter(source__county=county, year=YEAR + 1).count() == 5


def test_a_township_clerk_may_not_open_the_configuration(zhunan_client, county):
    assert zhunan_client.get(f"/subsidies/config/{YEAR - 1911}/").status_code == 403


def test_a_county_officer_renames_an_alias(county_client, county):
    fund = source(county, FUND)

    county_client.post(
        f"/subsidies/config/sources/{fund.pk}/",
        {
            "name": fund.name,
            "kind": fund.kind,
            "aliases": "社福基金、福利基金",
            "sort_order": 2,
            "active": "on",
        },
    )

    assert services.find_source(county=county, name="福利基金") == fund


def test_the_page_shows_the_years_allocations_and_minimums_not_another_years(county_client, county):
    fund, ministry = source(county, FUND), source(county, MINISTRY)
    item = SubsidyItem.objects.get(county=county, name="凝聚社區意識活動")
    services.configuration_copy(county=county, from_year=YEAR, to_year=YEAR - 1)
    Allocation.objects.filter(source=fund, year=YEAR).update(recurrent_amount=700_000, capital_amount=80_000)
    Allocation.objects.filter(source=fund, year=YEAR - 1).update(recurrent_amount=1)
    SelfFundingMinimum.objects.filter(source=ministry, item=item, year=YEAR).update(percent=35)
    SelfFundingMinimum.objects.filter(source=ministry, item=item, year=YEAR - 1).update(percent=1)

    page = county_client.get(f"/subsidies/config/{YEAR - 1911}/")

    form = page.context["form"]
    assert form[f"alloc_{fund.pk}_recurrent"].value() == 700_000
    assert form[f"alloc_{fund.pk}_capital"].value() == 80_000
    assert form[f"min_{ministry.pk}_{item.pk}"].value() == 35
    assert form[f"min_{fund.pk}_{item.pk}"].value() == 5
    assert (page.context["configured"], page.context["previous_configured"]) == (True, True)
