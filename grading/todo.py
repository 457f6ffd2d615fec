"""The to-do list for township staff: what is overdue or due soon, derived from the same rules as the
status, evaluated today (not as of the last recompute), so a due date passing shows up at once.

Each item has a kind (the rule it comes from) and a state: overdue, due within WINDOW_DAYS, due later, or
done late (逾期已送: a filing or minutes sent after their deadline). A late filing still counts against the
year's status, but it is no longer anything to chase: it is not overdue and not an open to-do, and shows
only when asked for, so officers can still see who was late."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from associations.models import Association, YearlyFiling
from core.dates import format_roc, format_roc_year
from grading import rules
from grading.facts import load_facts
from grading.rules import AssociationFacts, RuleResult

#: A pending duty shows once its due date is this close.
DUE_SOON_DAYS = 60
#: "Due soon" in the due-window filter: within this many days from today.
WINDOW_DAYS = 30

OVERDUE = "overdue"
DUE_SOON = "due_soon"
LATER = "later"
LATE_DONE = "late_done"
#: The states an item can be in, in the order the filter offers them; all but LATE_DONE are open to-dos.
STATES = (
    (OVERDUE, gettext_lazy("已逾期")),
    (DUE_SOON, gettext_lazy("30 日內到期")),
    (LATER, gettext_lazy("30 日後到期")),
    (LATE_DONE, gettext_lazy("逾期已送")),
)
OPEN_STATES = frozenset({OVERDUE, DUE_SOON, LATER})
#: How the associations' blocks may be ordered.
SORTS = (
    ("due", gettext_lazy("期限由近到遠")),
    ("-due", gettext_lazy("期限由遠到近")),
    ("township", gettext_lazy("依鄉鎮市區及協會")),
)
_FILINGS = {
    "plan_budget_filed_before_year": "plan_budget_filed_on",
    "report_accounts_filed_by_march": "report_accounts_filed_on",
}
_TODO_RULES = tuple(rule for rule in rules.RULES if rule is not rules.no_open_order)


@dataclass(frozen=True)
class TodoItem:
    association_id: int
    association: str
    township: str
    year: int
    label: str
    message: str
    due_on: datetime.date | None
    state: str
    kind: str = ""
    township_order: int = 0

    @property
    def overdue(self) -> bool:
        return self.state == OVERDUE

    @property
    def state_label(self) -> str:
        return str(dict(STATES)[self.state])


@dataclass
class TodoGroup:
    """One association's block on the page: its items, earliest due first."""

    association_id: int
    association: str
    township: str
    township_order: int
    items: list[TodoItem] = field(default_factory=list)

    def first_due(self) -> datetime.date:
        return min((i.due_on or datetime.date.min for i in self.items), default=datetime.date.min)

    def last_due(self) -> datetime.date:
        return max((i.due_on or datetime.date.min for i in self.items), default=datetime.date.min)


@dataclass
class TodoList:
    groups: list[TodoGroup]
    #: How many items each kind / state has with the other filters applied (the filter shows them).
    kind_counts: dict[str, int]
    state_counts: dict[str, int]

    @property
    def item_count(self) -> int:
        return sum(len(group.items) for group in self.groups)


def kinds() -> list[tuple[str, str]]:
    """(rule code, label) of every rule a to-do item can come from, in the order people read the rules."""
    blank = AssociationFacts(association_id=0, year=2000)
    return [
        (result.code, result.label)
        for result in (rule(blank, datetime.date(2000, 1, 1)) for rule in _TODO_RULES)
    ]


def _wanted(result: RuleResult, today: datetime.date) -> bool:
    if result.outcome == rules.FAIL:
        return True
    if result.outcome != rules.PENDING:
        return False
    if result.code == "term_not_expired":
        return True  # the rule itself only warns within its own window
    return result.due_on is not None and result.due_on <= today + datetime.timedelta(days=DUE_SOON_DAYS)


def _done_late(result: RuleResult, facts: AssociationFacts, today: datetime.date) -> bool:
    """A failed filing rule whose document has been sent (after its deadline), or a failed minutes rule
    with no minutes still missing past their due date."""
    if result.code in _FILINGS:
        return getattr(facts, _FILINGS[result.code]) is not None
    if result.code == "minutes_filed_within_30_days":
        return not any(
            m.minutes_filed_on is None and rules.minutes_due(m.held_on) < today
            for m in facts.meetings
            if m.kind in rules.MINUTES_RULE_KINDS and m.held_on.year == facts.year
        )
    return False


