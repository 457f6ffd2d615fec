"""Template filters that show dates the way a Taiwanese county officer reads them."""

import datetime

from django import template

from core import dates

register = template.Library()


@register.filter
def roc(value: datetime.date | datetime.datetime | None) -> str:
    """112/01/03; a datetime is shown in local time with its hour and minute."""
    if value in (None, ""):
        return ""
    if isinstance(value, datetime.datetime):
        from django.utils import timezone

        local = timezone.localtime(value) if timezone.is_aware(value) else value
        return f"{dates.format_roc(local.date())} {local:%H:%M}"
    return dates.format_roc(value)


@register.filter
def roc_year(value: int | None) -> str:
    """2023 → 112年度."""
    return "" if value in (None, "") else dates.format_roc_year(int(value))


@register.filter
def roc_year_number(value: int | str | None) -> str:
    """2023 → 112: a year in a query string or a form's value, written as users type it."""
    return "" if value in (None, "") else str(dates.roc_year(int(value)))


@register.filter
def roc_value(value: object) -> object:
    """A date or datetime in ROC form (as `roc`); any other value as it is (a history's old and new ones)."""
    return roc(value) if isinstance(value, datetime.date) else value
