"""The to-do list's stored judgments: each association's duties (`grading.models.Duty`), derived from the same
facts and dates as the rules in `grading.rules`, written whenever the facts change or a year is recomputed.

A duty holds no state and no today: its due date, the day it was done when that was late, the day from which
it is listed, and what to say before and after the due date. The to-do list (`grading.todo`) works out the
state in its query against today, which is what keeps the property the list was built for: a due date passing
shows at once, without anyone recomputing.

`refresh(associations)` rewrites every duty of those associations for the years the list can show before
another refresh: last year's report, this year's and next year's duties and the year after's plan (so the list
stays right through one turn of the year even if nothing is recomputed; `manage.py refresh_duties`, run from
cron on 1 January, moves the window on). It is called from `grading.judge` (every change of facts or of the
roster) and after a county's recompute.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from associations.models import Association
from core.dates import add_months
from grading import rules
from grading.facts import load_facts_of_years
from grading.messages import Message, message
from grading.models import Duty
from grading.rules import AssociationFacts

#: A duty not yet due is listed once its due date is this close...
DUE_SOON_DAYS = 60
#: ...except the board's term, whose end is announced this far ahead (the rule's own warning window).
TERM_DAYS = rules.TERM_WARNING_DAYS
BATCH_SIZE = 2000


@dataclass(frozen=True)
class DutySpec:
    kind: str
    year: int | None
    due_on: datetime.date | None
    message: Message
    overdue_message: Message
    done_on: datetime.date | None = None
    #: How many days before its due date the duty is listed; None: always (overdue or done late already).
    ahead: int | None = DUE_SOON_DAYS

    def shows_from(self) -> datetime.date | None:
        if self.due_on is None or self.done_on is not None or self.ahead is None:
            return None
        return self.due_on - datetime.timedelta(days=self.ahead)


def _assembly(facts: AssociationFacts) -> list[DutySpec]:
    year, due = facts.year, rules.year_end(facts.year)
    in_year = [m for m in facts.meetings if m.kind == rules.GENERAL_ASSEMBLY and m.held_on.year == year]
    if any(m.quorum_met for m in in_year):
        return []
    no_quorum = sorted(m.held_on for m in in_year)
    note = message("no_quorum_note", dates=no_quorum) if no_quorum else None
    return [
        DutySpec(
            "assembly_held",
            year,
            due,
            message("assembly_pending", year=year, due=due, note=note),
            message("assembly_missed", year=year, due=due, note=note),
        )
    ]


def _interval(facts: AssociationFacts, code: str, kinds: frozenset[str]) -> list[DutySpec]:
    """The next meeting due (or the first one missed) of the year, as `rules._meetings_at_interval` judges
    it on any day of the year: the first gap longer than the interval stays overdue; otherwise the next
    meeting is due `interval` months after the last, by 31 December at the latest."""
    interval = facts.board_interval_months
    start, end = rules.year_start(facts.year), rules.year_end(facts.year)
    held = sorted({m.held_on for m in facts.meetings if m.kind in kinds and m.quorum_met})
    held = [day for day in held if start <= day <= end]
    previous = start
    for day in held:
        due = add_months(previous, interval)
        if day > due:
            gap = message("interval_gap", since=_since(previous, start), day=day, n=interval, due=due)
            return [DutySpec(code, facts.year, due, gap, gap, ahead=None)]
        previous = day
    next_due = add_months(previous, interval)
    due = min(next_due, end)
    return [
        DutySpec(
            code,
            facts.year,
            due,
            message("interval_pending", count=len(held), due=due),
            message("interval_none_since", since=_since(previous, start), n=interval, due=next_due),
        )
    ]


def _since(day: datetime.date, start: datetime.date) -> Message:
    return message("year_start", day=day) if day == start else message("date", day=day)


def _filing(code: str, year: int, filed_on: datetime.date | None, due: datetime.date) -> list[DutySpec]:
    if filed_on is not None and filed_on <= due:
        return []
    if filed_on is not None:
        late = message("filed_late", filed=filed_on, due=due)
        return [DutySpec(code, year, due, late, late, done_on=filed_on)]
    return [DutySpec(code, year, due, message("not_filed_yet", due=due), message("not_filed", due=due))]


def _minutes(facts: AssociationFacts) -> list[DutySpec]:
    """One duty per general assembly whose minutes were not filed within 30 days."""
    out = []
    for meeting in rules.minutes_meetings(facts):
        due = rules.minutes_due(meeting.held_on)
        filed = meeting.minutes_filed_on
        if filed is not None and filed <= due:
            continue
        code = "minutes_filed_within_30_days"
        if filed is not None:
            late = message(
                "minutes_problems",
                problems=[message("minutes_late", held=meeting.held_on, filed=filed, due=due)],
            )
            out.append(DutySpec(code, facts.year, due, late, late, done_on=filed))
            continue
        missing = message(
            "minutes_problems", problems=[message("minutes_missing", held=meeting.held_on, due=due)]
        )
        out.append(
            DutySpec(
                code, facts.year, due, message("minutes_waiting", held=meeting.held_on, due=due), missing
            )
        )
    return out


def year_duties(facts: AssociationFacts) -> list[DutySpec]:
    """Every duty of one association's year, except the board's term (`term_duties`)."""
    return [
        *_assembly(facts),
        *_interval(facts, "board_meetings_at_interval", rules.BOARD_KINDS),
        *_interval(facts, "supervisory_meetings_at_interval", rules.SUPERVISORY_KINDS),
        *_filing(
            "plan_budget_filed_before_year",
            facts.year,
            facts.plan_budget_filed_on,
            rules.plan_budget_due(facts.year),
        ),
        *_filing(
            "report_accounts_filed_by_march",
            facts.year,
            facts.report_accounts_filed_on,
            rules.report_accounts_due(facts.year),
        ),
        *_minutes(facts),
    ]


def term_duties(facts: AssociationFacts) -> list[DutySpec]:
    """The board's term: to be re-elected before it ends (announced TERM_DAYS ahead), or on record at all."""
    code = "term_not_expired"
    if not facts.elections:
        missing = message("term_missing")
        return [DutySpec(code, None, None, missing, missing, ahead=None)]
    ends = rules.current_term_end(facts.elections)
    return [
        DutySpec(
            code,
            None,
            ends,
            message("term_ending", ends=ends),
            message("term_expired_open", ends=ends),
            ahead=TERM_DAYS,
        )
    ]


