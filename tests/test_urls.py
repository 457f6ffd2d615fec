"""Every URL pattern the project serves, discovered from the resolver, so a page added tomorrow is covered
without anyone remembering to list it here: anonymous visitors are sent to a login page, and judges are
refused the registry pages."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.urls.converters import IntConverter, UUIDConverter
from django.urls.resolvers import RegexPattern, RoutePattern

from core.converters import GregorianYearConverter, RocYearConverter

#: The only pages an anonymous visitor may open; everything else must send them to a login page.
PUBLIC = {"login", "set_language", "healthz", "admin:login"}
#: Login pages an anonymous visitor may be sent to: the portal's, and the admin's for /admin/ paths.
PORTAL_LOGIN = "/accounts/login/"
ADMIN_LOGIN = "/admin/login/"
#: Namespaces whose pages hold association records; judges have no business there. (`awards` lets an
#: assigned judge in and refuses everything else: probed in tests/awards/test_scope.py.)
REGISTRY_NAMESPACES = {"associations", "grading", "subsidies"}

DUMMY_INT = "1"
DUMMY_STR = "x"
DUMMY_UUID = "00000000-0000-0000-0000-000000000000"
#: This year, as the year routes take it (ROC, `/grading/115/`) and as their redirecting twins do (`/2026/`).
DUMMY_GREGORIAN_YEAR = str(datetime.date.today().year)
DUMMY_ROC_YEAR = str(int(DUMMY_GREGORIAN_YEAR) - 1911)


@dataclass(frozen=True)
class Page:
    path: str
    name: str  # "namespace:name", or the path when the pattern has no name
    namespace: str
    callback: object


def _route_segment(pattern: RoutePattern) -> str:
    """'<int:pk>/edit/' -> '1/edit/'."""
    route = str(pattern)
    for name, converter in pattern.converters.items():
        if isinstance(converter, RocYearConverter):
            dummy = DUMMY_ROC_YEAR
        elif isinstance(converter, GregorianYearConverter):
            dummy = DUMMY_GREGORIAN_YEAR
        elif isinstance(converter, IntConverter):
            dummy = DUMMY_INT
        elif isinstance(converter, UUIDConverter):
            dummy = DUMMY_UUID
        else:
            dummy = DUMMY_STR
        route = re.sub(rf"<(?:\w+:)?{name}>", dummy, route)
    return route


def _regex_segment(pattern: RegexPattern) -> str:
    """'^(?P<app_label>auth|associations)/$' -> 'auth/'; any other group becomes a dummy string."""
    regex = str(pattern).removeprefix("^").removesuffix("$")
    out, depth, group = [], 0, []
    for char in regex:
        if char == "(":
            depth += 1
            if depth == 1:
                group = []
                continue
        elif char == ")":
            depth -= 1
            if depth == 0:
                inner = re.sub(r"^\?P<\w+>", "", "".join(group))
                first = inner.split("|")[0]
                out.append(first if re.fullmatch(r"\w+", first) else DUMMY_STR)
                continue
        (group if depth else out).append(char)
    return "".join(out).replace("\\", "")


def _walk(patterns: list, prefix: str = "", namespace: str = "") -> list[Page]:
    pages = []
    for pattern in patterns:
        segment = (
            _route_segment(pattern.pattern)
            if isinstance(pattern.pattern, RoutePattern)
            else _regex_segment(pattern.pattern)
        )
        if isinstance(pattern, URLResolver):
            inner = ":".join(filter(None, [namespace, pattern.namespace]))
            pages += _walk(pattern.url_patterns, prefix + segment, inner)
        elif isinstance(pattern, URLPattern):
            path = "/" + prefix + segment
            name = ":".join(filter(None, [namespace, pattern.name])) if pattern.name else path
            pages.append(Page(path, name, namespace, pattern.callback))
    return pages


def is_gregorian_redirect(page: Page) -> bool:
    """A year route's Gregorian twin (`/grading/2026/`), which only redirects to the ROC route."""
    return getattr(page.callback, "gregorian_redirect", False)


PAGES = _walk(get_resolver().url_patterns)
PRIVATE = [page for page in PAGES if page.name not in PUBLIC]
REGISTRY = [
    page
    for page in PAGES
    if page.namespace.split(":")[0] in REGISTRY_NAMESPACES and not is_gregorian_redirect(page)
]
YEAR_PAGES = [page for page in PAGES if DUMMY_ROC_YEAR in page.path.split("/")]
GREGORIAN_PAGES = [page for page in PAGES if is_gregorian_redirect(page)]


def _login_redirect(response) -> tuple[str, str] | None:
    """(login path, next) when the response sends the visitor to log in, else None."""
    if response.status_code != 302:
        return None
    url = urlsplit(response["Location"])
    return url.path, parse_qs(url.query).get("next", [""])[0]


