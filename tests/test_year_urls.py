"""Years in URLs as users write them (issue 12 item 1): every year in a path or a query string is the ROC
year the page shows (`/grading/115/` is 2026); a Gregorian year (`/grading/2026/`, `?year=2026`) redirects
to it, query string kept; a year outside the data is the portal's own 404 page with a Chinese message, DEBUG
on or off; the movement page compares an earlier year with a later one only."""

from __future__ import annotations

import datetime

import pytest
from django.urls import NoReverseMatch, resolve, reverse

from grading.models import Tier
from tests.associations.factories import AssociationFactory
from tests.grading.factories import AssessmentFactory, ElectionFactory
from tests.subsidies.factories import YEAR, configure, draft

D = datetime.date

#: What Django's technical 404 page (DEBUG on) says and the portal's own never does.
TECHNICAL_404 = "Using the URLconf defined in"


@pytest.fixture
def association(zhunan):
    return AssociationFactory(township=zhunan, founded_on=D(2010, 5, 1))


# --- the converter ----------------------------------------------------------------------------------------


def test_a_roc_year_in_the_path_reaches_the_view_as_the_gregorian_year():
    assert resolve("/grading/115/").kwargs == {"year": 2026}
    assert resolve("/grading/100/register/").kwargs == {"year": 2011}


def test_links_are_written_with_the_roc_year_from_the_gregorian_one():
    assert reverse("grading:overview", args=[2026]) == "/grading/115/"
    assert reverse("associations:compliance", args=[7, 2011]) == "/associations/7/compliance/100/"
    assert reverse("subsidies:config_copy", args=[2027]) == "/subsidies/config/116/copy/"


def test_a_link_given_a_roc_year_by_mistake_fails_loudly_rather_than_pointing_to_the_wrong_year():
    with pytest.raises(NoReverseMatch):
        reverse("grading:overview", args=[115])


def test_roc_100_and_gregorian_2011_name_the_same_year_without_colliding(county_client, frozen_today):
    assert resolve("/grading/100/").func is not resolve("/grading/2011/").func
    response = county_client.get("/grading/2011/")
    assert (response.status_code, response["Location"]) == (301, "/grading/100/")


# --- ROC pages open, Gregorian ones redirect --------------------------------------------------------------


def test_the_roc_year_url_opens_the_page_of_that_year(county_client, zhunan, frozen_today):
    AssessmentFactory(association=AssociationFactory(township=zhunan), year=2023)

    response = county_client.get("/grading/112/register/")

    assert response.status_code == 200
    assert response.context["year"] == 2023
    assert "112年度社區分級類型清冊" in response.content.decode()


def test_the_pages_links_carry_roc_years(county_client, zhunan, frozen_today):
    AssessmentFactory(association=AssociationFactory(township=zhunan), year=2023)

    html = county_client.get("/grading/112/").content.decode()

    assert 'href="/grading/112/register/"' in html
    assert 'href="/grading/111/"' in html  # the year before
    assert "/grading/2023/" not in html


@pytest.mark.parametrize(
    ("gregorian", "roc"),
    [
        ("/grading/2023/register/?tier=developing&page=2", "/grading/112/register/?tier=developing&page=2"),
        ("/grading/2023/register/export/?format=csv", "/grading/112/register/export/?format=csv"),
        ("/associations/compliance/2025/?township=4", "/associations/compliance/114/?township=4"),
        ("/subsidies/budget/2026/", "/subsidies/budget/115/"),
        ("/subsidies/config/2027/", "/subsidies/config/116/"),
    ],
)
def test_a_gregorian_year_url_redirects_permanently_to_the_roc_one_keeping_its_query(
    county_client, frozen_today, gregorian, roc
):
    response = county_client.get(gregorian)

    assert (response.status_code, response["Location"]) == (301, roc)


def test_an_association_checklist_in_gregorian_redirects_to_roc(zhunan_client, association, frozen_today):
    response = zhunan_client.get(f"/associations/{association.pk}/compliance/2024/", follow=True)

    assert response.redirect_chain == [(f"/associations/{association.pk}/compliance/113/", 301)]
    assert response.status_code == 200


def test_a_form_posted_to_a_gregorian_url_is_redirected_with_its_method_kept(county_client, frozen_today):
    response = county_client.post("/grading/2026/recompute/", {"reason": "x"})

    # 308, not 301: a browser repeats the POST to the ROC URL instead of turning it into a GET.
    assert (response.status_code, response["Location"]) == (308, "/grading/115/recompute/")


