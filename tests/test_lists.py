"""The list pages that find and sort (the association list, the tier register, the township grid): one
search word by word over name, chairperson, address, registration number and township with 台/臺 and
full-width text alike; sortable column headers; a page size; an out-of-range page is a 404; and another
county's or township's rows never appear."""

import datetime
import re
from urllib.parse import parse_qs

import pytest

from tests.associations.factories import AssociationFactory, OfficerFactory
from tests.grading.factories import AssessmentFactory

pytestmark = pytest.mark.usefixtures("frozen_today")

LIST = "/associations/"
REGISTER = "/grading/112/register/"
GRID = "/associations/compliance/112/"


def _names(response) -> list[str]:
    """Association names in the order the page lists them (list, register and grid alike)."""
    return re.findall(
        r'<a href="/(?:associations|grading)/[^"]+">([^<]*協會[^<]*)</a>', response.content.decode()
    )


def _assessed(township, name, **kwargs):
    return AssessmentFactory(association=AssociationFactory(township=township, name=name), **kwargs)


# --- search ----------------------------------------------------------------------------------------------


def test_search_in_tai_finds_a_name_stored_with_the_other_tai(county_client, zhunan):
    AssociationFactory(township=zhunan, name="台灣測試社區發展協會")

    assert _names(county_client.get(LIST, {"q": "臺灣測試"})) == ["台灣測試社區發展協會"]


def test_search_in_short_tai_finds_a_name_stored_with_the_long_tai(county_client, zhunan):
    AssociationFactory(township=zhunan, name="臺灣測試社區發展協會")

    assert _names(county_client.get(LIST, {"q": "台灣測試"})) == ["臺灣測試社區發展協會"]


def test_search_words_must_all_match_township_and_name(county_client, zhunan, toufen):
    AssociationFactory(township=zhunan, name="中港社區發展協會")
    AssociationFactory(township=toufen, name="中港溪社區發展協會")
    AssociationFactory(township=zhunan, name="大埔社區發展協會")

    assert _names(county_client.get(LIST, {"q": "竹南鎮 中港"})) == ["中港社區發展協會"]


def test_search_finds_the_current_chairperson(county_client, zhunan):
    OfficerFactory(association=AssociationFactory(township=zhunan, name="甲社區發展協會"), name="林志明")
    AssociationFactory(township=zhunan, name="乙社區發展協會")

    assert _names(county_client.get(LIST, {"q": "林志明"})) == ["甲社區發展協會"]


def test_search_in_full_width_digits_finds_the_registration_number(county_client, zhunan):
    AssociationFactory(township=zhunan, name="甲社區發展協會", registration_number="府社字第111號")
    AssociationFactory(township=zhunan, name="乙社區發展協會", registration_number="府社字第222號")

    assert _names(county_client.get(LIST, {"q": "１１１"})) == ["甲社區發展協會"]


def test_search_finds_the_address(county_client, zhunan):
    AssociationFactory(township=zhunan, name="甲社區發展協會", address="苗栗縣竹南鎮光復路1號")
    AssociationFactory(township=zhunan, name="乙社區發展協會", address="苗栗縣竹南鎮博愛街2號")

    assert _names(county_client.get(LIST, {"q": "光復路"})) == ["甲社區發展協會"]


def test_search_never_shows_another_townships_rows(toufen_client, zhunan, toufen):
    AssociationFactory(township=zhunan, name="中港社區發展協會")

    assert _names(toufen_client.get(LIST, {"q": "中港"})) == []


def test_search_never_shows_another_countys_rows(county_client, douliu):
    AssociationFactory(township=douliu, name="斗六中港社區發展協會")

    assert _names(county_client.get(LIST, {"q": "中港"})) == []


def test_register_search_matches_township_and_name(county_client, zhunan, toufen):
    _assessed(zhunan, "中港社區發展協會")
    _assessed(toufen, "中港溪社區發展協會")

    assert _names(county_client.get(REGISTER, {"q": "竹南鎮 中港"})) == ["中港社區發展協會"]