def test_walker_finds_the_pages_we_know_of():
    names = {page.name for page in PAGES}
    assert {"home", "associations:list", "associations:detail", "associations:officer_delete"} <= names
    assert "admin:associations_association_changelist" in names
    assert names >= PUBLIC, "an allow-listed public page no longer exists; drop it from PUBLIC"


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.path)
def test_each_dummy_path_resolves_to_its_own_pattern(page):
    assert resolve(page.path).func is page.callback


@pytest.mark.django_db
@pytest.mark.parametrize("page", PRIVATE, ids=lambda p: p.path)
def test_anonymous_visitor_is_sent_to_log_in_on_every_private_page(anonymous_client, page):
    response = anonymous_client.get(page.path)

    logins = {PORTAL_LOGIN, ADMIN_LOGIN} if page.namespace == "admin" else {PORTAL_LOGIN}
    redirect = _login_redirect(response)
    assert redirect is not None, f"{page.path} answered {response.status_code} to an anonymous visitor"
    assert redirect[0] in logins
    assert redirect[1] == page.path


@pytest.mark.django_db
@pytest.mark.parametrize("page", PRIVATE, ids=lambda p: p.path)
def test_anonymous_post_is_sent_to_log_in_on_every_private_page(anonymous_client, page):
    response = anonymous_client.post(page.path, {"name": "匿名送出"})

    assert _login_redirect(response) is not None, f"{page.path} answered {response.status_code}"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "path"),
    [("login", PORTAL_LOGIN), ("admin:login", ADMIN_LOGIN), ("healthz", "/healthz")],
)
def test_public_pages_open_without_logging_in(anonymous_client, name, path):
    assert any(page.name == name and page.path == path for page in PAGES)
    assert anonymous_client.get(path).status_code == 200


@pytest.mark.django_db
def test_language_switch_works_without_logging_in(anonymous_client):
    response = anonymous_client.post("/i18n/setlang/", {"language": "en", "next": "/accounts/login/"})

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/"


@pytest.mark.django_db
@pytest.mark.parametrize("page", REGISTRY, ids=lambda p: p.path)
def test_judge_is_refused_every_registry_page(judge_client, page):
    statuses = {judge_client.get(page.path).status_code, judge_client.post(page.path).status_code}

    # A POST-only page may answer 405 to GET (or the reverse), but one of them must be a plain refusal.
    assert 403 in statuses
    assert statuses <= {403, 405}


#: County work: the staff import pages are for county officers and administrators only.
IMPORT_PAGES = [
    page for page in PAGES if page.name in {"associations:import", "grading:import", "awards:create"}
]


def test_walker_finds_the_staff_import_pages():
    assert len(IMPORT_PAGES) == 3


@pytest.mark.django_db
@pytest.mark.parametrize("page", IMPORT_PAGES, ids=lambda p: p.path)
def test_township_clerk_is_refused_every_import_page(zhunan_client, page):
    assert zhunan_client.get(page.path).status_code == 403
    assert zhunan_client.post(page.path).status_code == 403


def test_walker_finds_the_year_pages_and_their_gregorian_twins():
    names = {page.name for page in YEAR_PAGES}
    assert {"grading:overview", "associations:compliance", "subsidies:budget", "subsidies:config_copy"} <= (
        names
    )
    assert len(GREGORIAN_PAGES) == len(YEAR_PAGES)


def _year_converters(patterns: list, prefix: str = "") -> dict[str, type]:
    """Route → the converter class of its `year`, for every route (at any depth) that takes one."""
    found = {}
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern.pattern, RoutePattern) and "year" in pattern.pattern.converters:
            found[route] = type(pattern.pattern.converters["year"])
        if isinstance(pattern, URLResolver):
            found |= _year_converters(pattern.url_patterns, route)
    return found


def test_no_route_takes_a_year_as_a_plain_number():
    """A year in a URL is written as the page shows it, ROC (`<roc_year:year>`); `<int:year>` would take
    2026 and 115 alike and show users a Gregorian year."""
    converters = _year_converters(get_resolver().url_patterns)

    assert "grading/<roc_year:year>/" in converters
    assert set(converters.values()) == {RocYearConverter, GregorianYearConverter}


@pytest.mark.django_db
@pytest.mark.parametrize("page", GREGORIAN_PAGES, ids=lambda p: p.path)
def test_every_gregorian_year_path_redirects_permanently_to_the_roc_one(county_client, page):
    roc_path = page.path.replace(f"/{DUMMY_GREGORIAN_YEAR}/", f"/{DUMMY_ROC_YEAR}/")

    get = county_client.get(page.path, {"format": "csv", "page": "2"})
    post = county_client.post(page.path, {"reason": "舊連結"})

    assert (get.status_code, get["Location"]) == (301, f"{roc_path}?format=csv&page=2")
    assert (post.status_code, post["Location"]) == (308, roc_path)
    assert resolve(roc_path).func is not page.callback
