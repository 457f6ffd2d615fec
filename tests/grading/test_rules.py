"""The compliance rules, one behaviour per test, with the boundaries docs/domain.md names: 31 March, the 30th
day, the 6th month, 31 December."""

import datetime

from grading import rules
from grading.models import ComplianceStatus
from grading.rules import AssociationFacts, ElectionFact, MeetingFact

D = datetime.date
YEAR = 2023
AFTER_YEAR = D(2024, 6, 30)  # the year is over and every deadline of it has passed


def facts(**kwargs) -> AssociationFacts:
    kwargs.setdefault("elections", [ElectionFact(term_ends_on=D(2026, 2, 28), elected_on=D(2022, 3, 1))])
    return AssociationFacts(association_id=1, year=YEAR, **kwargs)


def board(*days: datetime.date, kind: str = rules.BOARD) -> list[MeetingFact]:
    return [MeetingFact(kind, day) for day in days]


# --- general assembly ------------------------------------------------------------------------------------


def test_assembly_held_in_the_year_passes():
    result = rules.assembly_held(
        facts(meetings=board(D(2023, 5, 20), kind=rules.GENERAL_ASSEMBLY)), AFTER_YEAR
    )
    assert result.outcome == rules.PASS
    assert "112/05/20" in result.message


def test_no_assembly_by_the_end_of_the_year_is_abnormal():
    result = rules.assembly_held(facts(), AFTER_YEAR)
    assert result.outcome == rules.FAIL
    assert result.severity == ComplianceStatus.ABNORMAL
    assert result.message == "112年度未召開會員大會（期限 112/12/31）。"


def test_assembly_not_yet_held_during_the_year_is_pending_with_its_due_date():
    result = rules.assembly_held(facts(), D(2023, 6, 1))
    assert result.outcome == rules.PENDING
    assert result.due_on == D(2023, 12, 31)


def test_assembly_without_quorum_does_not_count():
    meetings = [MeetingFact(rules.GENERAL_ASSEMBLY, D(2023, 5, 20), quorum_met=False)]
    result = rules.assembly_held(facts(meetings=meetings), AFTER_YEAR)
    assert result.outcome == rules.FAIL
    assert "未達法定人數" in result.message


def test_assembly_of_another_year_does_not_count():
    result = rules.assembly_held(
        facts(meetings=board(D(2022, 12, 30), kind=rules.GENERAL_ASSEMBLY)), AFTER_YEAR
    )
    assert result.outcome == rules.FAIL


# --- board and supervisory meetings ----------------------------------------------------------------------


def test_board_meetings_exactly_six_months_apart_pass():
    result = rules.board_meetings_at_interval(
        facts(meetings=board(D(2023, 1, 15), D(2023, 7, 15))), AFTER_YEAR
    )
    assert result.outcome == rules.PASS


def test_board_meetings_six_months_and_one_day_apart_fail():
    result = rules.board_meetings_at_interval(
        facts(meetings=board(D(2023, 1, 15), D(2023, 7, 16))), AFTER_YEAR
    )
    assert result.outcome == rules.FAIL
    assert result.severity == ComplianceStatus.GUIDANCE
    assert result.message == "112/01/15 至 112/07/16 間隔超過 6 個月（應於 112/07/15 前召開）。"


def test_first_board_meeting_is_measured_from_the_first_of_january():
    on_time = rules.board_meetings_at_interval(
        facts(meetings=board(D(2023, 7, 1), D(2023, 12, 1))), AFTER_YEAR
    )
    late = rules.board_meetings_at_interval(facts(meetings=board(D(2023, 7, 2), D(2023, 12, 1))), AFTER_YEAR)
    assert on_time.outcome == rules.PASS
    assert late.outcome == rules.FAIL


def test_more_than_six_months_without_a_board_meeting_before_the_year_ends_fails():
    result = rules.board_meetings_at_interval(
        facts(meetings=board(D(2023, 1, 10), D(2023, 6, 29))), AFTER_YEAR
    )
    assert result.outcome == rules.FAIL
    assert "112/06/29 之後超過 6 個月未召開" in result.message


def test_a_single_board_meeting_is_too_few_for_the_year():
    result = rules.board_meetings_at_interval(facts(meetings=board(D(2023, 7, 1))), AFTER_YEAR)
    assert result.outcome == rules.FAIL
    assert "應召開 2 次" in result.message


def test_three_month_interval_set_for_the_association_is_applied():
    meetings = board(D(2023, 3, 1), D(2023, 6, 1), D(2023, 9, 1), D(2023, 12, 1))
    passing = rules.board_meetings_at_interval(facts(meetings=meetings, board_interval_months=3), AFTER_YEAR)
    failing = rules.board_meetings_at_interval(
        facts(meetings=meetings[::2], board_interval_months=3), AFTER_YEAR
    )
    assert passing.outcome == rules.PASS
    assert failing.outcome == rules.FAIL