# --- years outside the data: the friendly 404 -------------------------------------------------------------


def _friendly_404(response, message: str) -> None:
    html = response.content.decode()
    assert response.status_code == 404
    assert response.templates[0].name == "404.html"
    assert "找不到頁面" in html
    assert message in html
    assert TECHNICAL_404 not in html


def test_a_year_after_next_year_is_the_friendly_404_naming_the_years_there_are(
    county_client, association, frozen_today
):
    response = county_client.get("/grading/117/")

    _friendly_404(response, "找不到民國 117 年的資料：可查詢的年度為民國 99 年至 116 年。")


def test_a_year_before_the_association_was_founded_is_the_friendly_404(
    zhunan_client, association, frozen_today
):
    response = zhunan_client.get(f"/associations/{association.pk}/compliance/98/")

    _friendly_404(response, "找不到民國 98 年的資料：可查詢的年度為民國 99 年至 116 年。")


@pytest.mark.parametrize(
    "path", ["/grading/117/register/", "/associations/compliance/98/", "/subsidies/budget/117/"]
)
def test_a_year_out_of_range_is_the_friendly_404_with_debug_on_too(
    settings, county_client, association, frozen_today, path
):
    settings.DEBUG = True

    response = county_client.get(path)

    _friendly_404(response, "可查詢的年度為民國 99 年至 116 年。")


def test_a_gregorian_year_before_the_roc_era_is_the_friendly_404(settings, county_client, frozen_today):
    settings.DEBUG = True

    _friendly_404(county_client.get("/grading/1800/"), "西元 1800 年早於民國元年")


def test_a_number_too_long_for_a_year_is_the_friendly_404(settings, county_client, frozen_today):
    settings.DEBUG = True

    _friendly_404(county_client.get("/grading/20260/register/"), "沒有西元 20260 年的資料。")


def test_roc_year_zero_is_the_friendly_404(county_client, frozen_today):
    _friendly_404(county_client.get("/grading/0/"), "西元 1911 年早於民國元年")


def test_a_subsidy_year_reaches_back_to_the_countys_earliest_application(
    county_client, zhunan_clerk, zhunan, frozen_today
):
    configure(zhunan.county)
    application = draft(zhunan_clerk, AssociationFactory(township=zhunan, founded_on=D(2020, 1, 1)))
    type(application).objects.filter(pk=application.pk).update(year=2015)

    assert county_client.get("/subsidies/budget/104/").status_code == 200
    assert county_client.get("/subsidies/budget/103/").status_code == 404
    assert county_client.get("/subsidies/budget/117/").status_code == 404


def test_a_config_for_the_year_after_next_creates_nothing(county_client, zhunan, frozen_today):
    from subsidies.models import Allocation, SelfFundingMinimum

    AssociationFactory(township=zhunan)
    assert county_client.post("/subsidies/config/117/copy/").status_code == 404
    assert (Allocation.objects.count(), SelfFundingMinimum.objects.count()) == (0, 0)


# --- scope holds on year URLs -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/grading/112/associations/{pk}/",
        "/grading/2023/associations/{pk}/",  # the Gregorian form: redirected, then refused the same
        "/associations/{pk}/compliance/112/",
        "/associations/{pk}/compliance/2023/",
    ],
)
def test_a_township_clerk_gets_404_for_another_townships_association_on_year_urls(
    toufen_client, zhunan, frozen_today, path
):
    assessment = AssessmentFactory(association=AssociationFactory(township=zhunan), year=2023)

    response = toufen_client.get(path.format(pk=assessment.association_id), follow=True)

    assert response.status_code == 404
    assert "測試" not in response.content.decode()  # nothing of the association is shown


def test_the_association_page_links_its_checklist_with_this_roc_year(
    zhunan_client, association, frozen_today
):
    html = zhunan_client.get(f"/associations/{association.pk}/").content.decode()

    assert f'href="/associations/{association.pk}/compliance/115/"' in html


# --- movement: an earlier year with a later one -----------------------------------------------------------


def test_movement_compares_an_earlier_year_with_a_later_one(county_client, zhunan, frozen_today):
    association = AssociationFactory(township=zhunan)
    AssessmentFactory(association=association, year=2022, suggested_tier=Tier.STAGNANT)
    AssessmentFactory(association=association, year=2023, suggested_tier=Tier.POTENTIAL)

    response = county_client.get("/grading/movement/?from_year=111&to_year=112")

    assert response.context["total"].matrix != [[0, 0, 0]] * 3  # the association's move is counted
    assert "111年度 → 112年度" in response.content.decode()


