"""Links of a list page that keep every filter: column headers that sort (`sort_header`), page links
(`page_url`) and page sizes (`per_page_url`). Each changes one parameter of the request's query and drops
the page number where the rows it counts would change."""

from __future__ import annotations

from django import template
from django.http import QueryDict
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

register = template.Library()


def _query(context: template.Context, **changes: object) -> str:
    request = context.get("request")
    query: QueryDict = request.GET.copy() if request is not None else QueryDict(mutable=True)
    for key, value in changes.items():
        query.pop(key, None)
        if value not in (None, ""):
            query[key] = str(value)
    return f"?{query.urlencode()}"


@register.simple_tag(takes_context=True)
def page_url(context: template.Context, number: int) -> str:
    return _query(context, page=number)


@register.simple_tag(takes_context=True)
def per_page_url(context: template.Context, size: int) -> str:
    return _query(context, per=size, page=None)


@register.simple_tag(takes_context=True)
def sort_header(context: template.Context, key: str, label: str, css: str = "") -> SafeString:
    """A `<th>` whose link sorts by `key`, the other way when it already does; `aria-sort` says how the
    column is sorted now. The current sort comes from the view's context (`sort`)."""
    current = str(context.get("sort", ""))
    ascending_now, descending_now = current == key, current == f"-{key}"
    target = f"-{key}" if ascending_now else key
    state = "ascending" if ascending_now else "descending" if descending_now else "none"
    arrow = " ▲" if ascending_now else " ▼" if descending_now else ""
    hint = _("依%(column)s排序") % {"column": label}
    return format_html(
        '<th{} aria-sort="{}"><a href="{}" title="{}">{}{}</a></th>',
        format_html(' class="{}"', css) if css else "",
        state,
        _query(context, sort=target, page=None),
        hint,
        label,
        arrow,
    )
