"""Years in URLs as users write them (issue 12 item 1): `/grading/115/` is ROC 115, the year the page shows.

`<roc_year:year>` takes 1–3 digits, the ROC year, and hands the view the Gregorian year (115 → 2026), so
views, services and `reverse()` / `{% url %}` keep working in Gregorian years: `reverse(..., args=[2026])`
renders `115`. A four-digit year is Gregorian (`/grading/2026/`, the URLs of old bookmarks and links): every
`<roc_year:…>` route gets a twin on `<gregorian_year:…>` (`gregorian_twins`) that redirects permanently to the
ROC URL, query string kept. The two never collide: ROC years are at most three digits (1–999) and Gregorian
ones exactly four, which is the rule `core.dates.parse_year` reads typed years by.

A year the data does not cover is refused with `YearNotFound`, a 404 that
`core.middleware.YearNotFoundMiddleware` shows on the portal's own 404 page with a Chinese message, DEBUG on
or off.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from django.http import Http404, HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.urls import URLPattern, URLResolver, path, register_converter, reverse
from django.utils.translation import gettext as _

from core.dates import ROC_OFFSET, roc_year

#: The Gregorian years a ROC year of at most three digits can stand for (民國元年 … 民國 999 年).
_ROC_SPAN = range(ROC_OFFSET + 1, ROC_OFFSET + 1000)
_FOUR_DIGITS = re.compile(r"[0-9]{4}")


class YearNotFound(Http404):
    """A year outside what a page covers; its message (Chinese) is shown on the 404 page."""

    @classmethod
    def outside(cls, year: int, years: range | None = None) -> YearNotFound:
        """`year` (Gregorian) is not one of `years` (Gregorian; None when the page has no data range)."""
        if year < _ROC_SPAN.start:
            return cls(_("西元 %(year)d 年早於民國元年，沒有這個年度的資料。") % {"year": year})
        if year not in _ROC_SPAN:  # a number past any year's URL (民國 999 年)
            return cls(_("沒有西元 %(year)d 年的資料。") % {"year": year})
        if not years:
            return cls(_("找不到民國 %(year)d 年的資料。") % {"year": roc_year(year)})
        return cls(
            _("找不到民國 %(year)d 年的資料：可查詢的年度為民國 %(first)d 年至 %(last)d 年。")
            % {"year": roc_year(year), "first": roc_year(years[0]), "last": roc_year(years[-1])}
        )


def require_year(year: int, years: range) -> None:
    """Raise `YearNotFound` naming the range unless the Gregorian `year` is one of `years`."""
    if year not in years:
        raise YearNotFound.outside(year, years)


class RocYearConverter:
    """`115` in the URL, 2026 in the view. Any 1–3 digits match, so that a year out of range reaches the
    view's range check and its friendly 404 rather than the resolver's bare one."""

    regex = "[0-9]{1,3}"

    def to_python(self, value: str) -> int:
        return int(value) + ROC_OFFSET

    def to_url(self, value: int | str) -> str:
        # roc_year raises ValueError before 1912, and a year past 民國 999 would not match the regex: either
        # way reverse() fails loudly instead of writing a URL that cannot be read back.
        return str(roc_year(int(value)))


class GregorianYearConverter:
    """`2026` in an old URL: matched only to be redirected to the ROC form. Longer numbers match too, so
    that `/grading/20260/` is the friendly 404 rather than the resolver's bare one."""

    regex = "[0-9]{4,}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int | str) -> str:
        return f"{int(value):04d}"


register_converter(RocYearConverter, "roc_year")
register_converter(GregorianYearConverter, "gregorian_year")


def _permanent(url: str, request: HttpRequest) -> HttpResponse:
    """301 for a GET or HEAD; 308 for anything else, so that a form posted from a page opened before the
    switch keeps its method and body (a 301 would turn it into a GET and drop what was typed)."""
    query = request.META.get("QUERY_STRING", "")
    return HttpResponsePermanentRedirect(
        f"{url}?{query}" if query else url, preserve_request=request.method not in {"GET", "HEAD"}
    )


def _to_roc(view_name: str) -> Callable[..., HttpResponse]:
    def redirect_to_roc_year(request: HttpRequest, **kwargs: object) -> HttpResponse:
        year = kwargs["year"]
        if year not in _ROC_SPAN:
            raise YearNotFound.outside(year)  # type: ignore[arg-type]
        return _permanent(reverse(view_name, kwargs=kwargs), request)

    redirect_to_roc_year.gregorian_redirect = True  # type: ignore[attr-defined]
    return redirect_to_roc_year


def gregorian_twins(urlpatterns: list[URLPattern | URLResolver], namespace: str) -> list[URLPattern]:
    """For every named `<roc_year:year>` route of `urlpatterns` (an app's, under `namespace`), the same
    route on `<gregorian_year:year>`, unnamed, redirecting to it."""
    twins = []
    for pattern in urlpatterns:
        route = str(pattern.pattern)
        if isinstance(pattern, URLPattern) and pattern.name and "<roc_year:year>" in route:
            twin = route.replace("<roc_year:year>", "<gregorian_year:year>")
            twins.append(path(twin, _to_roc(f"{namespace}:{pattern.name}")))
    return twins


def roc_query_redirect(request: HttpRequest, *names: str) -> HttpResponse | None:
    """A GET whose query parameters `names` hold a four-digit Gregorian year (`?year=2026`, from an old link
    or typed) is sent permanently to the same URL with the ROC year (`?year=115`); None when there is none."""
    if request.method not in {"GET", "HEAD"}:
        return None
    query = request.GET.copy()
    changed = False
    for name in names:
        values = query.getlist(name)
        roc = [
            str(int(v) - ROC_OFFSET) if _FOUR_DIGITS.fullmatch(v.strip()) and int(v) in _ROC_SPAN else v
            for v in values
        ]
        if roc != values:
            query.setlist(name, roc)
            changed = True
    if not changed:
        return None
    return HttpResponsePermanentRedirect(f"{request.path}?{query.urlencode()}")