@pytest.mark.parametrize(("later", "earlier"), [("112", "111"), ("112", "112")])
def test_movement_refuses_to_compare_a_later_year_with_an_earlier_or_the_same_one(
    county_client, zhunan, frozen_today, later, earlier
):
    association = AssociationFactory(township=zhunan)
    AssessmentFactory(association=association, year=2022)
    AssessmentFactory(association=association, year=2023)

    response = county_client.get(f"/grading/movement/?from_year={later}&to_year={earlier}")

    assert response.status_code == 200
    assert response.context["total"] is None  # no comparison shown
    assert f"比較年度（民國 {later} 年）須早於本年度（民國 {earlier} 年）。" in response.content.decode()


def test_movement_refuses_a_year_the_county_has_no_data_for(county_client, zhunan, frozen_today):
    AssociationFactory(township=zhunan, founded_on=D(2010, 5, 1))

    response = county_client.get("/grading/movement/?from_year=98&to_year=112")

    assert response.context["total"] is None
    assert "沒有民國 98 年的資料：可比較的年度為民國 99 年至 116 年。" in response.content.decode()


def test_movement_with_gregorian_years_redirects_to_roc_ones(county_client, frozen_today):
    response = county_client.get("/grading/movement/?from_year=2022&to_year=2023&page=2")

    assert (response.status_code, response["Location"]) == (
        301,
        "/grading/movement/?from_year=111&to_year=112&page=2",
    )


def test_movement_shows_its_default_years_in_roc(county_client, zhunan, frozen_today):
    AssociationFactory(township=zhunan)

    html = county_client.get("/grading/movement/").content.decode()

    assert 'name="from_year" value="114"' in html
    assert 'name="to_year" value="115"' in html


# --- years in query strings -------------------------------------------------------------------------------


def test_the_subsidy_list_filters_by_the_roc_year_and_redirects_a_gregorian_one(
    county_client, zhunan_clerk, zhunan, frozen_today
):
    configure(zhunan.county)
    application = draft(zhunan_clerk, AssociationFactory(township=zhunan))

    assert list(county_client.get(f"/subsidies/?year={YEAR - 1911}").context["page"]) == [application]
    assert list(county_client.get(f"/subsidies/?year={YEAR - 1910}").context["page"]) == []
    response = county_client.get(f"/subsidies/?year={YEAR}&state=draft")
    assert (response.status_code, response["Location"]) == (
        301,
        f"/subsidies/?year={YEAR - 1911}&state=draft",
    )


def test_the_batch_page_takes_and_shows_the_roc_year(zhunan_client, zhunan, frozen_today):
    AssociationFactory(township=zhunan)

    response = zhunan_client.get("/subsidies/batch/?year=114")
    gregorian = zhunan_client.get("/subsidies/batch/?year=2025")

    assert response.context["year"] == 2025
    assert 'name="year" value="114"' in response.content.decode()
    assert (gregorian.status_code, gregorian["Location"]) == (301, "/subsidies/batch/?year=114")
    assert zhunan_client.get("/subsidies/batch/?year=117").status_code == 404


def test_an_election_is_edited_for_the_roc_year_its_link_carries(zhunan_client, zhunan, frozen_today):
    election = ElectionFactory(association__township=zhunan)

    html = zhunan_client.get(f"/associations/{election.association_id}/compliance/112/").content.decode()
    gregorian = zhunan_client.get(f"/associations/elections/{election.pk}/edit/?year=2023")

    assert f"/associations/elections/{election.pk}/edit/?year=112" in html
    assert (gregorian.status_code, gregorian["Location"]) == (
        301,
        f"/associations/elections/{election.pk}/edit/?year=112",
    )


def test_an_election_edit_for_a_year_the_association_has_not_is_the_friendly_404(
    zhunan_client, zhunan, frozen_today
):
    election = ElectionFactory(association__township=zhunan, association__founded_on=D(2010, 5, 1))

    response = zhunan_client.post(f"/associations/elections/{election.pk}/delete/", {"year": "98"})

    _friendly_404(response, "找不到民國 98 年的資料")
    assert type(election).objects.filter(pk=election.pk).exists()
