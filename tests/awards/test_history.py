"""Published results as the association's award history: its page, the tier rule, eligibility."""

from decimal import Decimal

import pytest
from django.urls import reverse

from associations.models import Association
from awards import services
from awards.models import AwardResult, AwardRound
from grading.providers import programme_counts
from tests.associations.factories import AssociationFactory
from tests.awards.factories import (
    AssignmentFactory,
    CriterionFactory,
    EntryFactory,
    GroupFactory,
    LevelFactory,
    RoundFactory,
    points,
)
from tests.grading.factories import AssessmentFactory

pytestmark = pytest.mark.django_db


def _won(association, *, year: int, level: str, county) -> AwardResult:
    award_round = RoundFactory(county=county, year=year, state=AwardRound.State.PUBLISHED)
    entry = award_round.entries.create(
        group=GroupFactory(round=award_round), township=association.township, association=association
    )
    return AwardResult.objects.create(
        round=award_round,
        entry=entry,
        association=association,
        year=year,
        group_name="績效組",
        rank=1,
        score=Decimal("88.5"),
        judges_counted=5,
        level=level,
    )


def test_the_association_page_shows_its_award_history(county_client, zhunan):
    association = AssociationFactory(township=zhunan)
    _won(association, year=2025, level="優等", county=zhunan.county)

    body = county_client.get(reverse("associations:detail", args=[association.pk])).content.decode()

    assert "金卓越社區選拔得獎紀錄" in body
    assert "優等" in body and "88.50" in body


def test_an_award_won_in_the_year_counts_toward_the_tier(zhunan):
    association = AssociationFactory(township=zhunan)
    _won(association, year=2025, level="甲等", county=zhunan.county)

    counts = programme_counts(associations=Association.objects.all(), year=2025, thresholds={})

    assert {c.code: c.count for c in counts[association.pk]}["award"] == 1


def test_an_entry_without_a_level_does_not_count_toward_the_tier(zhunan):
    association = AssociationFactory(township=zhunan)
    _won(association, year=2025, level="", county=zhunan.county)

    counts = programme_counts(associations=Association.objects.all(), year=2025, thresholds={})

    assert "award" not in {c.code for c in counts[association.pk]}


def test_an_earlier_first_level_makes_an_association_eligible_for_the_excellence_group(zhunan_clerk, zhunan):
    association = AssociationFactory(township=zhunan)
    AssessmentFactory(association=association, year=2025)
    _won(association, year=2024, level="優等", county=zhunan.county)
    award_round = RoundFactory(county=zhunan.county, year=2026, state=AwardRound.State.SETUP)
    excellence = GroupFactory(
        round=award_round, name="卓越組", kind="excellence", requires_levels="優等、甲等"
    )

    entry = services.entry_nominate(actor=zhunan_clerk, group=excellence, association=association)

    assert entry.group == excellence


def test_each_excellence_level_requires_the_one_below(county_officer, judge, zhunan):
    award_round = RoundFactory(county=zhunan.county, year=2026, state=AwardRound.State.SCORING)
    group = GroupFactory(round=award_round, name="卓越組", kind="excellence")
    LevelFactory(group=group, name="金質卓越獎", rank=1, min_score=Decimal(90), requires_level="銀質卓越獎")
    LevelFactory(group=group, name="銀質卓越獎", rank=2, min_score=Decimal(85), requires_level="銅質卓越獎")
    LevelFactory(group=group, name="銅質卓越獎", rank=3, min_score=Decimal(80))
    criterion = CriterionFactory(group=group, position=1, max_points=Decimal(100))
    AssignmentFactory(round=award_round, judge=judge)
    holder, newcomer = AssociationFactory(township=zhunan), AssociationFactory(township=zhunan)
    _won(holder, year=2025, level="銀質卓越獎", county=zhunan.county)
    for association in (holder, newcomer):
        entry = EntryFactory(group=group, association=association)
        services.sheet_save(actor=judge, entry=entry, points=points([criterion], 95), submit=True)

    services.round_publish(actor=county_officer, award_round=award_round)

    levels = dict(AwardResult.objects.filter(year=2026).values_list("association", "level"))
    assert levels == {holder.pk: "金質卓越獎", newcomer.pk: "銅質卓越獎"}