def test_grid_search_narrows_the_townships_rows(county_client, zhunan):
    AssociationFactory(township=zhunan, name="台灣測試社區發展協會")
    AssociationFactory(township=zhunan, name="大埔社區發展協會")

    response = county_client.get(GRID, {"township": zhunan.pk, "q": "臺灣"})

    assert _names(response) == ["台灣測試社區發展協會"]


# --- sorting ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("name", ["乙社區發展協會", "甲社區發展協會"]),
        ("-name", ["甲社區發展協會", "乙社區發展協會"]),
        ("chair", ["甲社區發展協會", "乙社區發展協會"]),
        ("-chair", ["乙社區發展協會", "甲社區發展協會"]),
        ("term", ["乙社區發展協會", "甲社區發展協會"]),
        ("-members", ["乙社區發展協會", "甲社區發展協會"]),
        ("founded", ["甲社區發展協會", "乙社區發展協會"]),
        ("status", ["甲社區發展協會", "乙社區發展協會"]),
        ("-status", ["乙社區發展協會", "甲社區發展協會"]),
        ("-township", ["乙社區發展協會", "甲社區發展協會"]),
    ],
)
def test_list_sorts_by_each_column_header(county_client, zhunan, toufen, sort, expected):
    first = AssociationFactory(
        township=zhunan,
        name="甲社區發展協會",
        term_number=9,
        member_count=10,
        founded_on=datetime.date(1990, 1, 1),
        status="active",
    )
    second = AssociationFactory(
        township=toufen,
        name="乙社區發展協會",
        term_number=3,
        member_count=99,
        founded_on=datetime.date(2000, 1, 1),
        status="reorganising",
    )
    zhunan.sort_order, toufen.sort_order = 1, 2
    zhunan.save(update_fields=["sort_order"])
    toufen.save(update_fields=["sort_order"])
    OfficerFactory(association=first, name="王大明")
    OfficerFactory(association=second, name="陳小美")

    assert _names(county_client.get(LIST, {"sort": sort})) == expected


def test_an_unknown_sort_is_the_default_order(county_client, zhunan):
    AssociationFactory(township=zhunan, name="乙社區發展協會")
    AssociationFactory(township=zhunan, name="甲社區發展協會")

    response = county_client.get(LIST, {"sort": "password"})

    assert _names(response) == ["乙社區發展協會", "甲社區發展協會"]


def test_column_header_links_keep_the_filters_and_turn_the_order_around(county_client, zhunan):
    AssociationFactory(township=zhunan, name="甲社區發展協會")

    html = county_client.get(LIST, {"q": "社區", "sort": "name", "page": 1}).content.decode()

    link = re.search(r'aria-sort="ascending"><a href="\?([^"]+)"', html).group(1).replace("&amp;", "&")
    assert parse_qs(link) == {"q": ["社區"], "sort": ["-name"]}


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("name", ["乙社區發展協會", "甲社區發展協會"]),
        ("-name", ["甲社區發展協會", "乙社區發展協會"]),
        ("status", ["甲社區發展協會", "乙社區發展協會"]),
        ("-status", ["乙社區發展協會", "甲社區發展協會"]),
        ("tier", ["甲社區發展協會", "乙社區發展協會"]),
        ("-suggested", ["乙社區發展協會", "甲社區發展協會"]),
    ],
)
def test_register_sorts_by_each_column_header(county_client, zhunan, sort, expected):
    _assessed(zhunan, "甲社區發展協會", status="normal", suggested_tier="potential")
    _assessed(zhunan, "乙社區發展協會", status="guidance", suggested_tier="developing")

    assert _names(county_client.get(REGISTER, {"sort": sort})) == expected


