"""The compliance rules (docs/domain.md, "The rules an association keeps" and "The yearly compliance check")
as named, pure functions over one association's facts for one year.

Each rule answers pass, fail or pending (not yet due) with an explanation that names the due date, kept as
a message code with parameters (`grading.messages`) and rendered in the reader's language when shown;
`evaluate` runs them all and `status_from` turns the results into 正常 / 待輔導 / 異常. Nothing here
touches the database: `grading.facts` loads the facts in bulk and `grading.services` stores the results.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Literal

from core.dates import add_months
from grading.messages import Message, message, render, rule_label
from grading.models import ComplianceStatus

# Meeting kinds and association states as stored in `associations` (kept as plain strings so the rules
# stay pure and testable without models).
GENERAL_ASSEMBLY = "general_assembly"
BOARD = "board"
SUPERVISORY = "supervisory"
JOINT = "joint"
REORGANISING = "reorganising"

#: A joint board meeting (理監事聯席會議) counts as both a board and a supervisory meeting.
BOARD_KINDS = frozenset({BOARD, JOINT})
SUPERVISORY_KINDS = frozenset({SUPERVISORY, JOINT})
#: Meetings whose minutes must reach the authority within MINUTES_DAYS (docs/domain.md: the general assembly).
MINUTES_RULE_KINDS = frozenset({GENERAL_ASSEMBLY})
MINUTES_DAYS = 30
#: How close to its end a term must be for the rule to warn that an election is due.
TERM_WARNING_DAYS = 90


Outcome = Literal["pass", "fail", "pending"]
PASS: Outcome = "pass"
FAIL: Outcome = "fail"
PENDING: Outcome = "pending"


@dataclass(frozen=True)
class MeetingFact:
    kind: str
    held_on: datetime.date
    quorum_met: bool = True
    minutes_filed_on: datetime.date | None = None


@dataclass(frozen=True)
class ElectionFact:
    term_ends_on: datetime.date
    elected_on: datetime.date | None = None
    term_number: int | None = None


@dataclass
class AssociationFacts:
    """Everything the rules read about one association for one fiscal (calendar) year."""

    association_id: int
    year: int
    association_status: str = "active"
    board_interval_months: int = 6
    meetings: list[MeetingFact] = field(default_factory=list)
    plan_budget_filed_on: datetime.date | None = None
    report_accounts_filed_on: datetime.date | None = None
    elections: list[ElectionFact] = field(default_factory=list)


@dataclass(frozen=True)
class RuleResult:
    code: str
    outcome: Outcome
    #: What a failure of this rule makes the association: 待輔導 or 異常.
    severity: str
    #: The explanation as stored: a message code with parameters (`grading.messages`).
    text: Message
    due_on: datetime.date | None = None

    @property
    def label(self) -> str:
        """The rule's name in the active language."""
        return rule_label(self.code)

    @property
    def message(self) -> str:
        """The explanation in the active language."""
        return render(self.text)

    def to_json(self) -> dict[str, object]:
        """The stored form (Assessment.rules): codes and parameters, no text in any language."""
        return {
            "code": self.code,
            "outcome": self.outcome,
            "severity": str(self.severity),
            "message": self.text,
            "due_on": self.due_on.isoformat() if self.due_on else None,
        }


Rule = Callable[[AssociationFacts, datetime.date], RuleResult]


# --- date arithmetic (`add_months` is `core.dates.add_months`, shared with the demo data) ----------------


def year_start(year: int) -> datetime.date:
    return datetime.date(year, 1, 1)


def year_end(year: int) -> datetime.date:
    return datetime.date(year, 12, 31)


def plan_budget_due(year: int) -> datetime.date:
    """The work plan and budget of a year are due before it starts."""
    return datetime.date(year - 1, 12, 31)


def report_accounts_due(year: int) -> datetime.date:
    """The work report and final accounts are due by the end of March of the next year."""
    return datetime.date(year + 1, 3, 31)


def minutes_due(held_on: datetime.date) -> datetime.date:
    """Minutes are due on the 30th day after the meeting."""
    return held_on + datetime.timedelta(days=MINUTES_DAYS)


# --- the rules -------------------------------------------------------------------------------------------


def _no_quorum_note(days: Sequence[datetime.date]) -> Message | None:
    return message("no_quorum_note", dates=list(days)) if days else None


