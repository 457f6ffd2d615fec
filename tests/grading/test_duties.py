"""Stored duties (issue 15 items 3/4): written when facts change, read by the to-do list, whose states follow
today without a refresh, and which says what the rules say."""

import datetime

import pytest

from associations.compliance.services import yearly_filing_save
from associations.compliance.values import FilingValues
from associations.models import Association
from grading import duties, rules, todo
from grading.facts import load_facts_of_years
from grading.models import Duty
from tests.associations.factories import AssociationFactory
from tests.grading.factories import ElectionFactory, MeetingFactory, YearlyFilingFactory

D = datetime.date
YEAR = 2026
WRITTEN_ON = D(YEAR, 4, 1)


def listed(today, **filters):
    associations = Association.objects.active()
    found = todo.todo_list(associations, today=today, **filters)
    return {
        (row["association_id"], row["kind"], row["state"])
        for row in found.duties.values("association_id", "kind", "state")
    }


def expected(today):
    """What the rules say on `today`, as the to-do list said it before duties were stored: this year's rules
    (but the county's order), last year's report and next year's plan; failures are overdue (or done late
    for a filing or minutes sent), pending ones listed within 60 days (the term within its 90)."""
    facts = load_facts_of_years(Association.objects.active(), years=[YEAR - 1, YEAR, YEAR + 1])
    out = set()
    for (association_id, year), year_facts in facts.items():
        if year == YEAR:
            results = [rule(year_facts, today) for rule in rules.RULES if rule is not rules.no_open_order]
        elif year == YEAR - 1:
            results = [rules.report_accounts_filed_by_march(year_facts, today)]
        else:
            results = [rules.plan_budget_filed_before_year(year_facts, today)]
        for result in results:
            if result.outcome == rules.FAIL:
                sent = {
                    "plan_budget_filed_before_year": year_facts.plan_budget_filed_on,
                    "report_accounts_filed_by_march": year_facts.report_accounts_filed_on,
                }.get(result.code)
                minutes_sent = result.code == "minutes_filed_within_30_days" and all(
                    m.minutes_filed_on for m in rules.minutes_meetings(year_facts)
                )
                out.add((association_id, result.code, "late_done" if sent or minutes_sent else "overdue"))
            elif result.outcome == rules.PENDING:
                ahead = 90 if result.code == "term_not_expired" else 60
                if result.due_on <= today + datetime.timedelta(days=ahead):
                    soon = result.due_on <= today + datetime.timedelta(days=30)
                    out.add((association_id, result.code, "due_soon" if soon else "later"))
    return out


@pytest.fixture
def associations_of_every_kind(zhunan):
    """Associations whose facts (all dated before WRITTEN_ON) make every kind and state occur in the year."""
    bare = AssociationFactory(township=zhunan, name="甲社區發展協會")
    keeper = AssociationFactory(township=zhunan, name="乙社區發展協會")
    MeetingFactory(association=keeper, held_on=D(YEAR, 3, 20), minutes_filed_on=D(YEAR, 3, 25))
    for kind in ("board", "supervisory"):
        MeetingFactory(association=keeper, kind=kind, held_on=D(YEAR, 3, 1), minutes_filed_on=None)
    YearlyFilingFactory(association=keeper, year=YEAR - 1, report_accounts_filed_on=D(YEAR, 3, 1))
    YearlyFilingFactory(association=keeper, year=YEAR, plan_budget_filed_on=D(YEAR - 1, 12, 1))
    ElectionFactory(association=keeper, elected_on=D(YEAR - 3, 9, 1), term_ends_on=D(YEAR, 9, 30))
    late = AssociationFactory(township=zhunan, name="丙社區發展協會", board_meeting_interval_months=3)
    MeetingFactory(association=late, held_on=D(YEAR, 1, 10), minutes_filed_on=D(YEAR, 3, 1))
    MeetingFactory(association=late, kind="joint", held_on=D(YEAR, 3, 15), minutes_filed_on=None)
    YearlyFilingFactory(association=late, year=YEAR, plan_budget_filed_on=D(YEAR, 2, 17))
    YearlyFilingFactory(association=late, year=YEAR - 1, report_accounts_filed_on=None)
    ElectionFactory(association=late, elected_on=D(YEAR - 4, 1, 1), term_ends_on=D(YEAR, 1, 31))
    unsent = AssociationFactory(township=zhunan, name="丁社區發展協會")
    MeetingFactory(association=unsent, held_on=D(YEAR, 3, 30), minutes_filed_on=None)
    MeetingFactory(association=unsent, held_on=D(YEAR, 2, 1), quorum_met=False, minutes_filed_on=None)
    ElectionFactory(association=unsent, elected_on=D(YEAR - 1, 3, 1), term_ends_on=D(YEAR + 3, 2, 28))
    return [bare, keeper, late, unsent]


