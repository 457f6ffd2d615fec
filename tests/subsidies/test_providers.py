"""Closed-out grants count toward the tier rule, and the tier trail names them."""

from __future__ import annotations

import datetime

import pytest

from grading.models import Assessment, Tier
from grading.services import assessments_recompute_system
from tests.associations.factories import AssociationFactory
from tests.grading.factories import ProgrammeProfileFactory, compliant_year
from tests.subsidies.factories import YEAR, advance, configure, draft, to_review


def _closed(association, clerk, officer, title: str = "社區中秋聯歡活動"):
    application = to_review(draft(clerk, association, title=title), clerk, officer)
    application = advance(
        application,
        [(officer, "approve"), (officer, "disburse"), (clerk, "submit_closeout"), (officer, "close")],
    )
    return application


@pytest.fixture
def association(zhunan):
    configure(zhunan.county)
    association = AssociationFactory(township=zhunan, name="竹南社區發展協會")
    ProgrammeProfileFactory(
        association=association, volunteer_team=True, volunteer_count=20, regular_services="老人共餐"
    )
    compliant_year(association, YEAR)
    return association


def _recompute(zhunan) -> Assessment:
    assessments_recompute_system(county=zhunan.county, year=YEAR, as_of=datetime.date(YEAR + 1, 4, 1))
    return Assessment.objects.get(year=YEAR)


def test_a_closed_out_grant_lifts_an_association_with_two_programmes_to_developing(
    zhunan, zhunan_clerk, county_officer, association
):
    _closed(association, zhunan_clerk, county_officer)

    assert _recompute(zhunan).suggested_tier == Tier.DEVELOPING


def test_the_tier_trail_names_the_grant_it_counted(zhunan, zhunan_clerk, county_officer, association):
    _closed(association, zhunan_clerk, county_officer)

    assessment = _recompute(zhunan)
    counts = {c["code"]: c for c in assessment.tier_trail["counts"]}
    assert counts["closed_grants"]["count"] == 1
    assert counts["closed_grants"]["label"] == "結案的補助計畫：%(grants)s"
    assert counts["closed_grants"]["params"] == {"grants": ["115-竹南-001 社區中秋聯歡活動"]}
    assert "結案的補助計畫：115-竹南-001 社區中秋聯歡活動" in dict(assessment.programme_counts())


def test_an_approved_grant_not_yet_closed_out_does_not_count(
    zhunan, zhunan_clerk, county_officer, association
):
    advance(
        to_review(draft(zhunan_clerk, association), zhunan_clerk, county_officer),
        [(county_officer, "approve")],
    )

    assessment = _recompute(zhunan)
    assert assessment.suggested_tier == Tier.POTENTIAL
    assert "closed_grants" not in {c["code"] for c in assessment.tier_trail["counts"]}
