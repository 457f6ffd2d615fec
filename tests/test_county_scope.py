"""The scoping probe at the county level: every route that takes an object id, opened by every registry role
with the id of a row from another county (and, for township clerks, another township), answers 404; and no
page, menu, filter, count or export shows another county's names."""

from __future__ import annotations

import pytest
from django.urls import resolve, reverse

from tests.associations.factories import AssociationFactory, OfficerFactory
from tests.grading.factories import AssessmentFactory, ElectionFactory, MeetingFactory
from tests.subsidies.factories import probe_rows
from tests.test_urls import (
    DUMMY_ROC_YEAR,
    PAGES,
    REGISTRY_NAMESPACES,
    is_gregorian_redirect,
)

YEAR = 2023

#: Every route with an object id, and the kind of row its id names (a year route's Gregorian twin only
#: redirects to the ROC route, which is probed).
OBJECT_ROUTES = {
    "associations:detail": "association",
    "associations:history": "association",
    "associations:update": "association",
    "associations:officer_create": "association",
    "associations:compliance": "association",
    "associations:officer_update": "officer",
    "associations:officer_delete": "officer",
    "associations:meeting_update": "meeting",
    "associations:meeting_delete": "meeting",
    "associations:election_update": "election",
    "associations:election_delete": "election",
    "grading:assessment": "association",
    "grading:override": "association",
    "grading:clear_override": "association",
    "subsidies:detail": "application",
    "subsidies:update": "application",
    "subsidies:transition": "application",
    "subsidies:attachment_upload": "application",
    "subsidies:attachment": "attachment",
    "subsidies:source_update": "source",
    "subsidies:item_update": "item",
    "subsidies:batch_detail": "batch",
}
#: (role, whose rows it must not reach): county officers and administrators another county's; township
#: clerks another county's and another township's; 雲林's officer 苗栗's.
CASES = [
    ("county_client", "douliu"),
    ("admin_client_", "douliu"),
    ("zhunan_client", "douliu"),
    ("zhunan_client", "toufen"),
    ("yunlin_client", "zhunan"),
]
#: Names each role must never see (an administrator's county menu lists every county, so not county names).
FOREIGN_NAMES = {
    "county_client": ["雲林縣", "斗六"],
    "zhunan_client": ["雲林縣", "斗六", "頭份"],
    "admin_client_": ["斗六"],
    "yunlin_client": ["苗栗縣", "竹南", "頭份"],
}
LIST_PAGES = [
    page
    for page in PAGES
    if (page.namespace.split(":")[0] in REGISTRY_NAMESPACES or page.name == "home")
    and not any(key.endswith("pk") for key in resolve(page.path).kwargs)
    and not is_gregorian_redirect(page)
]


def _rows(township) -> dict[str, object]:
    association = AssociationFactory(township=township, name=f"{township.name}樣本社區發展協會")
    AssessmentFactory(association=association, year=YEAR)
    return {
        "association": association,
        "officer": OfficerFactory(association=association),
        "meeting": MeetingFactory(association=association),
        "election": ElectionFactory(association=association),
        **probe_rows(association),
    }


@pytest.fixture
def world(zhunan, toufen, douliu):
    return {"zhunan": _rows(zhunan), "toufen": _rows(toufen), "douliu": _rows(douliu)}


def _path(name: str, pk: int) -> str:
    kwargs = {"year": YEAR} if "year" in resolve(reverse(name, kwargs=_dummy_kwargs(name))).kwargs else {}
    key = "association_pk" if name.startswith("grading:") else "pk"
    return reverse(name, kwargs={**kwargs, key: pk})


def _dummy_kwargs(name: str) -> dict[str, int]:
    page = next(p for p in PAGES if p.name == name)
    return resolve(page.path).kwargs


def test_every_route_with_an_object_id_is_probed():
    with_ids = {
        page.name
        for page in PAGES
        if page.namespace.split(":")[0] in REGISTRY_NAMESPACES
        and any(key.endswith("pk") for key in resolve(page.path).kwargs)
        and not is_gregorian_redirect(page)
    }

    assert with_ids == set(OBJECT_ROUTES)


@pytest.mark.parametrize(("cast", "foreign"), CASES)
@pytest.mark.parametrize("route", sorted(OBJECT_ROUTES))
def test_rows_outside_the_users_scope_answer_404_on_every_route(request, world, route, cast, foreign):
    client = request.getfixturevalue(cast)
    path = _path(route, world[foreign][OBJECT_ROUTES[route]].pk)

    statuses = {client.get(path).status_code, client.post(path, {"reason": "探測"}).status_code}

    assert 404 in statuses, path
    assert statuses <= {404, 405}, path


@pytest.mark.parametrize("cast", sorted(FOREIGN_NAMES))
@pytest.mark.parametrize("page", LIST_PAGES, ids=lambda p: p.name)
def test_no_page_menu_count_or_export_names_another_county(request, world, page, cast):
    client = request.getfixturevalue(cast)
    path = page.path.replace(f"/{DUMMY_ROC_YEAR}/", f"/{YEAR - 1911}/")
    response = client.get(path, {"format": "csv"} if "export" in page.name else {}, follow=True)
    if response.status_code == 405:  # an action: the page it leads to
        response = client.post(path, {"reason": "探測"}, follow=True)

    assert response.status_code in {200, 403}, path  # 403: a page this role may not use (its refusal page)
    body = b"".join(response.streaming_content) if response.streaming else response.content
    text = body.decode("utf-8-sig")
    assert not [name for name in FOREIGN_NAMES[cast] if name in text], path
