"""A 苗栗縣 round in scoring with one group (績效組: 會務 40, 活動 60), an accepted 竹南鎮 entry and a 頭份市
entry, and the cast's judge assigned."""

from decimal import Decimal

import pytest

from awards.models import AwardRound
from core.roles import Role
from tests.associations.factories import AssociationFactory, StaffFactory
from tests.awards.factories import (
    AssignmentFactory,
    CriterionFactory,
    EntryFactory,
    GroupFactory,
    RoundFactory,
)


@pytest.fixture
def award_round(county_officer):
    return RoundFactory(county=county_officer.membership.county, state=AwardRound.State.SCORING, code="R115")


@pytest.fixture
def group(award_round):
    return GroupFactory(round=award_round)


@pytest.fixture
def criteria(group):
    return [
        CriterionFactory(group=group, position=1, name="會務", max_points=Decimal(40)),
        CriterionFactory(group=group, position=2, name="活動", max_points=Decimal(60)),
    ]


@pytest.fixture
def zhunan_entry(group, zhunan, criteria):
    return EntryFactory(group=group, association=AssociationFactory(township=zhunan, name="竹南社區發展協會"))


@pytest.fixture
def toufen_entry(group, toufen, criteria):
    return EntryFactory(group=group, association=AssociationFactory(township=toufen, name="頭份社區發展協會"))


@pytest.fixture
def assigned_judge(judge, award_round):
    AssignmentFactory(round=award_round, judge=judge)
    return judge


@pytest.fixture
def second_judge(award_round):
    other = StaffFactory(username="judge2", role=Role.JUDGE)
    AssignmentFactory(round=award_round, judge=other)
    return other
