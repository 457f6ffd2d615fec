"""The association list's filters (django-filter). A FilterSet narrows a queryset that is already scoped to
the user (`Association.objects.visible_to`), and its township choices are the user's own
(`access.scope_townships`): an invalid or foreign value filters nothing more and never widens the scope."""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from associations import access
from associations.models import Association, Township
from associations.search import search
from core.forms import ListSelect
from core.listing import Sorting, choice_rank


def scoped_townships(request: HttpRequest | None) -> QuerySet[Township]:
    """The township choices of a filter: the requesting user's own."""
    return access.scope_townships(Township.objects.all(), getattr(request, "user", None))


def search_filter(placeholder: str | Any, *, association: str = "") -> django_filters.CharFilter:
    """The one search box (`associations.search`): every word must match one of the association's name,
    chairperson, address, registration number or township."""

    def method(queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        return search(queryset, value, association=association)

    return django_filters.CharFilter(
        label=_("搜尋"), method=method, widget=forms.SearchInput(attrs={"placeholder": placeholder})
    )


SEARCH_PLACEHOLDER = _("名稱、理事長、地址、立案字號或鄉鎮")


class AssociationFilter(django_filters.FilterSet):
    q = search_filter(SEARCH_PLACEHOLDER)
    township = django_filters.ModelChoiceFilter(
        label=_("鄉鎮市區"), queryset=scoped_townships, empty_label=_("全部"), widget=ListSelect
    )
    status = django_filters.ChoiceFilter(
        label=_("狀態"), choices=Association.Status.choices, empty_label=_("全部"), widget=ListSelect
    )

    class Meta:
        model = Association
        fields: list[str] = []


#: The association list's column headers (the registry's own order by default).
ASSOCIATION_SORTING = Sorting(
    columns={
        "township": ("township__sort_order", "township__name", "name"),
        "name": ("name",),
        "chair": ("current_chair_name", "name"),
        "term": ("term_number", "name"),
        "founded": ("founded_on", "name"),
        "members": ("member_count", "name"),
        "status": (choice_rank("status", Association.Status.values), "name"),
    },
    default="township",
)


class GridFilter(django_filters.FilterSet):
    """The township grid's search; its township is chosen by the grid itself (one township at a time, a
    foreign one a 404), so the FilterSet only narrows that township's rows."""

    q = search_filter(SEARCH_PLACEHOLDER)

    class Meta:
        model = Association
        fields: list[str] = []


#: The grid's one sortable column: its status comes from the grading hook, not from a column of this app.
GRID_SORTING = Sorting(columns={"name": ("name",)}, default="name")
