"""The to-do list's stored judgments: each association's duties (`grading.models.Duty`), derived from the same
facts and dates as the rules in `grading.rules`, written whenever the facts change or a year is recomputed.

A duty holds no state and no today: its due date, the day it was done when that was late, the day from which
it is listed, and the few facts its explanation needs (`describe` makes the text when shown). The to-do list
(`grading.todo`) works out the state in its query against today, which is what keeps the property the list
was built for: a due date passing shows at once, without anyone recomputing.

`refresh(associations)` rewrites every duty of those associations for the years the list can show before
another refresh: last year's report, this year's and next year's duties and the year after's plan (so the list
stays right through one turn of the year even if nothing is recomputed; `manage.py refresh_duties`, run from
cron on 1 January, moves the window on). It is called from `grading.judge` (every change of facts or of the
roster) and, for the recomputed year, after a county's recompute.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from associations.models import Association
from core.dates import add_months
from grading import rules
from grading.facts import associations_of, load_facts_of_years
from grading.messages import Message, message
from grading.models import Duty
from grading.rules import AssociationFacts, ElectionFact

#: A duty not yet due is listed once its due date is this close...
DUE_SOON_DAYS = 60
#: ...except the board's term, whose end is announced this far ahead (the rule's own warning window).
TERM_DAYS = rules.TERM_WARNING_DAYS
BATCH_SIZE = 2000
#: Associations per INSERT on PostgreSQL (their duties are a dozen each, fewer when they share facts).
TEMPLATE_BATCH = 20_000


ASSEMBLY = "assembly_held"
BOARD = "board_meetings_at_interval"
SUPERVISORY = "supervisory_meetings_at_interval"
PLAN = "plan_budget_filed_before_year"
REPORT = "report_accounts_filed_by_march"
MINUTES = "minutes_filed_within_30_days"
TERM = "term_not_expired"


@dataclass(frozen=True)
class DutySpec:
    kind: str
    year: int | None
    due_on: datetime.date | None
    done_on: datetime.date | None = None
    #: How many days before its due date the duty is listed; None: always (overdue or done late already).
    ahead: int | None = DUE_SOON_DAYS
    #: What `describe` needs beyond the kind, year and dates (JSON).
    params: dict[str, object] | None = None

    def shows_from(self) -> datetime.date | None:
        if self.due_on is None or self.done_on is not None or self.ahead is None:
            return None
        return self.due_on - datetime.timedelta(days=self.ahead)


def _assembly(facts: AssociationFacts) -> list[DutySpec]:
    in_year = [m for m in facts.meetings if m.kind == rules.GENERAL_ASSEMBLY and m.held_on.year == facts.year]
    if any(m.quorum_met for m in in_year):
        return []
    no_quorum = sorted({m.held_on.isoformat() for m in in_year})
    return [
        DutySpec(
            ASSEMBLY,
            facts.year,
            rules.year_end(facts.year),
            params={"no_quorum": no_quorum} if no_quorum else None,
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
            params = {"n": interval, "since": previous.isoformat(), "day": day.isoformat()}
            return [DutySpec(code, facts.year, due, ahead=None, params=params)]
        previous = day
    next_due = add_months(previous, interval)
    params = {
        "n": interval,
        "since": previous.isoformat(),
        "count": len(held),
        "next_due": next_due.isoformat(),
    }
    return [DutySpec(code, facts.year, min(next_due, end), params=params)]


def _filing(code: str, year: int, filed_on: datetime.date | None, due: datetime.date) -> list[DutySpec]:
    if filed_on is not None and filed_on <= due:
        return []
    return [DutySpec(code, year, due, done_on=filed_on)]


def _minutes(facts: AssociationFacts) -> list[DutySpec]:
    """One duty per general assembly whose minutes were not filed within 30 days (the meeting is the due
    date less 30 days)."""
    out = []
    for meeting in rules.minutes_meetings(facts):
        due = rules.minutes_due(meeting.held_on)
        filed = meeting.minutes_filed_on
        if filed is None or filed > due:
            out.append(DutySpec(MINUTES, facts.year, due, done_on=filed))
    return out


def year_duties(facts: AssociationFacts) -> list[DutySpec]:
    """Every duty of one association's year, except the board's term (`term_duties`)."""
    year = facts.year
    return [
        *_assembly(facts),
        *_interval(facts, BOARD, rules.BOARD_KINDS),
        *_interval(facts, SUPERVISORY, rules.SUPERVISORY_KINDS),
        *_filing(PLAN, year, facts.plan_budget_filed_on, rules.plan_budget_due(year)),
        *_filing(REPORT, year, facts.report_accounts_filed_on, rules.report_accounts_due(year)),
        *_minutes(facts),
    ]


def term_duties(facts: AssociationFacts) -> list[DutySpec]:
    """The board's term: to be re-elected before it ends (announced TERM_DAYS ahead), or on record at all."""
    if not facts.elections:
        return [DutySpec(TERM, None, None, ahead=None)]
    return [DutySpec(TERM, None, rules.current_term_end(facts.elections), ahead=TERM_DAYS)]


