"""The award's scoping probe: every award route that takes an object id, opened with the id of a row the
user may not reach (another county's, another township's entry, a round the judge is not assigned to, an entry
the judge is conflicted with), answers 404; routes of objects a role never handles answer 403 for any id."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import resolve, reverse

from awards.models import AwardRound, Conflict, ScoreSheet
from core.roles import Role
from tests.associations.factories import AssociationFactory, StaffFactory
from tests.awards.factories import (
    AssignmentFactory,
    CriterionFactory,
    EntryFactory,
    GroupFactory,
    RoundFactory,
)
from tests.test_urls import PAGES

#: Every award route with an object id, and the kind of row its id names.
OBJECT_ROUTES = {
    "awards:round": "round",
    "awards:start": "round",
    "awards:publish": "round",
    "awards:assign_judge": "round",
    "awards:nominate": "round",
    "awards:results": "round",
    "awards:score": "entry",
    "awards:sheet": "entry",
    "awards:accept": "entry",
    "awards:declare_conflict": "entry",
    "awards:clear_conflict": "conflict",
    "awards:change_sheet": "sheet",
    "awards:revise_criterion": "criterion",
}
#: Kinds of row only county-wide roles handle: other roles are refused (403) whatever the id.
COUNTY_ONLY = {"conflict", "sheet", "criterion"}


def _rows(township, *, name: str, judge) -> dict[str, object]:
    award_round = RoundFactory(county=township.county, code=f"R-{name}", state=AwardRound.State.SCORING)
    group = GroupFactory(round=award_round)
    criterion = CriterionFactory(group=group, position=1, max_points=Decimal(50))
    entry = EntryFactory(
        group=group, association=AssociationFactory(township=township, name=f"{name}樣本社區")
    )
    judge_here = StaffFactory(username=f"j-{name}", role=Role.JUDGE)
    AssignmentFactory(round=award_round, judge=judge_here)
    sheet = ScoreSheet.objects.create(entry=entry, judge=judge_here, state=ScoreSheet.State.SUBMITTED)
    conflict = Conflict.objects.create(entry=entry, judge=judge_here, source=Conflict.Source.COUNTY)
    return {
        "round": award_round,
        "entry": entry,
        "sheet": sheet,
        "conflict": conflict,
        "criterion": criterion,
    }


@pytest.fixture
def world(zhunan, toufen, douliu, judge, county_officer):
    miaoli = _rows(zhunan, name="竹南", judge=judge)
    toufen_entry = EntryFactory(
        group=miaoli["entry"].group, association=AssociationFactory(township=toufen, name="頭份樣本社區")
    )
    return {
        "zhunan": miaoli,
        "toufen": {"entry": toufen_entry},
        "douliu": _rows(douliu, name="斗六", judge=judge),
    }


def _path(name: str, pk: int) -> str:
    return reverse(name, kwargs={"pk": pk})


def test_every_award_route_with_an_object_id_is_probed():
    with_ids = {
        page.name for page in PAGES if page.namespace == "awards" and "pk" in resolve(page.path).kwargs
    }

    assert with_ids == set(OBJECT_ROUTES)


CASES = [
    ("county_client", "douliu"),
    ("admin_client_", "douliu"),
    ("zhunan_client", "douliu"),
    ("yunlin_client", "zhunan"),
]


def _statuses(client, path: str) -> set[int]:
    return {client.get(path).status_code, client.post(path, {"reason": "探測"}).status_code}


@pytest.mark.parametrize(("cast", "foreign"), CASES)
@pytest.mark.parametrize("route", sorted(OBJECT_ROUTES))
def test_another_countys_rows_answer_404_on_every_award_route(request, world, route, cast, foreign):
    client = request.getfixturevalue(cast)
    kind = OBJECT_ROUTES[route]
    statuses = _statuses(client, _path(route, world[foreign][kind].pk))

    refused = 403 if cast == "zhunan_client" and kind in COUNTY_ONLY else 404
    assert refused in statuses, route
    assert statuses <= {refused, 405}, route


@pytest.mark.parametrize("route", sorted(r for r, kind in OBJECT_ROUTES.items() if kind == "entry"))
def test_another_townships_entry_answers_404_to_a_clerk(zhunan_client, world, route):
    statuses = _statuses(zhunan_client, _path(route, world["toufen"]["entry"].pk))

    assert 404 in statuses and statuses <= {404, 405}


@pytest.mark.parametrize(
    "route", sorted(r for r, kind in OBJECT_ROUTES.items() if kind in {"round", "entry"})
)
def test_a_round_the_judge_is_not_assigned_to_answers_404(judge_client, world, route):
    kind = OBJECT_ROUTES[route]
    statuses = _statuses(judge_client, _path(route, world["zhunan"][kind].pk))

    assert 404 in statuses and statuses <= {404, 405}


@pytest.mark.parametrize("route", sorted(r for r, kind in OBJECT_ROUTES.items() if kind == "entry"))
def test_an_entry_the_judge_is_conflicted_with_answers_404(client, world, route):
    conflicted = world["zhunan"]["conflict"].judge
    client.force_login(conflicted)

    statuses = _statuses(client, _path(route, world["zhunan"]["entry"].pk))

    assert 404 in statuses and statuses <= {404, 405}


@pytest.mark.parametrize("route", sorted(r for r, kind in OBJECT_ROUTES.items() if kind in COUNTY_ONLY))
def test_judges_are_refused_the_county_only_routes(client, world, route):
    client.force_login(world["zhunan"]["conflict"].judge)

    statuses = _statuses(client, _path(route, world["zhunan"][OBJECT_ROUTES[route]].pk))

    assert 403 in statuses and statuses <= {403, 405}


@pytest.mark.parametrize("cast", ["county_client", "zhunan_client", "admin_client_"])
def test_the_rounds_list_names_no_other_countys_round(request, world, cast):
    body = request.getfixturevalue(cast).get(reverse("awards:index")).content.decode()

    assert world["douliu"]["round"].name not in body
    assert world["zhunan"]["round"].name in body
