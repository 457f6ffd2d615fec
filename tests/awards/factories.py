from decimal import Decimal

import factory

from awards.models import AwardGroup, AwardLevel, AwardRound, Criterion, Entry, JudgeAssignment
from tests.associations.factories import AssociationFactory, CountyFactory


class RoundFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AwardRound

    county = factory.SubFactory(CountyFactory)
    year = 2026
    code = factory.Sequence(lambda n: f"R{n}")
    name = factory.Sequence(lambda n: f"115年度金卓越社區選拔{n}")
    method = "mean"


class GroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AwardGroup

    round = factory.SubFactory(RoundFactory)
    name = "績效組"
    kind = AwardGroup.Kind.PERFORMANCE


class LevelFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AwardLevel

    group = factory.SubFactory(GroupFactory)
    name = "優等"
    rank = 1
    min_score = Decimal("80")


class CriterionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Criterion

    group = factory.SubFactory(GroupFactory)
    position = factory.Sequence(lambda n: n + 1)
    name = factory.Sequence(lambda n: f"評分項目{n}")
    max_points = Decimal("50")


class EntryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Entry

    group = factory.SubFactory(GroupFactory)
    round = factory.LazyAttribute(lambda e: e.group.round)
    association = factory.SubFactory(AssociationFactory)
    township = factory.LazyAttribute(lambda e: e.association.township)
    state = Entry.State.ACCEPTED


class AssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = JudgeAssignment

    round = factory.SubFactory(RoundFactory)


def points(criteria, *values) -> dict[int, object]:
    return {criterion.pk: str(value) for criterion, value in zip(criteria, values, strict=True)}
