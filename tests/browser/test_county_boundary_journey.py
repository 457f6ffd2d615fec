"""The county boundary in a real browser, on the real demo (苗栗縣 and 雲林縣) with the 新竹縣 sample imported
as well: the 苗栗 officer walks their pages and meets no other county's county, township or association
name; the 雲林 officer sees their own."""

import pytest
from django.utils import timezone

from associations.demo.planning import demo_years
from associations.demo.writing import DEMO_PASSWORD
from associations.models import Association, County, Township
from associations.roster.dataset import roster_import
from config.demo import demo_seed
from tests import DATA_DIR
from tests.browser.conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _names_of(county: str, miaoli: set[str]) -> list[str]:
    townships = Township.objects.filter(county__name=county).values_list("name", flat=True)
    associations = Association.objects.filter(township__county__name=county).values_list("name", flat=True)
    return [county, *townships, *(set(associations) - miaoli)]


def test_the_miaoli_officer_meets_no_other_countys_names_and_the_yunlin_officer_sees_their_own(page):
    demo_seed()
    sample = DATA_DIR / "hsinchu-county-associations-big5.csv"
    roster_import(path=sample, user=None, county=County.objects.get(name="新竹縣"), dry_run=False)
    miaoli = set(Association.objects.filter(township__county__name="苗栗縣").values_list("name", flat=True))
    foreign = _names_of("雲林縣", miaoli) + _names_of("新竹縣", miaoli)
    yunlin_name = Association.objects.filter(township__name="斗六市").exclude(name__in=miaoli).first().name
    year = demo_years(timezone.localdate())[1]
    paths = [
        "/",
        "/associations/",
        "/associations/compliance/",
        "/grading/",
        f"/grading/{year - 1911}/",
        f"/grading/{year - 1911}/register/",
        "/grading/todo/",
        "/grading/movement/",
    ]

    log_in(page, "county", DEMO_PASSWORD)
    for path in paths:
        page.goto(path)
        html = page.content()
        assert not [name for name in foreign if name in html], path
    page.goto("/associations/")
    page.get_by_label("搜尋").fill(yunlin_name)
    page.get_by_role("button", name="查詢").click()
    assert page.get_by_role("link", name=yunlin_name).count() == 0

    page.context.clear_cookies()
    log_in(page, "yunlin", DEMO_PASSWORD)
    page.goto("/associations/")
    page.get_by_label("搜尋").fill(yunlin_name)
    page.get_by_role("button", name="查詢").click()
    assert page.get_by_role("link", name=yunlin_name).is_visible()
