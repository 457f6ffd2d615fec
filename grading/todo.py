"""The to-do list for township staff: what is overdue or due soon, read from the stored duties
(`grading.duties`, kept from the same facts as the rules) and filtered, grouped, counted, sorted and paginated
in the database.

The state of each item is worked out in the query from its due date against today, not stored and not taken
from the last recompute, so a due date passing shows up at once: overdue, due within WINDOW_DAYS, due later,
or done late (逾期已送: a filing or minutes sent after their deadline). A late filing still counts against the
year's status, but it is no longer anything to chase: it is not overdue and not an open to-do, and shows
only when asked for, so officers can still see who was late.

The list shows this year's duties, last year's report and next year's plan (due on 31 December), and the
board's term, each listed from DUE_SOON_DAYS before its due date (the term from 90 days before it ends).
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from html import escape

from django.db import connection
from django.db.models import Case, CharField, Max, Min, Q, QuerySet, Value, When, Window
from django.db.models.functions import Coalesce
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from associations.models import Association
from core.dates import format_roc, format_roc_year
from grading.duties import PLAN, REPORT, describe
from grading.links import Links
from grading.messages import RULE_LABELS, in_record_language, render, rule_label
from grading.models import Duty

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
#: Every kind a to-do item can come from, in the order people read the rules (no open order: it is the
#: county's order, not the association's duty).
KINDS = tuple(code for code in RULE_LABELS if code != "no_open_order")
#: Stands in for "no due date" (a term not on record) where due dates are compared: before every date.
NO_DATE = datetime.date(1, 1, 1)


@dataclass(frozen=True)
class TodoItem:
    association_id: int
    association: str
    township: str
    year: int
    kind: str
    due_on: datetime.date | None
    state: str
    #: The explanation as stored (a message code with parameters), rendered by `message`.
    text: object = None
    township_order: int = 0
    #: The association's checklist of the item's year (`_Links`).
    compliance_url: str = ""

    @property
    def label(self) -> str:
        return rule_label(self.kind)

    @property
    def message(self) -> str:
        return render(self.text)

    @property
    def overdue(self) -> bool:
        return self.state == OVERDUE

    @property
    def state_label(self) -> str:
        return str(dict(STATES)[self.state])

    def row(self) -> SafeString:
        """The item's row on the to-do page: its due date (a badge when overdue, still to be recorded or
        sent late), its year linked to the checklist, what it is and why. Built here rather than by template
        tags, and escaped as the template would (`django.utils.html.escape` is `html.escape`): a page has
        some 200 items, and the tags' per-cell cost was most of the page's time."""
        # The labels are translated outside the f-strings, where makemessages finds them.
        if self.overdue and self.due_on:
            overdue = _("已逾期")
            badge = f' <span class="badge outcome-fail">{escape(overdue)}</span>'
        elif self.overdue:
            pending = _("待補登")
            badge = f' <span class="badge outcome-pending">{escape(pending)}</span>'
        elif self.state == LATE_DONE:
            late = _("逾期已送")
            badge = f' <span class="badge">{escape(late)}</span>'
        else:
            badge = ""
        return mark_safe(  # every text in it is escaped
            f'<tr class="{escape(self.state)}"><td class="nowrap">{escape(format_roc(self.due_on) or "—")}'
            f'{badge}</td><td class="nowrap"><a href="{escape(self.compliance_url)}">'
            f"{escape(format_roc_year(self.year))}</a></td><td>{escape(self.label)}</td>"
            f"<td>{escape(self.message)}</td></tr>"
        )


@dataclass
class TodoGroup:
    """One association's block on the page: its items, earliest due first."""

    association_id: int
    association: str
    township: str
    township_order: int
    items: list[TodoItem] = field(default_factory=list)
    #: The association's page (`_Links`).
    url: str = ""

    def html(self) -> SafeString:
        """The group's block on the to-do page: a heading row (township, association linked to its page)
        and its items' rows, escaped as the template would; built here rather than by a template loop over
        some 200 items a page."""
        rows = "\n".join(item.row() for item in self.items)
        return mark_safe(  # every text in it is escaped; the rows are safe strings of `TodoItem.row`
            f'<tbody class="todo-group">\n<tr class="group"><th colspan="4" scope="rowgroup">'
            f'{escape(self.township)}\u3000<a href="{escape(self.url)}">{escape(self.association)}</a>'
            f"</th></tr>\n"
            f"{rows}\n</tbody>"
        )