def describe(
    *,
    kind: str,
    overdue: bool,
    year: int,
    due_on: datetime.date | None,
    done_on: datetime.date | None,
    params: dict[str, object],
) -> Message:
    """A duty's explanation for its state of the day, in the rules' own sentences (`grading.messages`):
    what is due and by when, or, once `overdue`, what was missed; done late, when it was done."""
    due = due_on
    if kind == ASSEMBLY:
        dates = params.get("no_quorum")
        note = message("no_quorum_note", dates=dates) if dates else None
        return message("assembly_missed" if overdue else "assembly_pending", year=year, due=due, note=note)
    if kind in (BOARD, SUPERVISORY):
        start = rules.year_start(year)
        since_day = datetime.date.fromisoformat(str(params["since"]))
        since = message("year_start", day=since_day) if since_day == start else message("date", day=since_day)
        n = params["n"]
        if "day" in params:
            return message("interval_gap", since=since, day=params["day"], n=n, due=due)
        if overdue:
            return message("interval_none_since", since=since, n=n, due=params["next_due"])
        return message("interval_pending", count=params["count"], due=due)
    if kind in (PLAN, REPORT):
        if done_on is not None:
            return message("filed_late", filed=done_on, due=due)
        return message("not_filed" if overdue else "not_filed_yet", due=due)
    if kind == MINUTES:
        held = due - datetime.timedelta(days=rules.MINUTES_DAYS) if due else None
        if done_on is not None:
            return message(
                "minutes_problems", problems=[message("minutes_late", held=held, filed=done_on, due=due)]
            )
        if overdue:
            return message("minutes_problems", problems=[message("minutes_missing", held=held, due=due)])
        return message("minutes_waiting", held=held, due=due)
    if kind == TERM:
        if due is None:
            return message("term_missing")
        return message("term_expired_open" if overdue else "term_ending", ends=due)
    return message("text", text="")


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


#: The duties that read no meeting: only the year and its filing dates.
_FILINGS = frozenset({PLAN, REPORT})


def _late(filed_on: datetime.date | None, due: datetime.date) -> datetime.date | bool | None:
    """What `_filing` reads of a filing: True if in time, else its date (None: not filed)."""
    return True if filed_on is not None and filed_on <= due else filed_on


def _year_key(facts: AssociationFacts, kinds: frozenset[str] | None = None) -> tuple[object, ...]:
    """Everything `year_duties` reads of the duties of `kinds` (None: every kind): two associations' years
    with equal keys have equal duties. A year of which only filings are kept (the year before today's, in a
    recompute of it) reads no meeting and of a filing only whether it came in time and, if not, when (if
    at all): most associations share one key and their duties are worked out once."""
    if kinds is not None and kinds <= _FILINGS:
        year = facts.year
        return (
            year,
            _late(facts.plan_budget_filed_on, rules.plan_budget_due(year)),
            _late(facts.report_accounts_filed_on, rules.report_accounts_due(year)),
        )
    return (
        facts.year,
        facts.board_interval_months,
        tuple(facts.meetings),
        facts.plan_budget_filed_on,
        facts.report_accounts_filed_on,
    )


