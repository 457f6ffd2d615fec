import datetime

import pytest

from associations.models import Association
from grading.providers import programme_counts, register_provider, unregister_provider
from grading.tiers import ProgrammeCount
from tests.associations.factories import AssociationFactory
from tests.grading.factories import ProgrammeProfileFactory

THRESHOLDS = {"potential_min_activities": 1, "developing_min_activities": 3, "volunteer_team_min_size": 10}


def counted(association, year: int = 2023) -> dict[str, int]:
    counts = programme_counts(associations=Association.objects.all(), year=year, thresholds=THRESHOLDS)
    return {count.code: count.count for count in counts[association.pk]}


@pytest.mark.django_db
def test_care_station_counts_from_the_year_it_was_set_up():
    association = AssociationFactory(runs_care_station=True)
    ProgrammeProfileFactory(association=association, care_station_since=datetime.date(2024, 2, 1))
    assert counted(association, 2023)["care_station"] == 0
    assert counted(association, 2024)["care_station"] == 1


@pytest.mark.django_db
def test_volunteer_team_smaller_than_the_threshold_does_not_count():
    association = AssociationFactory()
    ProgrammeProfileFactory(association=association, volunteer_team=True, volunteer_count=9)
    assert counted(association)["volunteer_team"] == 0


@pytest.mark.django_db
def test_each_regular_service_counts_once():
    association = AssociationFactory()
    ProgrammeProfileFactory(association=association, regular_services="老人共餐\n課後陪讀、社區巡守\n\n")
    assert counted(association)["regular_services"] == 3


@pytest.mark.django_db
def test_association_without_programme_facts_counts_nothing():
    association = AssociationFactory()
    assert sum(counted(association).values()) == 0


class AwardsForTest:
    code = "awards-for-test"

    def counts(self, *, associations, year, thresholds):
        return {pk: [ProgrammeCount("awards", "獲獎", 2)] for pk in associations.values_list("pk", flat=True)}


@pytest.mark.django_db
def test_a_higher_apps_registered_provider_adds_its_counts():
    association = AssociationFactory()
    register_provider(AwardsForTest())
    try:
        assert counted(association)["awards"] == 2
    finally:
        unregister_provider("awards-for-test")