def assembly_held(facts: AssociationFacts, as_of: datetime.date) -> RuleResult:
    """At least one general assembly with a quorum in the year (abnormal if not)."""
    year, due = facts.year, year_end(facts.year)
    in_year = [m for m in facts.meetings if m.kind == GENERAL_ASSEMBLY and m.held_on.year == year]
    held = sorted(m.held_on for m in in_year if m.quorum_met)
    note = _no_quorum_note(sorted(m.held_on for m in in_year if not m.quorum_met))
    result = _result("assembly_held", ComplianceStatus.ABNORMAL, due)
    if held:
        return result(PASS, message("assembly_held_on", dates=held, note=note))
    if as_of <= due:
        return result(PENDING, message("assembly_pending", year=year, due=due, note=note))
    return result(FAIL, message("assembly_missed", year=year, due=due, note=note))


def _meetings_at_interval(
    facts: AssociationFacts, as_of: datetime.date, *, code: str, kinds: frozenset[str]
) -> RuleResult:
    """Meetings of `kinds` no more than the association's interval apart, counted from 1 January to the
    earlier of 31 December and `as_of`, and at least 12 / interval of them once the year is over.

    The year is judged on its own: the gap before the first meeting is measured from 1 January, so a gap
    of exactly the interval passes and one day more fails."""
    interval = facts.board_interval_months
    start, end = year_start(facts.year), year_end(facts.year)
    window_end = min(as_of, end)
    held = sorted({m.held_on for m in facts.meetings if m.kind in kinds and m.quorum_met})
    held = [day for day in held if start <= day <= window_end]
    required = max(1, 12 // interval)
    result = _result(code, ComplianceStatus.GUIDANCE)

    previous = start
    for day in held:
        due = add_months(previous, interval)
        if day > due:
            gap = message("interval_gap", since=_since(previous, start), day=day, n=interval, due=due)
            return result(FAIL, gap, due)
        previous = day
    next_due = add_months(previous, interval)
    if window_end > next_due:
        silent = message("interval_none_since", since=_since(previous, start), n=interval, due=next_due)
        return result(FAIL, silent, next_due)
    if as_of < end:
        due = min(next_due, end)
        return result(PENDING, message("interval_pending", count=len(held), due=due), due)
    if len(held) < required:
        return result(FAIL, message("interval_too_few", count=len(held), n=interval, required=required), end)
    return result(PASS, message("interval_kept", dates=held, n=interval))


def _since(day: datetime.date, start: datetime.date) -> Message:
    return message("year_start", day=day) if day == start else message("date", day=day)


def board_meetings_at_interval(facts: AssociationFacts, as_of: datetime.date) -> RuleResult:
    return _meetings_at_interval(facts, as_of, code="board_meetings_at_interval", kinds=BOARD_KINDS)


def supervisory_meetings_at_interval(facts: AssociationFacts, as_of: datetime.date) -> RuleResult:
    return _meetings_at_interval(
        facts, as_of, code="supervisory_meetings_at_interval", kinds=SUPERVISORY_KINDS
    )


def _filed_by(
    filed_on: datetime.date | None,
    due: datetime.date,
    as_of: datetime.date,
    result: Callable[..., RuleResult],
) -> RuleResult:
    if filed_on is not None and filed_on <= due:
        return result(PASS, message("filed_on_time", filed=filed_on, due=due))
    if filed_on is not None:
        return result(FAIL, message("filed_late", filed=filed_on, due=due))
    if as_of > due:
        return result(FAIL, message("not_filed", due=due))
    return result(PENDING, message("not_filed_yet", due=due))


def plan_budget_filed_before_year(facts: AssociationFacts, as_of: datetime.date) -> RuleResult:
    """The year's work plan and budget filed by 31 December of the year before."""
    due = plan_budget_due(facts.year)
    result = _result("plan_budget_filed_before_year", ComplianceStatus.GUIDANCE, due)
    return _filed_by(facts.plan_budget_filed_on, due, as_of, result)


def report_accounts_filed_by_march(facts: AssociationFacts, as_of: datetime.date) -> RuleResult:
    """The year's work report and final accounts filed by 31 March of the next year."""
    due = report_accounts_due(facts.year)
    result = _result("report_accounts_filed_by_march", ComplianceStatus.GUIDANCE, due)
    return _filed_by(facts.report_accounts_filed_on, due, as_of, result)


def minutes_meetings(facts: AssociationFacts) -> list[MeetingFact]:
    """The meetings of the year whose minutes must be filed, in date order. A meeting without a quorum
    (流會) was not held and has no minutes to file."""
    return sorted(
        (
            m
            for m in facts.meetings
            if m.kind in MINUTES_RULE_KINDS and m.held_on.year == facts.year and m.quorum_met
        ),
        key=lambda m: m.held_on,
    )


def minutes_filed_within_30_days(facts: AssociationFacts, as_of: datetime.date) -> RuleResult:
    """Minutes of each general assembly of the year filed with the authority within 30 days."""
    code = "minutes_filed_within_30_days"
    meetings = minutes_meetings(facts)
    problems: list[Message] = []
    waiting: list[MeetingFact] = []
    for meeting in meetings:
        due = minutes_due(meeting.held_on)
        if meeting.minutes_filed_on is not None and meeting.minutes_filed_on > due:
            problems.append(
                message("minutes_late", held=meeting.held_on, filed=meeting.minutes_filed_on, due=due)
            )
        elif meeting.minutes_filed_on is None and as_of > due:
            problems.append(message("minutes_missing", held=meeting.held_on, due=due))
        elif meeting.minutes_filed_on is None:
            waiting.append(meeting)
    if problems:
        first_due = minutes_due(meetings[0].held_on) if meetings else None
        return RuleResult(
            code, FAIL, ComplianceStatus.GUIDANCE, message("minutes_problems", problems=problems), first_due
        )
    if waiting:
        due = minutes_due(waiting[0].held_on)
        return RuleResult(
            code,
            PENDING,
            ComplianceStatus.GUIDANCE,
            message("minutes_waiting", held=waiting[0].held_on, due=due),
            due,
        )
    text = message("minutes_all_filed") if meetings else message("minutes_none_due")
    return RuleResult(code, PASS, ComplianceStatus.GUIDANCE, text)


def term_not_expired(facts: AssociationFacts, as_of: datetime.date) -> RuleResult:
    """The board's term had not run out without an election, on 31 December (or today, for the current
    year). Expired is abnormal; a term not on record cannot be checked and needs guidance."""
    code = "term_not_expired"
    check_on = min(as_of, year_end(facts.year))
    in_force = [e for e in facts.elections if e.elected_on is None or e.elected_on <= check_on]
    if not in_force:
        return RuleResult(code, FAIL, ComplianceStatus.GUIDANCE, message("term_missing"))
    ends = current_term_end(in_force)
    if ends < check_on:
        return RuleResult(
            code, FAIL, ComplianceStatus.ABNORMAL, message("term_expired", ends=ends, day=check_on), ends
        )
    if check_on == as_of and (ends - as_of).days <= TERM_WARNING_DAYS:
        return RuleResult(code, PENDING, ComplianceStatus.ABNORMAL, message("term_ending", ends=ends), ends)
    return RuleResult(code, PASS, ComplianceStatus.ABNORMAL, message("term_until", ends=ends), ends)


def current_term_end(elections: Sequence[ElectionFact]) -> datetime.date:
    """The end of the term in force: the latest-ending of `elections` (the latest elected among equals)."""
    return max(elections, key=lambda e: (e.term_ends_on, e.elected_on or datetime.date.min)).term_ends_on


def no_open_order(facts: AssociationFacts, as_of: datetime.date) -> RuleResult:
    """No open order to re-elect or reorganise (限期改選 / 限期整理). This reads the association's status in
    the roster as it stands when the rules run."""
    if facts.association_status == REORGANISING:
        return RuleResult("no_open_order", FAIL, ComplianceStatus.ABNORMAL, message("order_open"))
    return RuleResult("no_open_order", PASS, ComplianceStatus.ABNORMAL, message("order_none"))


#: Every rule, in the order people read them.
RULES: tuple[Rule, ...] = (
    assembly_held,
    board_meetings_at_interval,
    supervisory_meetings_at_interval,
    plan_budget_filed_before_year,
    report_accounts_filed_by_march,
    minutes_filed_within_30_days,
    term_not_expired,
    no_open_order,
)


def evaluate(
    facts: AssociationFacts, as_of: datetime.date, rules: Sequence[Rule] = RULES
) -> list[RuleResult]:
    return [rule(facts, as_of) for rule in rules]


def status_from(results: Iterable[RuleResult]) -> ComplianceStatus:
    """異常 if any failed rule is one whose failure is abnormal; 待輔導 if any other failed; else 正常."""
    failed = [r for r in results if r.outcome == FAIL]
    if any(r.severity == ComplianceStatus.ABNORMAL for r in failed):
        return ComplianceStatus.ABNORMAL
    if failed:
        return ComplianceStatus.GUIDANCE
    return ComplianceStatus.NORMAL


def _result(code: str, severity: str, default_due: datetime.date | None = None) -> Callable[..., RuleResult]:
    def make(outcome: Outcome, text: Message, due_on: datetime.date | None = None) -> RuleResult:
        return RuleResult(code, outcome, str(severity), text, due_on or default_due)

    return make