def specs_of(
    facts: dict[tuple[int, int], AssociationFacts], years: dict[int, frozenset[str] | None]
) -> dict[int, list[DutySpec]]:
    """Every association's duties of `years` (a part of `window`), and its term, from its facts."""
    return {
        association_id: [spec for part in parts for spec in part]
        for association_id, (_key, parts) in _templates(facts, years).items()
    }


def _templates(
    facts: dict[tuple[int, int], AssociationFacts], years: dict[int, frozenset[str] | None]
) -> dict[int, tuple[tuple[object, ...], list[list[DutySpec]]]]:
    """Each association's duties as (key, parts): its term's, then each year's, in year order. The duties
    of a year (or a term) are worked out once for all the associations whose facts of it are the same (every
    new association of an import has none), and two associations with the same key have the same duties."""
    terms: dict[tuple[ElectionFact, ...], list[DutySpec]] = {}
    of_years: dict[tuple[object, ...], list[DutySpec]] = {}
    out: dict[int, tuple[list[object], list[list[DutySpec]]]] = {}
    for (association_id, year), year_facts in sorted(facts.items()):
        found = out.get(association_id)
        if found is None:  # the elections are no one year's
            elections = tuple(year_facts.elections)
            if (term := terms.get(elections)) is None:
                term = terms[elections] = term_duties(year_facts)
            found = out[association_id] = ([elections], [term])
        kinds = years[year]
        key = (kinds, *_year_key(year_facts, kinds))
        if (specs := of_years.get(key)) is None:
            every = year_duties(year_facts) if kinds != frozenset() else []
            specs = of_years[key] = [spec for spec in every if kinds is None or spec.kind in kinds]
        found[0].append(key)
        found[1].append(specs)
    return {association_id: (tuple(key), parts) for association_id, (key, parts) in out.items()}


def _row(spec: DutySpec) -> tuple[object, ...]:
    """A duty as compared with the stored one: its columns, the parameters as canonical JSON."""
    params = json.dumps(spec.params, sort_keys=True) if spec.params else ""
    return (spec.year, spec.kind, spec.due_on, spec.done_on, spec.shows_from(), params)


@transaction.atomic
def refresh(
    *,
    associations: QuerySet[Association] | Iterable[int],
    today: datetime.date | None = None,
    years: Iterable[int] | None = None,
    facts: dict[tuple[int, int], AssociationFacts] | None = None,
) -> int:
    """Rewrite the duties of `associations` (a queryset or ids) from their facts: of every year of the
    window (and none outside it), or of those of `years` in it; the term always. A dissolved association
    keeps none. `facts` are the active associations' facts of those years when the caller has them already
    (a recompute): keyed as `load_facts_of_years` keys them, of `years` when none of them is in the window.
    Answers how many duties the associations have now.

    Derived rows only, and only those that differ are rewritten: an association whose duties are what its
    facts make keeps its rows untouched (a recompute of an unchanged year writes nothing); one whose duties
    differ has its rows of those years replaced."""
    today = today or timezone.localdate()
    if not isinstance(associations, QuerySet):
        associations = associations_of(associations)
    whole = window(today)
    years = None if years is None else list(years)
    chosen = whole if years is None else {year: whole[year] for year in years if year in whole}
    if not chosen:  # a year the list cannot show: its facts may still have changed the term (an election)
        chosen = {(years[0] if facts is not None and years else today.year): frozenset()}
    if facts is None:
        facts = load_facts_of_years(associations.active(), years=chosen)
    templates = _templates(facts, chosen)

    stored = Duty.objects.filter(association__in=associations.order_by().values("pk"))
    if years is not None:
        rewritten = [year for year, kinds in chosen.items() if kinds != frozenset()]
        stored = stored.filter(Q(year__in=rewritten) | Q(year__isnull=True))
    existing: dict[int, list[tuple[object, ...]]] = {}
    for association_id, *row, params in stored.order_by().values_list(
        "association_id", "year", "kind", "due_on", "done_on", "shows_from", "params"
    ):
        existing.setdefault(association_id, []).append(
            (*row, json.dumps(params, sort_keys=True) if params else "")
        )

    compared: dict[tuple[object, ...], list[tuple[object, ...]]] = {}  # per key, its duties as rows, sorted
    stale: list[int] = [pk for pk in existing if pk not in templates]  # dissolved: keeps none
    written: list[tuple[int, tuple[object, ...], list[list[DutySpec]]]] = []
    total = 0
    for association_id, (key, parts) in templates.items():
        total += sum(len(part) for part in parts)
        rows = existing.get(association_id)
        if rows is not None:
            if (wanted := compared.get(key)) is None:
                wanted = compared[key] = sorted((_row(s) for part in parts for s in part), key=repr)
            if sorted(rows, key=repr) == wanted:
                continue
            stale.append(association_id)
        written.append((association_id, key, parts))
    for start in range(0, len(stale), BATCH_SIZE):
        stored.filter(association_id__in=stale[start : start + BATCH_SIZE]).delete()
    _insert(written)
    return total