def window(today: datetime.date) -> dict[int, frozenset[str] | None]:
    """The years a refresh writes, with the kinds kept of each (None: every kind): enough for the list of
    today and of every day until the end of next year."""
    year = today.year
    return {
        year - 1: frozenset({"report_accounts_filed_by_march"}),
        year: None,
        year + 1: None,
        year + 2: frozenset({"plan_budget_filed_before_year"}),
    }


def specs_of(
    facts: dict[tuple[int, int], AssociationFacts], today: datetime.date
) -> dict[int, list[DutySpec]]:
    """Every association's duties for the window of `today`, from its facts of those years."""
    years = window(today)
    out: dict[int, list[DutySpec]] = {}
    for (association_id, year), year_facts in sorted(facts.items()):
        specs = out.setdefault(association_id, [])
        kinds = years[year]
        specs.extend(spec for spec in year_duties(year_facts) if kinds is None or spec.kind in kinds)
        if year == today.year:
            specs.extend(term_duties(year_facts))
    return out


@transaction.atomic
def refresh(
    *, associations: QuerySet[Association] | Iterable[int], today: datetime.date | None = None
) -> int:
    """Rewrite the duties of `associations` (a queryset or ids) from their facts; a dissolved association
    keeps none. Answers how many duties were written. Derived rows only: every duty of these associations
    is replaced, none of anything else is touched."""
    today = today or timezone.localdate()
    if not isinstance(associations, QuerySet):
        associations = Association.objects.filter(pk__in=list(associations))
    ids = associations.order_by().values("pk")
    Duty.objects.filter(association__in=ids).delete()
    facts = load_facts_of_years(associations.active(), years=window(today))
    rows = [
        Duty(
            association_id=association_id,
            year=spec.year,
            kind=spec.kind,
            due_on=spec.due_on,
            done_on=spec.done_on,
            shows_from=spec.shows_from(),
            message=spec.message,
            overdue_message=spec.overdue_message,
        )
        for association_id, specs in specs_of(facts, today).items()
        for spec in specs
    ]
    Duty.objects.bulk_create(rows, batch_size=BATCH_SIZE)
    return len(rows)