@dataclass
class TodoList:
    """What the filters select: the counts for the filter's choices, and the groups as a lazy sequence that
    reads one page of them at a time (`Paginator` slices it). The counts come with the first page read
    (`GroupPages.prefetch`: one statement scans the listed duties once for both)."""

    #: The duties the list can show in the user's scope, whatever the kind and state filters.
    listed: QuerySet[Duty]
    #: Those the kind and state filters select.
    duties: QuerySet[Duty]
    today: datetime.date
    sort: str
    kind: str = ""
    state: str = ""
    _counts: tuple[dict[str, int], dict[str, int]] | None = None
    _groups: GroupPages | None = None

    @property
    def groups(self) -> GroupPages:
        if self._groups is None:
            self._groups = GroupPages(self)
        return self._groups

    @property
    def kind_counts(self) -> dict[str, int]:
        """How many items each kind has with the other filters applied (the filter shows them)."""
        return self._read_counts()[0]

    @property
    def state_counts(self) -> dict[str, int]:
        """How many items each state has with the other filters applied."""
        return self._read_counts()[1]

    def _read_counts(self) -> tuple[dict[str, int], dict[str, int]]:
        if self._counts is None:
            self._set_counts(_page_and_counts(self, offset=0, limit=0)[1])
        assert self._counts is not None
        return self._counts

    def _set_counts(self, by_kind: list[tuple[str, dict[str, int]]]) -> None:
        """The filter's counts from the per-kind, per-state counts of the listed duties."""
        kind_counts: dict[str, int] = {}
        state_counts: dict[str, int] = {}
        for row_kind, by_state in by_kind:
            for row_state, n in by_state.items():
                if not n:
                    continue
                if (row_state == self.state) if self.state else (row_state in OPEN_STATES):
                    kind_counts[row_kind] = kind_counts.get(row_kind, 0) + n
                if not self.kind or row_kind == self.kind:
                    state_counts[row_state] = state_counts.get(row_state, 0) + n
        self._counts = (kind_counts, state_counts)


def kinds() -> list[tuple[str, str]]:
    """(rule code, label) of every rule a to-do item can come from, in the order people read the rules."""
    return [(code, rule_label(code)) for code in KINDS]


def listed_duties(associations: QuerySet[Association], *, today: datetime.date) -> QuerySet[Duty]:
    """The duties the list can show today for `associations` (the user's scope, filtered), with `state`
    and `shown_year` annotated: this year's, last year's report, next year's plan and the board's term,
    each from the day it is listed."""
    year = today.year
    return (
        Duty.objects.filter(association__in=associations.order_by().values("pk"))
        .filter(
            Q(year=year) | Q(year=year - 1, kind=REPORT) | Q(year=year + 1, kind=PLAN) | Q(year__isnull=True)
        )
        .filter(Q(shows_from__isnull=True) | Q(shows_from__lte=today))
        .annotate(
            state=Case(
                When(done_on__isnull=False, then=Value(LATE_DONE)),
                When(Q(due_on__isnull=True) | Q(due_on__lt=today), then=Value(OVERDUE)),
                When(due_on__lte=today + datetime.timedelta(days=WINDOW_DAYS), then=Value(DUE_SOON)),
                default=Value(LATER),
                output_field=CharField(),
            ),
            shown_year=Coalesce("year", Value(year)),
        )
    )


def _state_filter(state: str, today: datetime.date) -> Q:
    """The rows in `state` (any open to-do when blank), as a filter on the stored columns."""
    soon = today + datetime.timedelta(days=WINDOW_DAYS)
    open_ = Q(done_on__isnull=True)
    if state == LATE_DONE:
        return Q(done_on__isnull=False)
    if state == OVERDUE:
        return open_ & (Q(due_on__isnull=True) | Q(due_on__lt=today))
    if state == DUE_SOON:
        return open_ & Q(due_on__gte=today, due_on__lte=soon)
    if state == LATER:
        return open_ & Q(due_on__gt=soon)
    return open_


def _state_sql(state: str) -> str:
    """`_state_filter` over the columns of the `listed` CTE of `_page_and_counts`, with the parameters
    %(today)s and %(soon)s (named, so each filter may use them as often as it needs)."""
    if state == LATE_DONE:
        return "l.done_on IS NOT NULL"
    if state == OVERDUE:
        return "l.done_on IS NULL AND (l.due_on IS NULL OR l.due_on < %(today)s)"
    if state == DUE_SOON:
        return "l.done_on IS NULL AND l.due_on >= %(today)s AND l.due_on <= %(soon)s"
    if state == LATER:
        return "l.done_on IS NULL AND l.due_on > %(soon)s"
    return "l.done_on IS NULL"


def todo_list(
    associations: QuerySet[Association],
    *,
    today: datetime.date,
    kind: str = "",
    state: str = "",
    sort: str = "due",
) -> TodoList:
    """The items of `associations` of `kind` (any when blank) and in `state` (any open to-do when blank),
    grouped by association, the groups ordered by `sort` (see SORTS). Reads nothing yet: the first page
    of groups and the filter's counts are read together, in one statement (`GroupPages.prefetch`)."""
    listed = listed_duties(associations, today=today)
    selected = listed.filter(_state_filter(state, today))
    if kind:
        selected = selected.filter(kind=kind)
    return TodoList(
        listed=listed,
        duties=selected,
        today=today,
        sort=sort if sort in dict(SORTS) else "due",
        kind=kind,
        state=state,
    )