def _insert(written: list[tuple[int, tuple[object, ...], list[list[DutySpec]]]]) -> None:
    """Insert the duties of (association id, key, parts). On PostgreSQL one INSERT … SELECT per batch that
    joins the associations (id, template number) to the templates' duties, both sent as arrays
    (`unnest`): the duties of the associations sharing facts go once, not once per association, and no
    model is built per row (Django's bulk_create of a new roster's 130,000 duties was most of its import)."""
    if not written:
        return
    if connection.vendor != "postgresql":
        Duty.objects.bulk_create(
            [
                Duty(
                    association_id=association_id,
                    year=spec.year,
                    kind=spec.kind,
                    due_on=spec.due_on,
                    done_on=spec.done_on,
                    shows_from=spec.shows_from(),
                    params=spec.params or {},
                )
                for association_id, _key, parts in written
                for part in parts
                for spec in part
            ],
            batch_size=BATCH_SIZE,
        )
        return
    sql = f"""
        INSERT INTO {Duty._meta.db_table} (association_id, year, kind, due_on, done_on, shows_from, params)
        SELECT a.association_id, t.year, t.kind, t.due_on, t.done_on, t.shows_from, t.params::jsonb
        FROM unnest(%s::bigint[], %s::integer[]) WITH ORDINALITY AS a(association_id, template, n)
        JOIN unnest(%s::integer[], %s::smallint[], %s::text[], %s::date[], %s::date[], %s::date[],
                    %s::text[]) WITH ORDINALITY
            AS t(template, year, kind, due_on, done_on, shows_from, params, m)
            ON t.template = a.template
        ORDER BY a.n, t.m
    """
    with connection.cursor() as cursor:
        for start in range(0, len(written), TEMPLATE_BATCH):
            batch = written[start : start + TEMPLATE_BATCH]
            numbers: dict[tuple[object, ...], int] = {}
            association_ids, template_numbers = [], []
            columns: tuple[list[object], ...] = ([], [], [], [], [], [], [])
            for association_id, key, parts in batch:
                number = numbers.get(key)
                if number is None:
                    number = numbers[key] = len(numbers)
                    for part in parts:
                        for spec in part:
                            for column, value in zip(
                                columns,
                                (
                                    number,
                                    spec.year,
                                    spec.kind,
                                    spec.due_on,
                                    spec.done_on,
                                    spec.shows_from(),
                                    json.dumps(spec.params or {}, ensure_ascii=False),
                                ),
                                strict=True,
                            ):
                                column.append(value)
                association_ids.append(association_id)
                template_numbers.append(number)
            cursor.execute(sql, [association_ids, template_numbers, *columns])
