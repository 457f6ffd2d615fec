"""The route of an application: every legal step moves it and is recorded, every illegal one is refused
with a reason and changes nothing, and the rules of the decision hold."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied

from grading.models import ComplianceStatus
from subsidies import workflow
from subsidies.models import Application, FundingLine, State, Transition
from subsidies.services import SubsidyError, application_transition
from tests.associations.factories import AssociationFactory
from tests.grading.factories import AssessmentFactory
from tests.subsidies.factories import MINISTRY, YEAR, advance, configure, draft, to_review


@pytest.fixture
def world(zhunan, zhunan_clerk, county_officer):
    configure(zhunan.county)
    association = AssociationFactory(township=zhunan, name="竹南社區發展協會")
    return {"clerk": zhunan_clerk, "officer": county_officer, "association": association}


@pytest.fixture
def application(world):
    return draft(world["clerk"], world["association"])


def _snapshot(application: Application) -> tuple:
    application.refresh_from_db()
    lines = tuple(
        FundingLine.objects.filter(application=application).values_list("approved", "disbursed", "spent")
    )
    return application.state, application.transitions.count(), lines


def test_a_new_application_gets_a_case_number_of_its_county_year_and_township(application):
    assert application.case_number == "115-竹南-001"
    assert application.state == State.DRAFT


def test_the_second_application_of_the_year_takes_the_next_number(world, application):
    second = draft(world["clerk"], world["association"], title="第二案")

    assert second.case_number == "115-竹南-002"


def test_an_application_goes_from_draft_to_closed_and_every_step_is_recorded(world, application):
    clerk, officer = world["clerk"], world["officer"]
    application = to_review(application, clerk, officer)
    application = advance(application, [(officer, "approve"), (officer, "disburse")])
    line = application.funding_lines.get()
    application = advance(application, [(clerk, "submit_closeout")], amounts={line.pk: 90_000})
    application = advance(application, [(officer, "close")])

    steps = list(application.transitions.values_list("from_state", "to_state"))
    assert steps == [
        ("", "draft"),
        ("draft", "submitted"),
        ("submitted", "township_forwarded"),
        ("township_forwarded", "county_review"),
        ("county_review", "approved"),
        ("approved", "disbursed"),
        ("disbursed", "closeout_submitted"),
        ("closeout_submitted", "closed"),
    ]
    line.refresh_from_db()
    assert (line.approved, line.disbursed, line.spent, line.returned) == (95_000, 95_000, 90_000, 5_000)


def test_a_ministry_application_is_forwarded_and_its_decision_recorded_with_the_letter(world):
    clerk, officer = world["clerk"], world["officer"]
    application = draft(
        clerk, world["association"], source_name=MINISTRY, requested=80_000, self_funded=20_000
    )
    application = to_review(application, clerk, officer)
    application = advance(application, [(officer, "approve"), (officer, "forward_to_ministry")])
    line = application.funding_lines.get()
    application = application_transition(
        application_id=application.pk,
        action="record_ministry_decision",
        actor=officer,
        amounts={line.pk: 70_000},
        letter_number="衛部救字第1150001234號",
        letter_date=datetime.date(2026, 5, 1),
    )

    line.refresh_from_db()
    assert application.state == State.MINISTRY_DECIDED
    assert application.ministry_letter_number == "衛部救字第1150001234號"
    assert line.approved == 70_000


def test_a_ministry_decision_without_the_letters_number_is_refused(world):
    clerk, officer = world["clerk"], world["officer"]
    application = draft(
        clerk, world["association"], source_name=MINISTRY, requested=80_000, self_funded=20_000
    )
    application = advance(
        to_review(application, clerk, officer), [(officer, "approve"), (officer, "forward_to_ministry")]
    )
    before = _snapshot(application)

    with pytest.raises(SubsidyError, match="文號"):
        application_transition(
            application_id=application.pk, action="record_ministry_decision", actor=officer
        )

    assert _snapshot(application) == before


@pytest.mark.parametrize("action", sorted(workflow.ACTIONS))
def test_an_action_is_refused_from_every_state_it_does_not_start_from_and_changes_nothing(
    world, application, action
):
    actor = world["clerk"] if workflow.Role.TOWNSHIP in workflow.ACTIONS[action].roles else world["officer"]
    illegal = [state for state in State if state not in workflow.ACTIONS[action].sources]
    for state in illegal:
        Application.objects.filter(pk=application.pk).update(state=state)
        before = _snapshot(application)

        with pytest.raises(SubsidyError, match="目前為"):
            application_transition(application_id=application.pk, action=action, actor=actor, note="理由")

        assert _snapshot(application) == before, state


def test_a_county_officer_cannot_take_a_township_step(world, application):
    before = _snapshot(application)

    with pytest.raises(PermissionDenied):
        application_transition(application_id=application.pk, action="submit", actor=world["officer"])

    assert _snapshot(application) == before


def test_a_township_clerk_cannot_decide(world, application):
    application = to_review(application, world["clerk"], world["officer"])

    with pytest.raises(PermissionDenied, match="縣府承辦人"):
        application_transition(application_id=application.pk, action="approve", actor=world["clerk"])


def test_another_townships_clerk_cannot_act_on_the_application(world, application, toufen_clerk):
    with pytest.raises(PermissionDenied):
        application_transition(application_id=application.pk, action="submit", actor=toufen_clerk)


def test_an_application_that_skipped_the_township_review_is_refused(world, application):
    Application.objects.filter(pk=application.pk).update(state=State.TOWNSHIP_FORWARDED)

    with pytest.raises(SubsidyError, match="未經公所初審"):
        application_transition(application_id=application.pk, action="start_review", actor=world["officer"])


def test_the_county_cannot_review_an_application_the_township_has_not_forwarded(world, application):
    advance(application, [(world["clerk"], "submit")])

    with pytest.raises(SubsidyError, match="公所初審中"):
        application_transition(application_id=application.pk, action="start_review", actor=world["officer"])


def test_a_partial_approval_above_the_request_is_refused_and_changes_nothing(world, application):
    application = to_review(application, world["clerk"], world["officer"])
    line = application.funding_lines.get()
    before = _snapshot(application)

    with pytest.raises(SubsidyError, match="超過申請金額"):
        application_transition(
            application_id=application.pk,
            action="approve_partly",
            actor=world["officer"],
            amounts={line.pk: 95_001},
        )

    assert _snapshot(application) == before


def test_a_partial_approval_records_the_lower_amount(world, application):
    application = to_review(application, world["clerk"], world["officer"])
    line = application.funding_lines.get()

    application = application_transition(
        application_id=application.pk,
        action="approve_partly",
        actor=world["officer"],
        amounts={line.pk: 60_000},
    )

    line.refresh_from_db()
    assert (application.state, line.approved) == (State.PARTLY_APPROVED, 60_000)


def test_an_approval_past_the_allocation_is_refused_naming_what_is_left(world, zhunan):
    configure(zhunan.county, recurrent=100_000)
    clerk, officer = world["clerk"], world["officer"]
    first = to_review(draft(clerk, world["association"], requested=60_000, self_funded=5_000), clerk, officer)
    second = to_review(
        draft(clerk, world["association"], requested=50_000, self_funded=5_000), clerk, officer
    )
    advance(first, [(officer, "approve")])

    with pytest.raises(SubsidyError, match="剩餘 40,000 元"):
        advance(second, [(officer, "approve")])


def test_a_rejected_application_frees_nothing_and_holds_nothing(world, zhunan):
    configure(zhunan.county, recurrent=100_000)
    clerk, officer = world["clerk"], world["officer"]
    rejected = to_review(draft(clerk, world["association"], requested=95_000), clerk, officer)
    advance(rejected, [(officer, "reject")])
    other = to_review(draft(clerk, world["association"], requested=95_000), clerk, officer)

    assert advance(other, [(officer, "approve")]).state == State.APPROVED


def test_submitting_with_less_than_the_minimum_self_funding_is_refused(world):
    application = draft(
        world["clerk"], world["association"], source_name=MINISTRY, requested=90_000, self_funded=10_000
    )

    with pytest.raises(SubsidyError, match="至少須自籌 20%"):
        advance(application, [(world["clerk"], "submit")])


def test_submitting_when_request_and_self_funding_do_not_add_up_to_the_cost_is_refused(world, application):
    FundingLine.objects.filter(application=application).update(requested=1)

    with pytest.raises(SubsidyError, match="應等於經費概算"):
        advance(application, [(world["clerk"], "submit")])


def test_the_decision_is_refused_for_an_abnormal_association(world, application):
    AssessmentFactory(association=world["association"], year=YEAR, status=ComplianceStatus.ABNORMAL)
    application = to_review(application, world["clerk"], world["officer"])

    with pytest.raises(SubsidyError, match="異常"):
        advance(application, [(world["officer"], "approve")])


def test_the_decision_is_refused_when_no_general_assembly_was_held(world, application):
    rules = [{"code": "assembly_held", "outcome": "fail"}]
    AssessmentFactory(
        association=world["association"], year=YEAR, status=ComplianceStatus.ABNORMAL, rules=rules
    )
    application = to_review(application, world["clerk"], world["officer"])

    with pytest.raises(SubsidyError, match="未召開會員大會"):
        advance(application, [(world["officer"], "approve")])


def test_an_override_with_a_reason_lets_the_county_decide_and_stays_in_the_timeline(world, application):
    AssessmentFactory(association=world["association"], year=YEAR, status=ComplianceStatus.ABNORMAL)
    application = to_review(application, world["clerk"], world["officer"])
    application_transition(
        application_id=application.pk,
        action="override_eligibility",
        actor=world["officer"],
        note="風災重建，專案核准",
    )

    application = advance(application, [(world["officer"], "approve")])

    assert application.state == State.APPROVED
    assert Transition.objects.filter(
        application=application, action="override_eligibility", note="風災重建，專案核准"
    ).exists()


def test_an_override_without_a_reason_is_refused(world, application):
    application = to_review(application, world["clerk"], world["officer"])

    with pytest.raises(SubsidyError, match="理由"):
        application_transition(
            application_id=application.pk, action="override_eligibility", actor=world["officer"]
        )


def test_an_application_may_be_withdrawn_before_the_decision_but_not_after(world, application):
    application = to_review(application, world["clerk"], world["officer"])
    approved = advance(application, [(world["officer"], "approve")])

    with pytest.raises(SubsidyError, match="不能撤回申請"):
        advance(approved, [(world["clerk"], "withdraw")])


def test_a_returned_application_goes_back_to_the_township_and_is_forwarded_again(world, application):
    application = to_review(application, world["clerk"], world["officer"])

    application = advance(
        application, [(world["officer"], "return_to_township"), (world["clerk"], "forward")]
    )

    assert application.state == State.TOWNSHIP_FORWARDED


def test_a_period_ending_after_the_year_is_refused(world):
    with pytest.raises(SubsidyError, match="12月31日"):
        from subsidies import services
        from tests.subsidies.factories import item

        services.application_save(
            actor=world["clerk"],
            association=world["association"],
            year=YEAR,
            item=item(world["association"].township.county),
            title="跨年活動",
            starts_on=datetime.date(YEAR, 12, 1),
            ends_on=datetime.date(YEAR + 1, 1, 15),
            self_funded=0,
            costs=[],
            funding=[],
        )


def test_the_actions_offered_are_exactly_those_decide_allows_in_every_state_for_every_role(
    world, application, toufen_clerk, admin_user
):
    users = [world["clerk"], world["officer"], toufen_clerk, admin_user]
    for state in State:
        application.state = state
        for user in users:
            offered = [action.name for action in workflow.allowed_actions(user, application)]
            assert offered == [name for name in workflow.ACTIONS if workflow.decide(user, name, application)]
    application.state = State.COUNTY_REVIEW
    assert workflow.allowed_actions(world["officer"], application)  # the check can tell an empty answer
