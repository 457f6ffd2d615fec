"""Writing a year of compliance facts at once (the grid and the import) and the recompute it triggers."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from associations.compliance.services import year_row_save
from associations.compliance.values import YearRow
from associations.models import Election, Meeting, YearlyFiling
from grading.models import Assessment, ComplianceStatus, TierRegister
from tests.associations.factories import AssociationFactory
from tests.grading.factories import ElectionFactory, MeetingFactory, TierRegisterFactory

D = datetime.date


def save(association, row, keep_blank=False):
    return year_row_save(association=association, year=2023, row=row, keep_blank=keep_blank, actor=None)


def test_a_filled_cell_becomes_exactly_the_meetings_of_that_kind(zhunan):
    association = AssociationFactory(township=zhunan)
    MeetingFactory(association=association, kind="board", held_on=D(2023, 2, 1))
    kept = MeetingFactory(
        association=association, kind="board", held_on=D(2023, 3, 1), minutes_filed_on=D(2023, 3, 9)
    )
    save(association, YearRow(board_dates=[D(2023, 3, 1), D(2023, 9, 1)]))
    days = list(Meeting.objects.filter(kind="board").order_by("held_on").values_list("held_on", flat=True))
    assert days == [D(2023, 3, 1), D(2023, 9, 1)]
    assert Meeting.objects.get(pk=kept.pk).minutes_filed_on == D(2023, 3, 9)


def test_a_blank_cell_clears_on_the_grid_but_is_left_alone_by_an_import(zhunan):
    association = AssociationFactory(township=zhunan)
    MeetingFactory(association=association, kind="supervisory", held_on=D(2023, 2, 1))
    save(association, YearRow(), keep_blank=True)
    assert Meeting.objects.count() == 1
    save(association, YearRow(), keep_blank=False)
    assert Meeting.objects.count() == 0


def test_meetings_of_other_years_are_untouched(zhunan):
    association = AssociationFactory(township=zhunan)
    MeetingFactory(association=association, kind="board", held_on=D(2022, 12, 1))
    save(association, YearRow(board_dates=[D(2023, 3, 1)]))
    assert Meeting.objects.filter(held_on__year=2022).count() == 1


def test_a_term_end_updates_the_latest_election(zhunan):
    association = AssociationFactory(township=zhunan)
    election = ElectionFactory(association=association, term_ends_on=D(2026, 2, 28))
    save(association, YearRow(term_ends_on=D(2026, 3, 15)))
    assert Election.objects.get(pk=election.pk).term_ends_on == D(2026, 3, 15)


def test_a_term_end_without_an_election_on_record_creates_one(zhunan):
    association = AssociationFactory(township=zhunan, term_number=9)
    save(association, YearRow(term_ends_on=D(2026, 3, 15)))
    assert Election.objects.get().term_number == 9


def test_a_row_that_fails_validation_writes_nothing(zhunan):
    association = AssociationFactory(township=zhunan)
    row = YearRow(board_dates=[D(2023, 3, 1)], report_accounts_filed_on=D(2022, 5, 1))
    with pytest.raises(ValidationError) as error:
        save(association, row)
    assert "report_accounts_filed_on" in error.value.message_dict
    assert not Meeting.objects.exists()
    assert not YearlyFiling.objects.exists()


def test_saving_facts_recomputes_the_status_of_that_year(zhunan):
    association = AssociationFactory(township=zhunan)
    save(association, YearRow(assembly_dates=[D(2023, 5, 20)]))
    assert Assessment.objects.get(association=association, year=2023).status == ComplianceStatus.GUIDANCE


def test_facts_changed_in_a_finalised_year_leave_its_register_as_it_was(zhunan):
    association = AssociationFactory(township=zhunan)
    TierRegisterFactory(year=2023, state=TierRegister.State.FINALISED)
    save(association, YearRow(assembly_dates=[D(2023, 5, 20)]))
    assert Meeting.objects.count() == 1
    assert not Assessment.objects.exists()