def test_register_sorts_by_chairperson(county_client, zhunan):
    OfficerFactory(association=_assessed(zhunan, "甲社區發展協會").association, name="王大明")
    OfficerFactory(association=_assessed(zhunan, "乙社區發展協會").association, name="陳小美")

    assert _names(county_client.get(REGISTER, {"sort": "-chair"})) == ["乙社區發展協會", "甲社區發展協會"]


def test_grid_sorts_by_name_both_ways(county_client, zhunan):
    AssociationFactory(township=zhunan, name="乙社區發展協會")
    AssociationFactory(township=zhunan, name="甲社區發展協會")

    response = county_client.get(GRID, {"township": zhunan.pk, "sort": "-name"})

    assert _names(response) == ["甲社區發展協會", "乙社區發展協會"]


# --- pages -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("url", [LIST, REGISTER, GRID])
@pytest.mark.parametrize("page", ["0", "-1", "999", "abc"])
def test_a_page_that_does_not_exist_is_not_found(county_client, zhunan, url, page):
    _assessed(zhunan, "甲社區發展協會")

    assert county_client.get(url, {"page": page}).status_code == 404


def test_a_chosen_page_size_shows_that_many_rows(county_client, zhunan):
    AssociationFactory.create_batch(30, township=zhunan)

    response = county_client.get(LIST, {"per": 25})

    assert len(_names(response)) == 25
    assert "共 30 筆，第 1 / 2 頁" in response.content.decode()


def test_a_page_size_not_offered_is_the_default(county_client, zhunan):
    AssociationFactory.create_batch(60, township=zhunan)

    assert len(_names(county_client.get(LIST, {"per": 100000}))) == 50


def test_the_grid_shows_25_rows_unless_more_are_chosen(county_client, zhunan):
    AssociationFactory.create_batch(30, township=zhunan)

    assert len(_names(county_client.get(GRID, {"township": zhunan.pk}))) == 25
    assert len(_names(county_client.get(GRID, {"township": zhunan.pk, "per": 50}))) == 30


def test_the_grids_last_page_shows_the_rest_and_counts_every_row(county_client, zhunan):
    AssociationFactory.create_batch(30, township=zhunan)

    first = county_client.get(GRID, {"township": zhunan.pk})
    last = county_client.get(GRID, {"township": zhunan.pk, "page": 2})

    assert len(_names(last)) == 5
    assert set(_names(first)).isdisjoint(_names(last))
    assert "共 30 筆，第 2 / 2 頁" in last.content.decode()
    assert county_client.get(GRID, {"township": zhunan.pk, "page": 3}).status_code == 404


def test_page_links_keep_search_sort_and_page_size(county_client, zhunan):
    AssociationFactory.create_batch(30, township=zhunan)

    html = county_client.get(LIST, {"q": "協會", "sort": "-name", "per": 25}).content.decode()

    link = re.search(r'href="\?([^"]+)" rel="next"', html).group(1).replace("&amp;", "&")
    assert parse_qs(link) == {"q": ["協會"], "sort": ["-name"], "per": ["25"], "page": ["2"]}


# --- query budgets ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("rows", [3, 40])
def test_searched_and_sorted_list_stays_within_its_query_budget(
    zhunan_client, zhunan, django_assert_max_num_queries, rows
):
    for association in AssociationFactory.create_batch(rows, township=zhunan):
        OfficerFactory(association=association)

    with django_assert_max_num_queries(8):
        response = zhunan_client.get(LIST, {"q": "竹南 協會", "sort": "-chair"})

    assert response.status_code == 200


@pytest.mark.parametrize("rows", [3, 40])
def test_searched_and_sorted_register_stays_within_its_query_budget(
    county_client, zhunan, django_assert_max_num_queries, rows
):
    for n in range(rows):
        _assessed(zhunan, f"第{n}社區發展協會")

    with django_assert_max_num_queries(12):
        response = county_client.get(REGISTER, {"q": "竹南鎮 社區", "sort": "-tier"})

    assert response.status_code == 200
