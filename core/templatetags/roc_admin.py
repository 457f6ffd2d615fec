"""The admin's date hierarchy with ROC labels (`core.admin_dates.roc_date_hierarchy`), for
`templates/admin/change_list.html`."""

from typing import Any

from django import template

from core.admin_dates import roc_date_hierarchy as _roc_date_hierarchy

register = template.Library()


@register.inclusion_tag("admin/date_hierarchy.html")
def roc_date_hierarchy(cl: Any) -> dict[str, Any]:
    return _roc_date_hierarchy(cl)