def test_joint_meetings_count_as_board_and_supervisory_meetings():
    meetings = board(D(2023, 3, 1), D(2023, 8, 1), kind=rules.JOINT)
    assert rules.board_meetings_at_interval(facts(meetings=meetings), AFTER_YEAR).outcome == rules.PASS
    assert rules.supervisory_meetings_at_interval(facts(meetings=meetings), AFTER_YEAR).outcome == rules.PASS


def test_board_meetings_do_not_count_as_supervisory_meetings():
    meetings = board(D(2023, 3, 1), D(2023, 8, 1))
    assert rules.supervisory_meetings_at_interval(facts(meetings=meetings), AFTER_YEAR).outcome == rules.FAIL


def test_board_meetings_on_track_during_the_year_are_pending_with_the_next_due_date():
    result = rules.board_meetings_at_interval(facts(meetings=board(D(2023, 2, 10))), D(2023, 5, 1))
    assert result.outcome == rules.PENDING
    assert result.due_on == D(2023, 8, 10)


def test_add_months_clamps_to_the_end_of_a_shorter_month():
    assert rules.add_months(D(2023, 8, 31), 6) == D(2024, 2, 29)
    assert rules.add_months(D(2022, 8, 31), 6) == D(2023, 2, 28)


# --- yearly filings --------------------------------------------------------------------------------------


def test_plan_and_budget_filed_on_31_december_of_the_previous_year_pass():
    result = rules.plan_budget_filed_before_year(facts(plan_budget_filed_on=D(2022, 12, 31)), AFTER_YEAR)
    assert result.outcome == rules.PASS


def test_plan_and_budget_filed_on_1_january_fail():
    result = rules.plan_budget_filed_before_year(facts(plan_budget_filed_on=D(2023, 1, 1)), AFTER_YEAR)
    assert result.outcome == rules.FAIL
    assert result.message == "逾期送府：112/01/01 送府，期限為 111/12/31。"


def test_plan_and_budget_not_filed_before_the_due_date_is_pending():
    result = rules.plan_budget_filed_before_year(facts(), D(2022, 11, 1))
    assert result.outcome == rules.PENDING
    assert result.due_on == D(2022, 12, 31)


def test_report_and_accounts_filed_on_31_march_of_the_next_year_pass():
    result = rules.report_accounts_filed_by_march(facts(report_accounts_filed_on=D(2024, 3, 31)), AFTER_YEAR)
    assert result.outcome == rules.PASS


def test_report_and_accounts_filed_on_1_april_fail():
    result = rules.report_accounts_filed_by_march(facts(report_accounts_filed_on=D(2024, 4, 1)), AFTER_YEAR)
    assert result.outcome == rules.FAIL
    assert result.due_on == D(2024, 3, 31)


def test_report_and_accounts_missing_after_31_march_fail():
    result = rules.report_accounts_filed_by_march(facts(), D(2024, 4, 1))
    assert result.outcome == rules.FAIL
    assert result.message == "未送府（期限 113/03/31）。"


def test_report_and_accounts_missing_on_31_march_are_still_pending():
    result = rules.report_accounts_filed_by_march(facts(), D(2024, 3, 31))
    assert result.outcome == rules.PENDING


# --- minutes ---------------------------------------------------------------------------------------------


def assembly(held_on: datetime.date, minutes: datetime.date | None) -> list[MeetingFact]:
    return [MeetingFact(rules.GENERAL_ASSEMBLY, held_on, minutes_filed_on=minutes)]


def test_minutes_filed_on_the_30th_day_pass():
    result = rules.minutes_filed_within_30_days(
        facts(meetings=assembly(D(2023, 3, 1), D(2023, 3, 31))), AFTER_YEAR
    )
    assert result.outcome == rules.PASS


def test_minutes_filed_on_the_31st_day_fail():
    result = rules.minutes_filed_within_30_days(
        facts(meetings=assembly(D(2023, 3, 1), D(2023, 4, 1))), AFTER_YEAR
    )
    assert result.outcome == rules.FAIL
    assert "112/03/01 的會議紀錄於 112/04/01 送府，逾期限 112/03/31" in result.message


def test_minutes_not_filed_after_30_days_fail():
    result = rules.minutes_filed_within_30_days(facts(meetings=assembly(D(2023, 3, 1), None)), D(2023, 4, 1))
    assert result.outcome == rules.FAIL


def test_minutes_not_yet_filed_within_30_days_are_pending():
    result = rules.minutes_filed_within_30_days(facts(meetings=assembly(D(2023, 3, 1), None)), D(2023, 3, 31))
    assert result.outcome == rules.PENDING
    assert result.due_on == D(2023, 3, 31)


