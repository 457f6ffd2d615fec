"""The compliance rules (docs/domain.md, "The rules an association keeps" and "The yearly compliance check")
as named, pure functions over one association's facts for one year.

Each rule answers pass, fail or pending (not yet due) with a plain-Chinese explanation that names the due
date; `evaluate` runs them all and `status_from` turns the results into 正常 / 待輔導 / 異常. Nothing here
touches the database: `grading.facts` loads the facts in bulk and `grading.services` stores the results.
"""

from __future__ import annotations

import contextlib
import datetime
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Literal

from django.utils.translation import gettext

from core.dates import add_months, format_roc, format_roc_year
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

_translations: dict[str, str] | None = None


def translate(message: str) -> str:
    """gettext, remembered for the length of a `remembered_translations()` block (a recompute of 10,000
    associations asks for the same 20 messages 200,000 times, and the language cannot change meanwhile)."""
    if _translations is None:
        return gettext(message)
    translated = _translations.get(message)
    if translated is None:
        translated = _translations[message] = gettext(message)
    return translated


_ = translate


@contextlib.contextmanager
def remembered_translations() -> Iterator[None]:
    global _translations
    previous, _translations = _translations, {} if _translations is None else _translations
    try:
        yield
    finally:
        _translations = previous


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
    label: str
    outcome: Outcome
    #: What a failure of this rule makes the association: 待輔導 or 異常.
    severity: str
    message: str
    due_on: datetime.date | None = None

    def to_json(self) -> dict[str, object]:
        return {
            "code": self.code,
            "label": self.label,
            "outcome": self.outcome,
            "severity": str(self.severity),
            "message": self.message,
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


def _dates(days: Iterable[datetime.date]) -> str:
    return "、".join(format_roc(day) for day in days)


# --- the rules -------------------------------------------------------------------------------------------


def assembly_held(facts: AssociationFacts, as_of: datetime.date) -> RuleResult:
    """At least one general assembly with a quorum in the year (abnormal if not)."""
    year, due = facts.year, year_end(facts.year)
    label = _("召開會員大會")
    in_year = [m for m in facts.meetings if m.kind == GENERAL_ASSEMBLY and m.held_on.year == year]
    held = sorted(m.held_on for m in in_year if m.quorum_met)
    no_quorum = sorted(m.held_on for m in in_year if not m.quorum_met)
    note = _("（%(dates)s 的會議未達法定人數，不予計入）") % {"dates": _dates(no_quorum)} if no_quorum else ""
    result = _result("assembly_held", label, ComplianceStatus.ABNORMAL, due)
    if held:
        return result(PASS, _("已於 %(dates)s 召開會員大會。") % {"dates": _dates(held)} + note)
    if as_of <= due:
        return result(
            PENDING,
            _("%(year)s尚未召開會員大會，請於 %(due)s 前召開。")
            % {"year": format_roc_year(year), "due": format_roc(due)}
            + note,
        )
    return result(
        FAIL,
        _("%(year)s未召開會員大會（期限 %(due)s）。")
        % {"year": format_roc_year(year), "due": format_roc(due)}
        + note,
    )


def _meetings_at_interval(
    facts: AssociationFacts, as_of: datetime.date, *, code: str, label: str, kinds: frozenset[str]
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
    result = _result(code, label, ComplianceStatus.GUIDANCE)

    previous = start
    for day in held:
        due = add_months(previous, interval)
        if day > due:
            return result(
                FAIL,
                _("%(since)s 至 %(day)s 間隔超過 %(n)d 個月（應於 %(due)s 前召開）。")
                % {
                    "since": _since(previous, start),
                    "day": format_roc(day),
                    "n": interval,
                    "due": format_roc(due),
                },
                due,
            )
        previous = day
    next_due = add_months(previous, interval)
    if window_end > next_due:
        return result(
            FAIL,
            _("%(since)s 之後超過 %(n)d 個月未召開（應於 %(due)s 前召開）。")
            % {"since": _since(previous, start), "n": interval, "due": format_roc(next_due)},
            next_due,
        )
    if as_of < end:
        due = min(next_due, end)
        return result(
            PENDING,
            _("本年度已召開 %(count)d 次；下次請於 %(due)s 前召開。")
            % {"count": len(held), "due": format_roc(due)},
            due,
        )
    if len(held) < required:
        return result(
            FAIL,
            _("全年召開 %(count)d 次，每 %(n)d 個月至少一次應召開 %(required)d 次。")
            % {"count": len(held), "n": interval, "required": required},
            end,
        )
    return result(
        PASS,
        _("已於 %(dates)s 召開，間隔均未超過 %(n)d 個月。") % {"dates": _dates(held), "n": interval},
    )


def _since(day: datetime.date, start: datetime.date) -> str:
    return _("年度開始（%(day)s）") % {"day": format_roc(day)} if day == start else format_roc(day)


def board_meetings_at_interval(facts: AssociationFacts, as_of: datetime.date) -> RuleResult:
    return _meetings_at_interval(
        facts, as_of, code="board_meetings_at_interval", label=_("定期召開理事會"), kinds=BOARD_KINDS
    )


def supervisory_meetings_at_interval(facts: AssociationFacts, as_of: datetime.date) -> RuleResult:
    return _meetings_at_interval(
        facts,
        as_of,
        code="supervisory_meetings_at_interval",
        label=_("定期召開監事會"),
        kinds=SUPERVISORY_KINDS,
    )


def _filed_by(
    filed_on: datetime.date | None,
    due: datetime.date,
    as_of: datetime.date,
    result: Callable[..., RuleResult],
) -> RuleResult:
    if filed_on is not None and filed_on <= due:
        return result(
            PASS,
            _("已於 %(filed)s 送府（期限 %(due)s）。")
            % {"filed": format_roc(filed_on), "due": format_roc(due)},
        )
    if filed_on is not None:
        return result(
            FAIL,
            _("逾期送府：%(filed)s 送府，期限為 %(due)s。")
            % {"filed": format_roc(filed_on), "due": format_roc(due)},
        )
    if as_of > due:
        return result(FAIL, _("未送府（期限 %(due)s）。") % {"due": format_roc(due)})
    return result(PENDING, _("尚未送府，請於 %(due)s 前送府。") % {"due": format_roc(due)})


def plan_budget_filed_before_year(facts: AssociationFacts, as_of: datetime.date) -> RuleResult:
    """The year's work plan and budget filed by 31 December of the year before."""
    due = plan_budget_due(facts.year)
    result = _result(
        "plan_budget_filed_before_year", _("工作計畫及預算於年度開始前送府"), ComplianceStatus.GUIDANCE, due
    )
    return _filed_by(facts.plan_budget_filed_on, due, as_of, result)


def report_accounts_filed_by_march(facts: AssociationFacts, as_of: datetime.date) -> RuleResult:
    """The year's work report and final accounts filed by 31 March of the next year."""
    due = report_accounts_due(facts.year)
    result = _result(
        "report_accounts_filed_by_march",
        _("工作報告及決算於次年 3 月底前送府"),
        ComplianceStatus.GUIDANCE,
        due,
    )
    return _filed_by(facts.report_accounts_filed_on, due, as_of, result)


def minutes_filed_within_30_days(facts: AssociationFacts, as_of: datetime.date) -> RuleResult:
    """Minutes of each general assembly of the year filed with the authority within 30 days. A meeting
    without a quorum (流會) was not held and has no minutes to file."""
    label = _("會議紀錄於會後 30 日內送府")
    meetings = sorted(
        (
            m
            for m in facts.meetings
            if m.kind in MINUTES_RULE_KINDS and m.held_on.year == facts.year and m.quorum_met
        ),
        key=lambda m: m.held_on,
    )
    problems: list[str] = []
    waiting: list[MeetingFact] = []
    for meeting in meetings:
        due = minutes_due(meeting.held_on)
        if meeting.minutes_filed_on is not None and meeting.minutes_filed_on > due:
            problems.append(
                _("%(held)s 的會議紀錄於 %(filed)s 送府，逾期限 %(due)s")
                % {
                    "held": format_roc(meeting.held_on),
                    "filed": format_roc(meeting.minutes_filed_on),
                    "due": format_roc(due),
                }
            )
        elif meeting.minutes_filed_on is None and as_of > due:
            problems.append(
                _("%(held)s 的會議紀錄未送府（期限 %(due)s）")
                % {"held": format_roc(meeting.held_on), "due": format_roc(due)}
            )
        elif meeting.minutes_filed_on is None:
            waiting.append(meeting)
    if problems:
        first_due = minutes_due(meetings[0].held_on) if meetings else None
        return RuleResult(
            "minutes_filed_within_30_days",
            label,
            FAIL,
            ComplianceStatus.GUIDANCE,
            "；".join(problems) + "。",
            first_due,
        )
    if waiting:
        due = minutes_due(waiting[0].held_on)
        return RuleResult(
            "minutes_filed_within_30_days",
            label,
            PENDING,
            ComplianceStatus.GUIDANCE,
            _("%(held)s 的會議紀錄請於 %(due)s 前送府。")
            % {"held": format_roc(waiting[0].held_on), "due": format_roc(due)},
            due,
        )
    message = _("會議紀錄均於會後 30 日內送府。") if meetings else _("本年度尚無須送會議紀錄的會議。")
    return RuleResult("minutes_filed_within_30_days", label, PASS, ComplianceStatus.GUIDANCE, message)


def term_not_expired(facts: AssociationFacts, as_of: datetime.date) -> RuleResult:
    """The board's term had not run out without an election, on 31 December (or today, for the current
    year). Expired is abnormal; a term not on record cannot be checked and needs guidance."""
    label = _("任期屆滿前完成改選")
    code = "term_not_expired"
    check_on = min(as_of, year_end(facts.year))
    in_force = [e for e in facts.elections if e.elected_on is None or e.elected_on <= check_on]
    if not in_force:
        return RuleResult(
            code, label, FAIL, ComplianceStatus.GUIDANCE, _("未登錄理監事任期，無法確認是否依限改選。")
        )
    current = max(in_force, key=lambda e: (e.term_ends_on, e.elected_on or datetime.date.min))
    ends = current.term_ends_on
    if ends < check_on:
        return RuleResult(
            code,
            label,
            FAIL,
            ComplianceStatus.ABNORMAL,
            _("任期已於 %(ends)s 屆滿，至 %(day)s 尚未改選。")
            % {"ends": format_roc(ends), "day": format_roc(check_on)},
            ends,
        )
    if check_on == as_of and (ends - as_of).days <= TERM_WARNING_DAYS:
        return RuleResult(
            code,
            label,
            PENDING,
            ComplianceStatus.ABNORMAL,
            _("任期將於 %(ends)s 屆滿，請於屆滿前辦理改選。") % {"ends": format_roc(ends)},
            ends,
        )
    return RuleResult(
        code,
        label,
        PASS,
        ComplianceStatus.ABNORMAL,
        _("任期至 %(ends)s。") % {"ends": format_roc(ends)},
        ends,
    )


def no_open_order(facts: AssociationFacts, as_of: datetime.date) -> RuleResult:
    """No open order to re-elect or reorganise (限期改選 / 限期整理). This reads the association's status in
    the roster as it stands when the rules run."""
    label = _("無限期改選或整理命令")
    if facts.association_status == REORGANISING:
        return RuleResult(
            "no_open_order", label, FAIL, ComplianceStatus.ABNORMAL, _("協會受主管機關限期整理或改選中。")
        )
    return RuleResult("no_open_order", label, PASS, ComplianceStatus.ABNORMAL, _("無限期整理或改選命令。"))


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


def _result(
    code: str, label: str, severity: str, default_due: datetime.date | None = None
) -> Callable[..., RuleResult]:
    def make(outcome: Outcome, message: str, due_on: datetime.date | None = None) -> RuleResult:
        return RuleResult(code, label, outcome, str(severity), message, due_on or default_due)

    return make