def test_the_list_from_stored_duties_says_what_the_rules_say_on_every_day_without_a_refresh(
    associations_of_every_kind,
):
    duties.refresh(associations=Association.objects.all(), today=WRITTEN_ON)
    day, states = WRITTEN_ON, set()
    while day < D(YEAR, 12, 31):  # 31 December itself: see the note in grading/duties.py
        shown = listed(day) | listed(day, state="late_done")
        assert shown == expected(day), day
        states |= {state for _a, _k, state in shown}
        day += datetime.timedelta(days=6)
    assert states == {"overdue", "due_soon", "later", "late_done"}


def test_a_due_date_passing_makes_an_item_overdue_without_a_refresh(zhunan):
    association = AssociationFactory(township=zhunan)
    ElectionFactory(association=association, elected_on=D(YEAR - 4, 8, 1), term_ends_on=D(YEAR, 8, 1))
    duties.refresh(associations=[association.pk], today=D(YEAR, 6, 1))
    term = "term_not_expired"
    assert (association.pk, term, "due_soon") in listed(D(YEAR, 7, 15))
    assert (association.pk, term, "overdue") in listed(D(YEAR, 8, 2))


def test_saving_a_filing_rewrites_the_associations_duties(zhunan, zhunan_clerk, frozen_today):
    association = AssociationFactory(township=zhunan)
    yearly_filing_save(association=association, year=YEAR - 1, values=FilingValues(), actor=zhunan_clerk)
    report = (association.pk, "report_accounts_filed_by_march", "overdue")
    assert report in listed(D(YEAR, 7, 1))
    yearly_filing_save(
        association=association,
        year=YEAR - 1,
        values=FilingValues(report_accounts_filed_on=D(YEAR, 3, 20)),
        actor=zhunan_clerk,
    )
    assert report not in listed(D(YEAR, 7, 1))


def test_a_dissolved_association_keeps_no_duties(zhunan):
    association = AssociationFactory(township=zhunan)
    duties.refresh(associations=[association.pk], today=WRITTEN_ON)
    assert Duty.objects.filter(association=association).exists()
    Association.objects.filter(pk=association.pk).update(status=Association.Status.DISSOLVED)
    duties.refresh(associations=[association.pk], today=WRITTEN_ON)
    assert not Duty.objects.filter(association=association).exists()


def test_a_refresh_keeps_next_years_duties_for_the_turn_of_the_year(zhunan):
    association = AssociationFactory(township=zhunan)
    duties.refresh(associations=[association.pk], today=D(YEAR, 12, 1))
    after_new_year = listed(D(YEAR + 1, 1, 5))
    assert (
        association.pk,
        "report_accounts_filed_by_march",
        "later",
    ) not in after_new_year  # due 3/31: not yet
    assert (association.pk, "plan_budget_filed_before_year", "overdue") in after_new_year  # YEAR+1's plan
    assert (association.pk, "report_accounts_filed_by_march", "due_soon") in listed(D(YEAR + 1, 3, 5))


def test_refresh_duties_command_fills_the_table_for_existing_data(zhunan):
    from django.core.management import call_command

    AssociationFactory(township=zhunan)
    call_command("refresh_duties")
    assert Duty.objects.filter(kind="term_not_expired", due_on__isnull=True).count() == 1


def test_an_election_saved_in_a_past_years_checklist_rewrites_the_term(zhunan):
    association = AssociationFactory(township=zhunan)
    duties.refresh(associations=[association.pk], today=WRITTEN_ON)
    ElectionFactory(association=association, elected_on=D(YEAR - 3, 3, 1), term_ends_on=D(YEAR + 1, 2, 28))
    duties.refresh(associations=[association.pk], today=WRITTEN_ON, years=[YEAR - 3])
    term = Duty.objects.get(association=association, kind="term_not_expired")
    assert term.due_on == D(YEAR + 1, 2, 28)
    assert Duty.objects.filter(association=association, year=YEAR).count() == 5


