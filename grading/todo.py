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
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from html import escape

from django.db import connection
from django.db.models import Case, CharField, Count, Max, Min, Q, QuerySet, Value, When, Window
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


@dataclass
class TodoList:
    """What the filters select: the counts for the filter's choices, and the groups as a lazy sequence that
    reads one page of them at a time (`Paginator` slices it)."""

    duties: QuerySet[Duty]
    today: datetime.date
    sort: str
    #: How many items each kind / state has with the other filters applied (the filter shows them).
    kind_counts: dict[str, int]
    state_counts: dict[str, int]

    @property
    def groups(self) -> GroupPages:
        return GroupPages(self)


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


def todo_list(
    associations: QuerySet[Association],
    *,
    today: datetime.date,
    kind: str = "",
    state: str = "",
    sort: str = "due",
) -> TodoList:
    """The items of `associations` of `kind` (any when blank) and in `state` (any open to-do when blank),
    grouped by association, the groups ordered by `sort` (see SORTS). Counts the filter's choices in one
    query; the groups are read a page at a time."""
    listed = listed_duties(associations, today=today)
    kind_counts: dict[str, int] = {}
    state_counts: dict[str, int] = {}
    states = [value for value, _label in STATES]
    by_kind = (
        listed.order_by()
        .values("kind")
        .annotate(**{name: Count("pk", filter=_state_filter(name, today)) for name in states})
    )
    for row in by_kind:
        for row_state in states:
            n = row[row_state]
            if not n:
                continue
            if (row_state == state) if state else (row_state in OPEN_STATES):
                kind_counts[row["kind"]] = kind_counts.get(row["kind"], 0) + n
            if not kind or row["kind"] == kind:
                state_counts[row_state] = state_counts.get(row_state, 0) + n
    selected = listed.filter(_state_filter(state, today))
    if kind:
        selected = selected.filter(kind=kind)
    return TodoList(
        duties=selected,
        today=today,
        sort=sort if sort in dict(SORTS) else "due",
        kind_counts=kind_counts,
        state_counts=state_counts,
    )


_TOWNSHIP_ORDER = "association__township__sort_order"
_GROUP_ORDER = {
    "due": "g.first_due, t.sort_order, t.name, a.name, g.association_id",
    "-due": "g.last_due DESC, t.name DESC, a.name DESC, g.association_id DESC",
    "township": "t.sort_order, t.name, a.name, g.association_id",
}


def _due_or_min() -> Coalesce:
    return Coalesce("due_on", Value(NO_DATE))


def _group_rows(
    duties: QuerySet[Duty], sort: str, *, offset: int, limit: int
) -> list[tuple[int, str, str, int, int]]:
    """One page of groups: (association id, name, township, township order, number of groups), ordered by
    `sort`. The duties are grouped by association first and only the groups joined to their names (one
    row per association, not one per duty), which is what keeps a county of 10,000 associations fast; the
    number of groups comes with the page (a window over the groups), not from a count query of its own."""
    groups = (
        duties.order_by()
        .values("association_id")
        .annotate(first_due=Min(_due_or_min()), last_due=Max(_due_or_min()))
    )
    inner, params = groups.query.sql_with_params()
    association, township = (
        Association._meta.db_table,
        Association._meta.get_field("township").related_model._meta.db_table,
    )
    sql = (
        f"SELECT g.association_id, a.name, t.name, t.sort_order, COUNT(*) OVER () "
        f"FROM ({inner}) g "
        f"INNER JOIN {connection.ops.quote_name(association)} a ON a.id = g.association_id "
        f"INNER JOIN {connection.ops.quote_name(township)} t ON t.id = a.township_id "
        f"ORDER BY {_GROUP_ORDER[sort]} LIMIT %s OFFSET %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, limit, offset])
        return [tuple(row) for row in cursor.fetchall()]


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
    and their items (two queries; the first also counts the groups)."""

    def __init__(self, todo: TodoList) -> None:
        self.todo = todo
        self._count: int | None = None
        self._pages: dict[tuple[int, int], list[TodoGroup]] = {}

    def prefetch(self, number: object, per_page: int) -> None:
        """Read the page `number` would show (and the count with it), so that Paginator's count and slice
        cost no query of their own. An invalid or out-of-range number falls back as `get_page` does."""
        try:
            page = max(1, int(str(number)))
        except (TypeError, ValueError):
            page = 1
        offset = (page - 1) * per_page
        groups = self._read(offset, per_page, with_count=True)
        if not groups and page > 1:
            self._count = self._count or self.todo.duties.values("association_id").distinct().count()
            last = max(1, -(-self._count // per_page))
            self._read((last - 1) * per_page, per_page, with_count=False)

    def _read(self, offset: int, limit: int, *, with_count: bool) -> list[TodoGroup]:
        rows = _group_rows(self.todo.duties, self.todo.sort, offset=offset, limit=limit)
        if with_count and rows:
            self._count = rows[0][4]
        elif with_count and offset == 0:
            self._count = 0
        links = _Links()
        groups = [
            TodoGroup(pk, name, township, order, url=links.association(pk))
            for pk, name, township, order, _total in rows
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
        return self._read(offset, limit, with_count=False)


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
