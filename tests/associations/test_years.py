"""Pages open only for the years an association or a county has: a mistyped year creates nothing."""

import datetime

from grading.models import Assessment, TierRegister, TierThresholds
from tests.associations.factories import AssociationFactory
from tests.grading.factories import MeetingFactory, TierRegisterFactory

D = datetime.date


def test_a_clerks_post_to_the_year_2100_creates_no_register_thresholds_or_assessment(
    zhunan_client, zhunan, frozen_today
):
    association = AssociationFactory(township=zhunan)
    data = {"action": "interval", "interval-board_meeting_interval_months": "6"}
    response = zhunan_client.post(f"/associations/{association.pk}/compliance/189/", data)
    assert response.status_code == 404
    created = [TierRegister.objects.count(), TierThresholds.objects.count(), Assessment.objects.count()]
    assert created == [0, 0, 0]


def test_the_checklist_opens_for_next_year_but_not_the_year_after(zhunan_client, zhunan, frozen_today):
    association = AssociationFactory(township=zhunan)
    assert zhunan_client.get(f"/associations/{association.pk}/compliance/116/").status_code == 200
    assert zhunan_client.get(f"/associations/{association.pk}/compliance/117/").status_code == 404


def test_the_checklist_refuses_a_year_before_the_founding(zhunan_client, zhunan, frozen_today):
    association = AssociationFactory(township=zhunan, founded_on=D(2010, 1, 1))
    assert zhunan_client.get(f"/associations/{association.pk}/compliance/99/").status_code == 200
    assert zhunan_client.get(f"/associations/{association.pk}/compliance/98/").status_code == 404


def test_the_checklist_opens_from_the_earliest_meeting_when_the_founding_is_unknown(
    zhunan_client, zhunan, frozen_today
):
    association = AssociationFactory(township=zhunan, founded_on=None)
    MeetingFactory(association=association, held_on=D(2015, 5, 1))
    assert zhunan_client.get(f"/associations/{association.pk}/compliance/104/").status_code == 200
    assert zhunan_client.get(f"/associations/{association.pk}/compliance/103/").status_code == 404


def test_the_grid_refuses_a_year_after_next(zhunan_client, zhunan, frozen_today):
    AssociationFactory(township=zhunan)
    assert zhunan_client.get("/associations/compliance/116/").status_code == 200
    assert zhunan_client.get("/associations/compliance/117/").status_code == 404


def test_grading_pages_refuse_a_year_after_next(county_client, zhunan, frozen_today):
    AssociationFactory(township=zhunan)
    assert county_client.get("/grading/117/").status_code == 404
    assert county_client.post("/grading/117/recompute/").status_code == 404
    assert TierRegister.objects.count() == 0


def test_grading_opens_on_the_latest_register_within_the_countys_years(
    county_client, zhunan, county_officer, frozen_today
):
    AssociationFactory(township=zhunan)
    TierRegisterFactory(county=zhunan.county, year=2025)
    TierRegisterFactory(county=zhunan.county, year=2100)
    assert county_client.get("/grading/").url == "/grading/114/"