def _stored(**filters):
    """Every stored duty as (pk, its columns)."""
    return {
        row[0]: row[1:]
        for row in Duty.objects.filter(**filters).values_list(
            "pk", "association_id", "year", "kind", "due_on", "done_on", "shows_from", "params"
        )
    }


def test_a_refresh_of_unchanged_facts_writes_nothing_and_a_change_rewrites_only_what_it_changes(
    associations_of_every_kind, django_assert_num_queries
):
    bare = associations_of_every_kind[0]
    ids = [a.pk for a in associations_of_every_kind]
    duties.refresh(associations=ids, today=WRITTEN_ON)
    before = _stored()

    # The savepoint and its release, the four of the facts and the stored duties: no delete, no insert.
    with django_assert_num_queries(7):
        duties.refresh(associations=ids, today=WRITTEN_ON)
    assert _stored() == before

    YearlyFilingFactory(association=bare, year=YEAR, plan_budget_filed_on=D(YEAR - 1, 12, 1))
    duties.refresh(associations=ids, today=WRITTEN_ON)
    after = _stored()
    others = {pk: row for pk, row in before.items() if row[0] != bare.pk}
    assert {pk: row for pk, row in after.items() if row[0] != bare.pk} == others  # the same rows, untouched
    bare_plan = (bare.pk, YEAR, "plan_budget_filed_before_year")
    assert any(row[:3] == bare_plan for row in before.values())
    assert not any(row[:3] == bare_plan for row in after.values())  # filed on time: no longer to do

    # What is kept is what a refresh from nothing writes.
    Duty.objects.all().delete()
    duties.refresh(associations=ids, today=WRITTEN_ON)
    assert sorted(map(repr, _stored().values())) == sorted(map(repr, after.values()))


def test_associations_with_the_same_facts_get_the_same_duties_each(zhunan):
    """Duties are worked out once for associations whose facts are the same (a new roster's): each still
    has its own rows, and one with other facts its own duties."""
    same = [AssociationFactory(township=zhunan, board_meeting_interval_months=6) for _n in range(3)]
    other = AssociationFactory(township=zhunan, board_meeting_interval_months=3)
    duties.refresh(associations=[a.pk for a in [*same, other]], today=WRITTEN_ON)

    def of(association):
        return sorted(map(repr, (row[1:] for row in _stored(association=association).values())))

    assert of(same[0]) and of(same[0]) == of(same[1]) == of(same[2])
    assert of(other) != of(same[0])
    board = Duty.objects.get(association=other, year=YEAR, kind="board_meetings_at_interval")
    assert board.due_on == D(YEAR, 4, 1) and board.params["n"] == 3


def test_saving_a_filing_of_a_finalised_years_register_still_rewrites_its_duties(
    zhunan, zhunan_clerk, frozen_today
):
    """The register is frozen once finalised (the judgment is not recomputed); what is still to do is not."""
    from grading.models import TierRegister

    association = AssociationFactory(township=zhunan)
    TierRegister.objects.create(county=zhunan.county, year=YEAR - 1, state=TierRegister.State.FINALISED)
    yearly_filing_save(association=association, year=YEAR - 1, values=FilingValues(), actor=zhunan_clerk)
    report = (association.pk, "report_accounts_filed_by_march", "overdue")
    assert report in listed(D(YEAR, 7, 1))
    yearly_filing_save(
        association=association,
        year=YEAR - 1,
        values=FilingValues(report_accounts_filed_on=D(YEAR, 3, 20)),
        actor=zhunan_clerk,
    )
    assert report not in listed(D(YEAR, 7, 1))


def test_many_ids_are_read_as_one_array_and_answer_the_same_associations(
    associations_of_every_kind, monkeypatch
):
    from grading import facts

    monkeypatch.setattr(facts, "MANY_IDS", 2)  # an array from two ids on (PostgreSQL), not 500
    ids = [a.pk for a in associations_of_every_kind[:3]]
    assert set(facts.associations_of(ids).values_list("pk", flat=True)) == set(ids)  # the fourth is not

    duties.refresh(associations=ids, today=WRITTEN_ON)
    by_ids = sorted(map(repr, _stored().values()))
    Duty.objects.all().delete()
    duties.refresh(associations=Association.objects.filter(pk__in=ids), today=WRITTEN_ON)
    assert by_ids and sorted(map(repr, _stored().values())) == by_ids