def _state(result: RuleResult, facts: AssociationFacts, today: datetime.date) -> str:
    if result.outcome == rules.FAIL:
        return LATE_DONE if _done_late(result, facts, today) else OVERDUE
    if result.due_on is not None and result.due_on > today + datetime.timedelta(days=WINDOW_DAYS):
        return LATER
    return DUE_SOON


def todo_items(associations: QuerySet[Association], *, today: datetime.date) -> list[TodoItem]:
    """Overdue, soon-due and late-done duties of `associations`, earliest due first (six queries in all)."""
    year = today.year
    names = {
        pk: (name, township, order)
        for pk, name, township, order in associations.order_by().values_list(
            "pk", "name", "township__name", "township__sort_order"
        )
    }
    current = load_facts(associations, year=year)
    filings = {
        (association_id, filing_year): (plan, report)
        for association_id, filing_year, plan, report in YearlyFiling.objects.filter(
            association__in=associations.order_by().values("pk"), year__in=[year - 1, year + 1]
        ).values_list("association_id", "year", "plan_budget_filed_on", "report_accounts_filed_on")
    }
    items: list[TodoItem] = []
    for association_id, facts in current.items():
        results = [(facts, rule(facts, today)) for rule in _TODO_RULES]
        last_year = AssociationFacts(association_id=association_id, year=year - 1)
        last_year.report_accounts_filed_on = filings.get((association_id, year - 1), (None, None))[1]
        results.append((last_year, rules.report_accounts_filed_by_march(last_year, today)))
        next_year = AssociationFacts(association_id=association_id, year=year + 1)
        next_year.plan_budget_filed_on = filings.get((association_id, year + 1), (None, None))[0]
        results.append((next_year, rules.plan_budget_filed_before_year(next_year, today)))
        name, township, order = names[association_id]
        items.extend(
            TodoItem(
                association_id=association_id,
                association=name,
                township=township,
                year=result_facts.year,
                label=result.label,
                message=result.message,
                due_on=result.due_on,
                state=_state(result, result_facts, today),
                kind=result.code,
                township_order=order,
            )
            for result_facts, result in results
            if _wanted(result, today)
        )
    items.sort(key=lambda i: (i.due_on or datetime.date.min, i.township, i.association, i.label))
    return items


def todo_list(items: Iterable[TodoItem], *, kind: str = "", state: str = "", sort: str = "due") -> TodoList:
    """The items a page shows: of `kind` (any when blank) and in `state` (any open to-do when blank),
    grouped by association and the groups ordered by `sort` (see SORTS)."""
    items = list(items)

    def in_state(item: TodoItem) -> bool:
        return item.state == state if state else item.state in OPEN_STATES

    def of_kind(item: TodoItem) -> bool:
        return not kind or item.kind == kind

    kind_counts: dict[str, int] = {}
    state_counts: dict[str, int] = {}
    for item in items:
        if in_state(item):
            kind_counts[item.kind] = kind_counts.get(item.kind, 0) + 1
        if of_kind(item):
            state_counts[item.state] = state_counts.get(item.state, 0) + 1
    groups: dict[int, TodoGroup] = {}
    for item in items:
        if in_state(item) and of_kind(item):
            group = groups.get(item.association_id)
            if group is None:
                group = groups[item.association_id] = TodoGroup(
                    item.association_id, item.association, item.township, item.township_order
                )
            group.items.append(item)
    ordered = list(groups.values())
    if sort == "township":
        ordered.sort(key=lambda g: (g.township_order, g.township, g.association, g.association_id))
    elif sort == "-due":
        ordered.sort(key=lambda g: (g.last_due(), g.township, g.association), reverse=True)
    else:
        ordered.sort(key=lambda g: (g.first_due(), g.township_order, g.township, g.association))
    return TodoList(groups=ordered, kind_counts=kind_counts, state_counts=state_counts)


def export_headers() -> list[str]:
    return [_("鄉鎮市區"), _("協會名稱"), _("年度"), _("事項"), _("狀態"), _("期限"), _("說明")]


def export_rows(todo: TodoList) -> Iterable[list[str]]:
    """The rows of `todo` in the order the page shows them (every page), in `export_headers()` order."""
    for group in todo.groups:
        for item in group.items:
            yield [
                group.township,
                group.association,
                format_roc_year(item.year),
                item.label,
                item.state_label,
                format_roc(item.due_on),
                item.message,
            ]
