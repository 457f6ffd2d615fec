"""Dates in the Django admin as everywhere else: ROC form (115/12/02), not the locale's 2026年12月2日.
Every admin list shows its date and datetime columns through `core.templatetags.roc.roc`, keeping the
column's heading and its sorting; read-only fields are left to Django (the admin is for administrators,
and its forms type dates as the widgets do)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import cache
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.http import HttpRequest

from core.templatetags.roc import roc


@cache
def _roc_column(model: type[models.Model], name: str) -> Callable[[models.Model], str] | None:
    """The ROC column standing for date field `name` of `model` (one object per field, so the list's
    links find it again); None when `name` is not a date or datetime field."""
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
    column.__name__ = name
    return column


class RocDatesMixin:
    model: type[models.Model]

    def _roc(self, names: Sequence[Any]) -> list[Any]:
        return [(_roc_column(self.model, name) or name) if isinstance(name, str) else name for name in names]

    def get_list_display(self, request: HttpRequest) -> list[Any]:
        return self._roc(super().get_list_display(request))  # type: ignore[misc]

    def get_list_display_links(self, request: HttpRequest, list_display: Sequence[Any]) -> Any:
        links = super().get_list_display_links(request, list_display)  # type: ignore[misc]
        return self._roc(links) if links else links
