"""What every list page shares: a whitelisted sort chosen by `?sort=` (a column header's link), a page
size chosen among a few by `?per=`, and a page chosen by `?page=` that is a 404 when it does not exist
(page 0, -1, one past the last, or not a number), rather than quietly showing another page."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.paginator import InvalidPage, Page, Paginator
from django.db.models import Case, Expression, QuerySet, Value, When
from django.db.models.expressions import OrderBy
from django.http import Http404, HttpRequest

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


def page_size(request: HttpRequest) -> int:
    wanted = request.GET.get("per", "")
    return int(wanted) if wanted.isdecimal() and int(wanted) in PAGE_SIZES else settings.PAGE_SIZE


def paginate(request: HttpRequest, items: QuerySet[Any] | Sequence[Any]) -> Page:
    """The page `?page=` names (the first when absent) at the chosen size; 404 when there is no such page."""
    try:
        return Paginator(items, page_size(request)).page(request.GET.get("page", "1"))
    except InvalidPage:
        raise Http404 from None
