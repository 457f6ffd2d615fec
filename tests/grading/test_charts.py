"""The tier, status and movement charts of the county home and the grading overview (issue 12 item 8)."""

from pathlib import Path

from django.conf import settings

from grading.models import ComplianceStatus, Tier
from tests.associations.factories import AssociationFactory
from tests.grading.factories import AssessmentFactory, TierRegisterFactory


def assessed(township, year=2023, **kwargs):
    return AssessmentFactory(association=AssociationFactory(township=township), year=year, **kwargs)


def charts(response):
    return {chart.key: chart for chart in response.context["charts"]}


def test_overview_charts_the_tier_mix_by_township(county_client, zhunan, toufen):
    assessed(zhunan, suggested_tier=Tier.STAGNANT)
    assessed(zhunan, suggested_tier=Tier.DEVELOPING)
    assessed(toufen)
    bars = charts(county_client.get("/grading/112/"))["tiers-2023"].bars
    assert [(bar.label, list(bar.values)) for bar in bars] == [("竹南鎮", [1, 0, 1]), ("頭份市", [0, 1, 0])]


def test_overview_charts_the_status_mix_by_township(county_client, zhunan):
    assessed(zhunan, status=ComplianceStatus.ABNORMAL)
    bars = charts(county_client.get("/grading/112/"))["statuses-2023"].bars
    assert [list(bar.values) for bar in bars] == [[0, 0, 1]]


def test_overview_charts_tier_movement_from_the_year_before(county_client, zhunan):
    up = assessed(zhunan, year=2022, suggested_tier=Tier.STAGNANT)
    AssessmentFactory(association=up.association, year=2023, suggested_tier=Tier.POTENTIAL)
    same = assessed(zhunan, year=2022)
    AssessmentFactory(association=same.association, year=2023)
    bars = charts(county_client.get("/grading/112/"))["movement-2023"].bars
    assert [(bar.label, list(bar.values)) for bar in bars] == [("竹南鎮", [1, 1, 0]), ("合計", [1, 1, 0])]


def test_overview_page_carries_the_svg_and_its_data_table(county_client, zhunan):
    assessed(zhunan)
    content = county_client.get("/grading/112/").content.decode()
    assert '<svg xmlns="http://www.w3.org/2000/svg"' in content
    assert '<table class="visually-hidden">' in content


def test_another_countys_townships_never_appear_in_the_charts(yunlin_client, county_client, zhunan, douliu):
    assessed(zhunan)
    assessed(douliu)
    assert [bar.label for bar in charts(yunlin_client.get("/grading/112/"))["tiers-2023"].bars] == ["斗六市"]
    assert "斗六市" not in county_client.get("/grading/112/").content.decode()


def test_clerk_charts_show_only_their_township(toufen_client, zhunan, toufen):
    assessed(zhunan)
    assessed(toufen)
    assert [bar.label for bar in charts(toufen_client.get("/grading/112/"))["tiers-2023"].bars] == ["頭份市"]


def test_year_without_assessments_draws_no_chart(county_client, zhunan):
    AssociationFactory(township=zhunan)  # a county with data in 2023, so the year opens (issue 11 item 4)
    assert county_client.get("/grading/112/").context["charts"] == []


def test_home_shows_the_charts_of_the_latest_register(county_client, zhunan):
    TierRegisterFactory(year=2023)
    assessed(zhunan)
    keys = [chart.key for chart in county_client.get("/").context["grading_charts"]]
    assert keys == ["tiers-2023", "statuses-2023"]


def test_home_and_overview_chart_in_a_fixed_number_of_queries(
    county_client, zhunan, toufen, django_assert_max_num_queries
):
    TierRegisterFactory(year=2023)
    assessed(zhunan, year=2022)
    assessed(zhunan)
    with django_assert_max_num_queries(5) as home:  # the charts cost no query of their own
        county_client.get("/")
    with django_assert_max_num_queries(7) as overview:  # 2023 is before last year: the county's years, two
        county_client.get("/grading/112/")
    for index in range(12):
        before = assessed(toufen if index % 2 else zhunan, year=2022)
        AssessmentFactory(association=before.association, year=2023)
    with django_assert_max_num_queries(len(home.captured_queries)):
        county_client.get("/")
    with django_assert_max_num_queries(len(overview.captured_queries)):
        county_client.get("/grading/112/")


def test_print_stylesheet_keeps_the_charts():
    css = (Path(settings.BASE_DIR) / "static" / "css" / "print.css").read_text()
    hidden = next(line for line in css.splitlines() if "display: none" in line)
    assert "chart" not in hidden and "svg" not in hidden and "figure" not in hidden
    assert "svg.chart { display: block;" in css
