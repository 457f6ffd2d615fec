"""The award round from scoring to published results, in a real browser: a judge scores an entry by keyboard
and submits; a county officer publishes; the result becomes the association's award history."""

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from awards.models import AwardResult, AwardRound
from tests.associations.factories import AssociationFactory
from tests.awards.factories import (
    AssignmentFactory,
    CriterionFactory,
    EntryFactory,
    GroupFactory,
    LevelFactory,
    RoundFactory,
)
from tests.browser.conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_judge_scores_an_entry_and_a_county_officer_publishes(page, judge, county_officer, zhunan):
    award_round = RoundFactory(
        county=county_officer.membership.county, name="115年度金卓越社區選拔", state=AwardRound.State.SCORING
    )
    group = GroupFactory(round=award_round)
    CriterionFactory(group=group, position=1, name="會務", max_points=Decimal(40))
    CriterionFactory(group=group, position=2, name="活動", max_points=Decimal(60))
    LevelFactory(group=group, name="優等", rank=1, min_score=Decimal(85))
    EntryFactory(group=group, association=AssociationFactory(township=zhunan, name="大埔社區發展協會"))
    AssignmentFactory(round=award_round, judge=judge)
    page.on("dialog", lambda dialog: dialog.accept())

    log_in(page, "judge")
    page.get_by_role("link", name="115年度金卓越社區選拔").first.click()
    page.get_by_role("link", name="評分", exact=True).click()
    # The first criterion takes the focus once the page has loaded; typing before that loses keys.
    page.wait_for_function("document.activeElement && document.activeElement.tagName === 'INPUT'")
    page.keyboard.type("35")
    page.keyboard.press("Tab")
    page.keyboard.type("52.5")
    expect(page.locator("[data-score-total]")).to_have_text("87.5")
    page.get_by_role("button", name="送出評分").click()
    page.get_by_text("評分已送出").wait_for()
    page.get_by_role("button", name="登出").click()

    log_in(page, "county")
    page.goto(f"/awards/{award_round.pk}/")
    page.get_by_role("button", name="公布結果").first.click()
    page.get_by_text("已公布結果").wait_for()
    assert page.get_by_role("cell", name="87.50").is_visible()
    result = AwardResult.objects.get()
    assert (result.association.name, result.score, result.level) == (
        "大埔社區發展協會",
        Decimal("87.50"),
        "優等",
    )
