"""Validation of the compliance facts themselves, whatever form or import writes them."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.utils import timezone

from associations.models import Election, Meeting, ProgrammeProfile, YearlyFiling
from tests.associations.factories import AssociationFactory
from tests.grading.factories import MeetingFactory

D = datetime.date
pytestmark = pytest.mark.django_db


def test_a_meeting_in_the_future_is_refused():
    meeting = Meeting(
        association=AssociationFactory(), kind="board", held_on=timezone.localdate() + datetime.timedelta(1)
    )
    with pytest.raises(ValidationError, match="開會日期不可晚於今天。"):
        meeting.full_clean()


def test_the_database_refuses_minutes_filed_before_the_meeting():
    with pytest.raises(IntegrityError):
        MeetingFactory(held_on=D(2023, 3, 5), minutes_filed_on=D(2023, 3, 1))


def test_two_meetings_of_one_kind_on_one_day_are_refused():
    first = MeetingFactory(kind="board", held_on=D(2023, 3, 5))
    second = Meeting(association=first.association, kind="board", held_on=D(2023, 3, 5))
    with pytest.raises(ValidationError, match="同一天已登錄過同種類的會議。"):
        second.full_clean()


def test_a_report_filed_before_its_year_ended_is_refused():
    filing = YearlyFiling(
        association=AssociationFactory(), year=2023, report_accounts_filed_on=D(2023, 12, 31)
    )
    with pytest.raises(ValidationError, match="應於年度結束後送府"):
        filing.full_clean()


def test_a_term_must_end_after_the_election():
    election = Election(
        association=AssociationFactory(), elected_on=D(2023, 3, 1), term_ends_on=D(2023, 3, 1)
    )
    with pytest.raises(ValidationError, match="任期屆滿日必須晚於改選日期。"):
        election.full_clean()


def test_volunteers_without_a_volunteer_team_are_refused():
    profile = ProgrammeProfile(association=AssociationFactory(), volunteer_team=False, volunteer_count=12)
    with pytest.raises(ValidationError, match="設有志工隊"):
        profile.full_clean()


def test_the_board_meeting_interval_defaults_to_six_months():
    assert AssociationFactory().board_meeting_interval_months == 6