def test_an_assembly_without_quorum_needs_no_minutes():
    meetings = [
        *assembly(D(2023, 3, 1), D(2023, 3, 20)),
        MeetingFact(rules.GENERAL_ASSEMBLY, D(2023, 5, 1), quorum_met=False, minutes_filed_on=None),
    ]
    assert rules.minutes_filed_within_30_days(facts(meetings=meetings), AFTER_YEAR).outcome == rules.PASS


def test_board_meeting_minutes_are_not_judged():
    meetings = [MeetingFact(rules.BOARD, D(2023, 3, 1), minutes_filed_on=None)]
    assert rules.minutes_filed_within_30_days(facts(meetings=meetings), AFTER_YEAR).outcome == rules.PASS


# --- term of office --------------------------------------------------------------------------------------


def test_term_expired_without_election_is_abnormal():
    elections = [ElectionFact(term_ends_on=D(2023, 11, 1), elected_on=D(2019, 11, 2))]
    result = rules.term_not_expired(facts(elections=elections), AFTER_YEAR)
    assert result.outcome == rules.FAIL
    assert result.severity == ComplianceStatus.ABNORMAL
    assert result.message == "任期已於 112/11/01 屆滿，至 112/12/31 尚未改選。"


def test_term_ending_on_31_december_passes_the_year():
    elections = [ElectionFact(term_ends_on=D(2023, 12, 31), elected_on=D(2020, 1, 1))]
    assert rules.term_not_expired(facts(elections=elections), AFTER_YEAR).outcome == rules.PASS


def test_election_held_before_the_term_expired_passes():
    elections = [
        ElectionFact(term_ends_on=D(2023, 11, 1), elected_on=D(2019, 11, 2)),
        ElectionFact(term_ends_on=D(2027, 10, 20), elected_on=D(2023, 10, 21)),
    ]
    assert rules.term_not_expired(facts(elections=elections), AFTER_YEAR).outcome == rules.PASS


def test_election_held_only_the_next_year_does_not_save_an_expired_term():
    elections = [
        ElectionFact(term_ends_on=D(2023, 11, 1), elected_on=D(2019, 11, 2)),
        ElectionFact(term_ends_on=D(2028, 1, 4), elected_on=D(2024, 1, 5)),
    ]
    assert rules.term_not_expired(facts(elections=elections), AFTER_YEAR).outcome == rules.FAIL


def test_term_about_to_expire_is_pending_with_its_end_as_due_date():
    elections = [ElectionFact(term_ends_on=D(2023, 8, 31), elected_on=D(2019, 9, 1))]
    result = rules.term_not_expired(facts(elections=elections), D(2023, 7, 1))
    assert result.outcome == rules.PENDING
    assert result.due_on == D(2023, 8, 31)


def test_term_not_on_record_needs_guidance():
    result = rules.term_not_expired(facts(elections=[]), AFTER_YEAR)
    assert result.outcome == rules.FAIL
    assert result.severity == ComplianceStatus.GUIDANCE


# --- open orders and the status --------------------------------------------------------------------------


def test_association_under_reorganisation_order_is_abnormal():
    result = rules.no_open_order(facts(association_status=rules.REORGANISING), AFTER_YEAR)
    assert result.outcome == rules.FAIL
    assert result.severity == ComplianceStatus.ABNORMAL


def test_status_is_normal_when_every_duty_is_met():
    meetings = [
        *assembly(D(2023, 5, 1), D(2023, 5, 20)),
        *board(D(2023, 3, 1), D(2023, 8, 1), kind=rules.JOINT),
    ]
    compliant = facts(
        meetings=meetings, plan_budget_filed_on=D(2022, 12, 1), report_accounts_filed_on=D(2024, 2, 1)
    )
    assert rules.status_from(rules.evaluate(compliant, AFTER_YEAR)) == ComplianceStatus.NORMAL


def test_status_needs_guidance_when_only_a_filing_is_late():
    meetings = [
        *assembly(D(2023, 5, 1), D(2023, 5, 20)),
        *board(D(2023, 3, 1), D(2023, 8, 1), kind=rules.JOINT),
    ]
    late = facts(
        meetings=meetings, plan_budget_filed_on=D(2023, 1, 1), report_accounts_filed_on=D(2024, 2, 1)
    )
    assert rules.status_from(rules.evaluate(late, AFTER_YEAR)) == ComplianceStatus.GUIDANCE


def test_status_is_abnormal_when_an_abnormal_rule_fails_among_others():
    assert rules.status_from(rules.evaluate(facts(), AFTER_YEAR)) == ComplianceStatus.ABNORMAL


def test_pending_rules_do_not_lower_the_status():
    early = facts(plan_budget_filed_on=D(2022, 12, 1))
    assert rules.status_from(rules.evaluate(early, D(2023, 1, 20))) == ComplianceStatus.NORMAL
