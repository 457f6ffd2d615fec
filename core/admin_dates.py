"""Dates in the Django admin as everywhere else: ROC form (115/12/02), not the locale's 2026年12月2日
(issue 12 item 5).

- Lists show their date and datetime columns through `core.templatetags.roc.roc`, keeping the column's
  heading and its sorting.
- Change pages show a read-only date or datetime field (a `readonly_fields` entry, or any field of a page the
  user may only view) through the same ROC column, with the field's label and help text.
- Date inputs are typed as on the staff pages (`core.forms.ROCDateField`: 115/12/02, 1151202, 民國115年12月2日
  or 2026-12-02 alike) and shown in ROC form; inlines take `RocDateInputsMixin` for the same.
- The date hierarchy above a list names ROC years and months (`roc_date_hierarchy`, used by
  `templates/admin/change_list.html`), and the history pages show ROC times (their templates use `roc`) and
  changed dates in ROC form (`RocHistoricalRecordContextHelper`).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Sequence
from functools import cache
from typing import Any
from urllib.parse import parse_qsl

from django.contrib.admin.templatetags.admin_list import date_hierarchy
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.http import HttpRequest
from django.utils.translation import gettext as _
from simple_history.template_utils import HistoricalRecordContextHelper

from core.dates import format_roc, roc_year
from core.forms import ROCDateField, ROCDateInput
from core.templatetags.roc import roc


@cache
def _roc_column(model: type[models.Model], name: str) -> Callable[[models.Model], str] | None:
    """The ROC column standing for date field `name` of `model` (one object per field, so the list's
    links and a page's fieldsets find it again); None when `name` is not a date or datetime field."""
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:
        return None
    if not isinstance(field, models.DateField):  # DateTimeField is a DateField
        return None

    def column(obj: models.Model) -> str:
        return roc(getattr(obj, name)) or "—"

    column.short_description = field.verbose_name  # type: ignore[attr-defined]
    column.admin_order_field = name  # type: ignore[attr-defined]
    # The field's name: the change page takes its help text and CSS class from it.
    column.__name__ = name
    return column


class RocDateInputsMixin:
    """Date fields typed and shown as on the staff pages, for a ModelAdmin or an inline."""

    formfield_overrides = {models.DateField: {"form_class": ROCDateField, "widget": ROCDateInput}}


class RocDatesMixin(RocDateInputsMixin):
    model: type[models.Model]

    def _roc(self, names: Sequence[Any], only: set[str] | None = None) -> list[Any]:
        """`names` with each date field (among `only`, when given) replaced by its ROC column."""
        return [
            (_roc_column(self.model, name) or name)
            if isinstance(name, str) and (only is None or name in only)
            else name
            for name in names
        ]

    def get_list_display(self, request: HttpRequest) -> list[Any]:
        return self._roc(super().get_list_display(request))  # type: ignore[misc]

    def get_list_display_links(self, request: HttpRequest, list_display: Sequence[Any]) -> Any:
        links = super().get_list_display_links(request, list_display)  # type: ignore[misc]
        return self._roc(links) if links else links

    def get_readonly_fields(self, request: HttpRequest, obj: models.Model | None = None) -> list[Any]:
        return self._roc(super().get_readonly_fields(request, obj))  # type: ignore[misc]

    def get_fieldsets(self, request: HttpRequest, obj: models.Model | None = None) -> list[Any]:
        """The page's fieldsets with each date field it shows read-only as its ROC column: the read-only
        fields, or every field when the user may only view the row (Django then shows them all read-only)."""
        fieldsets = super().get_fieldsets(request, obj)  # type: ignore[misc]
        view_only = obj is not None and not self.has_change_permission(request, obj)  # type: ignore[attr-defined]
        only = None if view_only else set(super().get_readonly_fields(request, obj))  # type: ignore[misc]
        return [
            (name, {**options, "fields": [self._line(line, only) for line in options["fields"]]})
            for name, options in fieldsets
        ]

    def _line(self, line: Any, only: set[str] | None) -> Any:
        if isinstance(line, list | tuple):  # several fields on one line
            return type(line)(self._roc(line, only))
        return self._roc([line], only)[0]

    def get_historical_record_context_helper(self, request: HttpRequest, historical_record: Any) -> Any:
        """simple-history's history page: a changed date shows as 84/03/01 → 85/04/02."""
        return RocHistoricalRecordContextHelper(self.model, historical_record)

    def get_form(
        self, request: HttpRequest, obj: models.Model | None = None, change: bool = False, **kwargs: Any
    ):  # type: ignore[no-untyped-def]
        # The ROC columns only display; the form is built from the real fields (of which Django leaves out
        # the read-only ones itself).
        if kwargs.get("fields") is not None:
            kwargs["fields"] = [name for name in kwargs["fields"] if isinstance(name, str)]
        return super().get_form(request, obj, change=change, **kwargs)  # type: ignore[misc]


class RocHistoricalRecordContextHelper(HistoricalRecordContextHelper):
    def prepare_delta_change_value(self, change: Any, value: Any) -> Any:
        if isinstance(value, datetime.date):
            return roc(value)
        return super().prepare_delta_change_value(change, value)


# --- the date hierarchy above a list ----------------------------------------------------------------------


def _hierarchy_title(values: dict[str, str], field: str) -> str | None:
    """The ROC label of the date a hierarchy link selects: 115年, 115/12 or 115/12/02; None for none."""
    try:
        year, month, day = (
            int(values[key]) if (key := f"{field}__{part}") in values else None
            for part in ("year", "month", "day")
        )
        if year is None:
            return None
        if month is None:
            return _("%(year)d年") % {"year": roc_year(year)}
        if day is None:
            return f"{roc_year(year)}/{month:02d}"
        return format_roc(datetime.date(year, month, day))
    except ValueError:  # a hand-typed filter that is no date: Django's own title stays
        return None


def roc_date_hierarchy(cl: Any) -> dict[str, Any]:
    """Django's date hierarchy (`admin_list.date_hierarchy`), each link's title the ROC year, month or day
    it selects instead of the locale's 2026, 2026年12月 and 12月2日."""
    hierarchy = date_hierarchy(cl)
    if not hierarchy:
        return hierarchy or {}
    field = cl.date_hierarchy

    def titled(entry: dict[str, Any] | None, selected: dict[str, str]) -> dict[str, Any] | None:
        if entry is None:
            return None
        title = _hierarchy_title(selected, field)
        return {**entry, "title": title} if title else entry

    back = hierarchy.get("back")
    choices = [
        # A choice without a link is the day already chosen: its date is in the list's own filters.
        titled(choice, dict(parse_qsl(choice["link"].lstrip("?"))) if "link" in choice else cl.params)
        for choice in hierarchy.get("choices", [])
    ]
    return {
        **hierarchy,
        "back": titled(back, dict(parse_qsl(back["link"].lstrip("?")))) if back else back,
        "choices": choices,
    }
