import datetime

import factory

from associations.models import Election, Meeting, ProgrammeProfile, YearlyFiling
from grading.models import Assessment, ComplianceStatus, Tier, TierRegister
from tests.associations.factories import AssociationFactory, CountyFactory

D = datetime.date


class MeetingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Meeting

    association = factory.SubFactory(AssociationFactory)
    kind = Meeting.Kind.GENERAL_ASSEMBLY
    held_on = D(2023, 5, 20)
    quorum_met = True
    minutes_filed_on = factory.LazyAttribute(lambda m: m.held_on + datetime.timedelta(days=10))


class YearlyFilingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = YearlyFiling

    association = factory.SubFactory(AssociationFactory)
    year = 2023
    plan_budget_filed_on = factory.LazyAttribute(lambda f: D(f.year - 1, 12, 1))
    report_accounts_filed_on = factory.LazyAttribute(lambda f: D(f.year + 1, 2, 15))


class ElectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Election

    association = factory.SubFactory(AssociationFactory)
    term_number = 8
    elected_on = D(2022, 3, 1)
    term_ends_on = D(2026, 2, 28)


class ProgrammeProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProgrammeProfile

    association = factory.SubFactory(AssociationFactory)
    volunteer_team = True
    volunteer_count = 20
    regular_services = "老人共餐"


class AssessmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Assessment

    association = factory.SubFactory(AssociationFactory)
    year = 2023
    status = ComplianceStatus.NORMAL
    rules = factory.LazyFunction(list)
    as_of = D(2024, 6, 30)
    suggested_tier = Tier.POTENTIAL
    tier_trail = factory.LazyFunction(dict)


class TierRegisterFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TierRegister
        django_get_or_create = ["county", "year"]

    county = factory.SubFactory(CountyFactory)
    year = 2023


def compliant_year(association, year: int = 2023) -> None:
    """Every duty of `year` met: an assembly with minutes on time, board and supervisory meetings at the
    interval (as joint meetings), both filings on time and a term running past the year."""
    MeetingFactory(association=association, kind=Meeting.Kind.GENERAL_ASSEMBLY, held_on=D(year, 5, 20))
    MeetingFactory(association=association, kind=Meeting.Kind.JOINT, held_on=D(year, 3, 1))
    MeetingFactory(association=association, kind=Meeting.Kind.JOINT, held_on=D(year, 8, 1))
    YearlyFilingFactory(association=association, year=year)
    ElectionFactory(association=association, elected_on=D(year - 1, 3, 1), term_ends_on=D(year + 3, 2, 28))


def fetch(client, url):
    """A to-do page after the duties are written, as every change of facts through the services writes
    them (the factories write facts directly)."""
    from associations.models import Association
    from grading import duties

    duties.refresh(associations=Association.objects.all())
    return client.get(url)
