"""Every URL pattern the project serves, discovered from the resolver, so a page added tomorrow is covered
without anyone remembering to list it here: anonymous visitors are sent to a login page, and judges are
refused the registry pages."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.urls.converters import IntConverter, UUIDConverter
from django.urls.resolvers import RegexPattern, RoutePattern

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
        if isinstance(converter, IntConverter):
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


PAGES = _walk(get_resolver().url_patterns)
PRIVATE = [page for page in PAGES if page.name not in PUBLIC]
REGISTRY = [page for page in PAGES if page.namespace.split(":")[0] in REGISTRY_NAMESPACES]


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
