"""The tier register's filters (django-filter) and its sortable columns, on assessments already scoped to
the user (`Assessment.objects.visible_to`); the township choices are the user's own."""

from __future__ import annotations

import django_filters
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from associations.filters import SEARCH_PLACEHOLDER, scoped_townships, search_filter
from core.forms import ListSelect
from core.listing import Sorting, choice_rank
from grading.models import Assessment, ComplianceStatus, Tier, tier_is


class RegisterFilter(django_filters.FilterSet):
    """The register's filters; the selects are rendered in Python (`core.forms.ListSelect`), not through a
    template include per option."""

    q = search_filter(SEARCH_PLACEHOLDER, association="association__")
    township = django_filters.ModelChoiceFilter(
        label=_("鄉鎮市區"),
        field_name="association__township",
        queryset=scoped_townships,
        empty_label=_("全部"),
        widget=ListSelect,
    )
    status = django_filters.ChoiceFilter(
        label=_("會務財務狀態"), choices=ComplianceStatus.choices, empty_label=_("全部"), widget=ListSelect
    )
    tier = django_filters.ChoiceFilter(
        label=_("分級"), choices=Tier.choices, empty_label=_("全部"), method="filter_tier", widget=ListSelect
    )

    class Meta:
        model = Assessment
        fields: list[str] = []

    def filter_tier(self, queryset: QuerySet[Assessment], name: str, value: str) -> QuerySet[Assessment]:
        return queryset.filter(tier_is(value))


_BY_NAME = ("association__name",)

#: The register's column headers; rows come from `selectors.register_rows` (chair_name, tier_in_force).
REGISTER_SORTING = Sorting(
    columns={
        "township": ("association__township__sort_order", "association__township__name", *_BY_NAME),
        "name": _BY_NAME,
        "chair": ("chair_name", *_BY_NAME),
        "status": (choice_rank("status", ComplianceStatus.values), *_BY_NAME),
        "suggested": (choice_rank("suggested_tier", Tier.values), *_BY_NAME),
        "tier": (choice_rank("tier_in_force", Tier.values), *_BY_NAME),
    },
    default="township",
)