_TOWNSHIP_ORDER = "association__township__sort_order"
_GROUP_ORDER = {
    "due": "g.first_due, t.sort_order, t.name, a.name, g.association_id",
    "-due": "g.last_due DESC, t.name DESC, a.name DESC, g.association_id DESC",
    "township": "t.sort_order, t.name, a.name, g.association_id",
}


def _due_or_min() -> Coalesce:
    return Coalesce("due_on", Value(NO_DATE))


GroupRow = tuple[int, str, str, int]


def _page_and_counts(
    todo: TodoList, *, offset: int, limit: int
) -> tuple[list[GroupRow], list[tuple[str, dict[str, int]]], int]:
    """One page of groups ((association id, name, township, township order), ordered by the list's sort),
    the number of listed duties of each kind in each state, and the number of groups, in one statement
    that reads the listed duties once (a CTE both the counts and the groups are taken from: reading them
    in two queries looked each association's duties up twice). The duties are grouped by association
    first and only the page's groups joined to their names, which keeps a county of 10,000 associations
    fast."""
    inner, inner_params = (
        todo.listed.order_by().values("association_id", "kind", "due_on", "done_on").query.sql_with_params()
    )
    ops = connection.ops
    association, township = (
        Association._meta.db_table,
        Association._meta.get_field("township").related_model._meta.db_table,
    )
    states = [value for value, _label in STATES]
    # The statement's own parameters are named; the inner query's are positional (%s), so they are
    # passed by name too, as its placeholders are renamed.
    named: dict[str, object] = {f"p{i}": value for i, value in enumerate(inner_params)}
    positions = iter(range(len(inner_params)))
    inner = re.sub(r"%%|%s", lambda m: m[0] if m[0] == "%%" else f"%(p{next(positions)})s", inner)
    named |= {
        "today": ops.adapt_datefield_value(todo.today),
        "soon": ops.adapt_datefield_value(todo.today + datetime.timedelta(days=WINDOW_DAYS)),
        "no_date": ops.adapt_datefield_value(NO_DATE),
        "kind": todo.kind,
        "limit": limit,
        "offset": offset,
    }
    selected = _state_sql(todo.state) + (" AND l.kind = %(kind)s" if todo.kind else "")
    counts = ", ".join(f"SUM(CASE WHEN {_state_sql(name)} THEN 1 ELSE 0 END)" for name in states)
    placeholders = ", ".join("NULL" for _name in states)
    sql = (
        f"WITH listed AS ({inner}), "
        f"g AS (SELECT l.association_id, MIN(COALESCE(l.due_on, %(no_date)s)) AS first_due, "
        f"MAX(COALESCE(l.due_on, %(no_date)s)) AS last_due FROM listed l WHERE {selected} "
        f"GROUP BY l.association_id), "
        f"page AS (SELECT g.association_id, a.name AS association, t.name AS township, t.sort_order, "
        f"ROW_NUMBER() OVER (ORDER BY {_GROUP_ORDER[todo.sort]}) AS n FROM g "
        f"INNER JOIN {ops.quote_name(association)} a ON a.id = g.association_id "
        f"INNER JOIN {ops.quote_name(township)} t ON t.id = a.township_id "
        f"ORDER BY n LIMIT %(limit)s OFFSET %(offset)s) "
        f"SELECT 'g', association_id, association, township, sort_order, n, {placeholders} FROM page "
        f"UNION ALL SELECT 'k', NULL, l.kind, NULL, NULL, NULL, {counts} FROM listed l GROUP BY l.kind "
        f"UNION ALL SELECT 'n', NULL, NULL, NULL, NULL, (SELECT COUNT(*) FROM g), {placeholders}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, named)
        rows = cursor.fetchall()
    groups = sorted((row for row in rows if row[0] == "g"), key=lambda row: row[5])
    by_kind = [
        (row[2], dict(zip(states, (int(n or 0) for n in row[6:]), strict=True)))
        for row in rows
        if row[0] == "k"
    ]
    total = next(int(row[5]) for row in rows if row[0] == "n")
    return [(row[1], row[2], row[3], row[4]) for row in groups], by_kind, total


class _Links:
    """The page's links to each association and its checklists (`grading.links`)."""

    def __init__(self) -> None:
        self._detail = Links("associations:detail", "pk")
        self._checklist = Links("associations:compliance", "pk", "year")

    def association(self, pk: int) -> str:
        return self._detail.url(pk)

    def checklist(self, pk: int, year: int) -> str:
        return self._checklist.url(pk, year)


class GroupPages:
    """The groups as `Paginator` sees them: `len` is the number of groups, a slice reads that page's groups
    and their items (two queries; the first also counts the groups and the filter's choices)."""

    def __init__(self, todo: TodoList) -> None:
        self.todo = todo
        self._count: int | None = None
        self._pages: dict[tuple[int, int], list[TodoGroup]] = {}

    def prefetch(self, number: object, per_page: int) -> None:
        """Read the page `number` would show (and the counts with it), so that Paginator's count and slice
        and the filter's counts cost no query of their own. An invalid or out-of-range number falls back
        as `get_page` does."""
        try:
            page = max(1, int(str(number)))
        except (TypeError, ValueError):
            page = 1
        offset = (page - 1) * per_page
        groups = self._read(offset, per_page)
        if not groups and page > 1:
            last = max(1, -(-len(self) // per_page))
            self._read((last - 1) * per_page, per_page)

    def _read(self, offset: int, limit: int) -> list[TodoGroup]:
        rows, by_kind, total = _page_and_counts(self.todo, offset=offset, limit=limit)
        self._count = total
        if self.todo._counts is None:
            self.todo._set_counts(by_kind)
        links = _Links()
        groups = [
            TodoGroup(pk, name, township, order, url=links.association(pk))
            for pk, name, township, order in rows
        ]
        by_id = {group.association_id: group for group in groups}
        if by_id:
            for item in _items(self.todo.duties.filter(association_id__in=list(by_id)), links=links):
                by_id[item.association_id].items.append(item)
        self._pages[(offset, limit)] = groups
        return groups

    def __len__(self) -> int:
        if self._count is None:
            self._count = self.todo.duties.values("association_id").distinct().count()
        return self._count

    def __getitem__(self, index: slice) -> list[TodoGroup]:
        if not isinstance(index, slice):
            raise TypeError("GroupPages is read by slices")
        offset = index.start or 0
        limit = (index.stop if index.stop is not None else len(self)) - offset
        if (offset, limit) in self._pages:
            return self._pages[(offset, limit)]
        if (found := next((g for (o, _n), g in self._pages.items() if o == offset), None)) is not None:
            return found[:limit]
        return self._read(offset, limit)


_KIND_ORDER = Case(
    *(When(kind=code, then=Value(i)) for i, code in enumerate(KINDS)), default=Value(len(KINDS))
)
_ITEM_FIELDS = (
    "association_id",
    "association__name",
    "association__township__name",
    _TOWNSHIP_ORDER,
    "shown_year",
    "kind",
    "due_on",
    "state",
    "done_on",
    "params",
)


def _items(
    duties: QuerySet[Duty], order: Iterable[object] = (), *, links: _Links | None = None
) -> Iterator[TodoItem]:
    rows = (
        duties.annotate(kind_order=_KIND_ORDER)
        .order_by(*order, "association_id", _due_or_min(), "kind_order", "pk")
        .values_list(*_ITEM_FIELDS)
    )
    for row in rows.iterator(chunk_size=2000):
        association_id, name, township, township_order, year, kind, due_on, state, done_on, params = row
        text = describe(
            kind=kind,
            overdue=state == OVERDUE,
            year=year,
            due_on=due_on,
            done_on=done_on,
            params=params or {},
        )
        yield TodoItem(
            association_id=association_id,
            association=name,
            township=township,
            year=year,
            kind=kind,
            due_on=due_on,
            state=state,
            text=text,
            township_order=township_order,
            compliance_url=links.checklist(association_id, year) if links else "",
        )


def export_headers() -> list[str]:
    with in_record_language():
        return [_("鄉鎮市區"), _("協會名稱"), _("年度"), _("事項"), _("狀態"), _("期限"), _("說明")]


def export_rows(todo: TodoList) -> Iterator[list[str]]:
    """Every item `todo` selects, in the order the page shows them (every page), in `export_headers()`
    order and in the portal's own language: one query, read in chunks, however many there are."""
    partition = {"partition_by": ["association_id"]}
    if todo.sort == "township":
        order: list[object] = [_TOWNSHIP_ORDER, "association__township__name", "association__name"]
        duties = todo.duties
    elif todo.sort == "-due":
        duties = todo.duties.annotate(group_due=Window(Max(_due_or_min()), **partition))
        order = ["-group_due", "-association__township__name", "-association__name"]
    else:
        duties = todo.duties.annotate(group_due=Window(Min(_due_or_min()), **partition))
        order = ["group_due", _TOWNSHIP_ORDER, "association__township__name", "association__name"]
    for item in _items(duties, order):
        # The language is switched per row: a generator holding it between rows would lend it to its caller.
        with in_record_language():
            row = [
                item.township,
                item.association,
                format_roc_year(item.year),
                item.label,
                item.state_label,
                format_roc(item.due_on),
                item.message,
            ]
        yield row
