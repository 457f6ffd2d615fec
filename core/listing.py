"""What every list page shares: a whitelisted sort chosen by `?sort=` (a column header's link), a page
size chosen among a few by `?per=`, and a page chosen by `?page=` that is a 404 when it does not exist
(page 0, -1, one past the last, or not a number), rather than quietly showing another page."""

from __future__ import annotations

import html
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.paginator import EmptyPage, InvalidPage, Page, PageNotAnInteger, Paginator
from django.db.models import Case, Count, Expression, QuerySet, Value, When, Window
from django.db.models.expressions import OrderBy
from django.http import Http404, HttpRequest
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe

#: The page sizes a person may choose (`?per=`); anything else is the default, settings.PAGE_SIZE.
PAGE_SIZES = (25, 50, 100)


def _ordered(field: str | Expression, *, descending: bool) -> str | OrderBy:
    if not isinstance(field, str):
        return field.desc() if descending else field.asc()
    if not descending:
        return field
    return field[1:] if field.startswith("-") else f"-{field}"


def choice_rank(field: str, values: Sequence[str]) -> Case:
    """A choice field ordered as its choices are listed (their meaning), not alphabetically by value."""
    return Case(*(When(**{field: value}, then=Value(i)) for i, value in enumerate(values)), default=Value(-1))


@dataclass(frozen=True)
class Sorting:
    """A list's sortable columns: each key names the fields it orders by, ascending; `-key` orders the
    other way. The primary key always breaks ties, so a page never repeats or skips a row. An unknown
    `?sort=` is the default, never an error and never a field the page did not offer."""

    columns: dict[str, tuple[str | Expression, ...]]
    default: str
    pk: str = "pk"

    def chosen(self, request: HttpRequest) -> str:
        wanted = request.GET.get("sort", "")
        return wanted if wanted.removeprefix("-") in self.columns else self.default

    def apply(self, queryset: QuerySet[Any], chosen: str) -> QuerySet[Any]:
        descending = chosen.startswith("-")
        fields = [*self.columns[chosen.removeprefix("-")], self.pk]
        return queryset.order_by(*(_ordered(f, descending=descending) for f in fields))


def format_row(template: str, **values: object) -> SafeString:
    """`format_html(template, **values)` for the rows of a list page: every value is escaped as text (none
    may be HTML already), without format_html's per-value checks for lazy and safe strings, which cost a
    list page of 50 rows some 2 ms more."""
    return mark_safe(template.format_map({key: html.escape(str(value)) for key, value in values.items()}))


def pk_url(name: str) -> Callable[[Any], str]:
    """`reverse(name, args=[pk])` for many rows at the cost of one reverse: the URL pattern's only argument is
    the primary key, so the reversed URL of a placeholder key is filled in for each row."""
    placeholder = "2147483647"
    prefix, _sep, suffix = reverse(name, args=[int(placeholder)]).partition(placeholder)
    return lambda pk: f"{prefix}{pk}{suffix}"


def page_size(request: HttpRequest, default: int | None = None) -> int:
    wanted = request.GET.get("per", "")
    if wanted.isdecimal() and int(wanted) in PAGE_SIZES:
        return int(wanted)
    return default or settings.PAGE_SIZE


def paginate(
    request: HttpRequest, items: QuerySet[Any] | Sequence[Any], *, default_size: int | None = None
) -> Page:
    """The page `?page=` names (the first when absent) at the chosen size (`default_size`, else
    settings.PAGE_SIZE, when none is chosen); 404 when there is no such page."""
    try:
        return Paginator(items, page_size(request, default_size)).page(request.GET.get("page", "1"))
    except InvalidPage:
        raise Http404 from None


def paginate_keys(
    request: HttpRequest, keys: QuerySet[Any], load: Callable[[list[Any]], Iterable[Any]]
) -> Page:
    """`paginate`, with the sort run on `keys` (the filtered, sorted queryset: only its primary keys are
    selected, so the database sorts narrow rows of the sort keys), the count read in the same query (a
    window count over the filtered rows), and the page's rows then loaded in full by `load(pks)`, in any
    order, and put back in the sorted order. Two queries for a page instead of a count and a page of wide
    rows; an empty page (no rows, or a page past the last) costs a count more, to tell which.

    A deep page then costs what the first costs: the rows skipped by OFFSET are never built (no per-row
    subquery such as the current chair, no wide columns carried through the sort), and page N can still be
    jumped to, which keyset pagination would not allow with the page links and `?page=` these lists offer."""
    paginator = Paginator(keys.values_list("pk", flat=True), page_size(request))
    try:
        number = _page_number(request)
    except InvalidPage:
        raise Http404 from None
    bottom = (number - 1) * paginator.per_page
    rows = list(
        keys.annotate(_listing_total=Window(Count("*"))).values_list("pk", "_listing_total")[
            bottom : bottom + paginator.per_page
        ]
    )
    # A known count saves Paginator its COUNT query; without rows, count to tell an empty list from a page
    # past the end (a 404).
    paginator.__dict__["count"] = rows[0][1] if rows else keys.count()
    try:
        paginator.validate_number(number)
    except InvalidPage:
        raise Http404 from None
    pks = [pk for pk, _total in rows]
    loaded = {row.pk: row for row in load(pks)} if pks else {}
    return Page([loaded[pk] for pk in pks if pk in loaded], number, paginator)


def paginate_counted(request: HttpRequest, rows: QuerySet[Any], *, default_size: int | None = None) -> Page:
    """`paginate` in one query: the page of `rows` (sorted) with the count of all of them read alongside (a
    window count), for pages whose rows are narrow and few enough that one query serves both. No rows on
    page 1 is an empty list; no rows on a later page is a 404 (past the last page, or no rows at all)."""
    paginator = Paginator(rows, page_size(request, default_size))
    try:
        number = _page_number(request)
    except InvalidPage:
        raise Http404 from None
    bottom = (number - 1) * paginator.per_page
    found = list(rows.annotate(_listing_total=Window(Count("*")))[bottom : bottom + paginator.per_page])
    paginator.__dict__["count"] = found[0]._listing_total if found else 0
    try:
        paginator.validate_number(number)
    except InvalidPage:
        raise Http404 from None
    return Page(found, number, paginator)


def _page_number(request: HttpRequest) -> int:
    """`?page=` as Paginator reads it (a whole number, 1 when absent); InvalidPage otherwise."""
    try:
        number = int(request.GET.get("page", "1"))
    except (TypeError, ValueError):
        raise PageNotAnInteger from None
    if number < 1:
        raise EmptyPage
    return number
