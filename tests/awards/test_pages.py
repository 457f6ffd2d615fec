"""The round page's sections and the long tables of the round and results pages, a page at a time: each
costs a fixed number of queries however many entries the round has (issue 15), and shows what it showed."""

import datetime
from decimal import Decimal
from importlib import import_module

import pytest
from django.apps import apps as django_apps
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from awards import services
from awards.models import AwardResult, AwardRound, Score
from awards.results import RowFormat, number_text, published_rows, round_results
from awards.selectors import PUBLISHED_COLUMNS, round_with_groups
from tests.associations.factories import AssociationFactory
from tests.awards.factories import EntryFactory, GroupFactory, LevelFactory, points

pytestmark = pytest.mark.django_db


def _entries(group, township, criteria, judges, count: int, start: int = 0) -> list:
    entries = []
    for n in range(start, start + count):
        entry = EntryFactory(
            group=group, association=AssociationFactory(township=township, name=f"社區{n:02}")
        )
        for judge in judges:
            services.sheet_save(actor=judge, entry=entry, points=points(criteria, 30, n), submit=True)
        entries.append(entry)
    return entries


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured.captured_queries)


@pytest.mark.parametrize("section", ["entries", "criteria", "judges", "conflicts", "sheets", "events"])
def test_every_section_of_the_round_page_costs_the_same_few_queries_however_many_entries(
    county_client, group, criteria, assigned_judge, zhunan, section
):
    url = f"{reverse('awards:round', args=[group.round_id])}?section={section}"
    first = _entries(group, zhunan, criteria, [assigned_judge], 2)
    services.conflict_declare(actor=assigned_judge, entry=first[0], judge=assigned_judge)
    county_client.get(url)
    few = _queries(county_client, url)
    _entries(group, zhunan, criteria, [assigned_judge], 12, start=2)

    assert _queries(county_client, url) == few <= 6


@pytest.mark.parametrize("role", ["judge_client", "zhunan_client", "admin_client_"])
def test_the_round_page_costs_the_same_few_queries_for_every_role(
    request, group, criteria, assigned_judge, zhunan, zhunan_clerk, role
):
    client = request.getfixturevalue(role)
    url = reverse("awards:round", args=[group.round_id])
    _entries(group, zhunan, criteria, [assigned_judge], 2)
    client.get(url)
    few = _queries(client, url)
    _entries(group, zhunan, criteria, [assigned_judge], 12, start=2)

    assert _queries(client, url) == few <= 5


def test_the_county_finds_each_part_of_the_round_in_its_section(
    county_client, assigned_judge, zhunan_entry, criteria
):
    services.sheet_save(
        actor=assigned_judge, entry=zhunan_entry, points=points(criteria, 30, 50), submit=True
    )
    services.conflict_declare(
        actor=assigned_judge, entry=zhunan_entry, judge=assigned_judge, detail="曾任顧問"
    )
    url = reverse("awards:round", args=[zhunan_entry.round_id])

    def section(name: str) -> str:
        return county_client.get(url, {"section": name}).content.decode()

    assert "竹南社區發展協會" in section("entries") and "登錄迴避" in section("entries")
    assert f'<option value="{assigned_judge.pk}">{assigned_judge.username}</option>' in section("entries")
    assert "會務" in section("criteria") and "活動" in section("criteria")
    assert "judge" in section("judges")
    assert "曾任顧問" in section("conflicts")
    assert "更正分數" in section("sheets")
    assert "申報迴避" in section("events")


def test_others_see_only_the_entries_and_the_criteria_sections(
    judge_client, zhunan_client, assigned_judge, zhunan_entry, criteria
):
    services.sheet_save(
        actor=assigned_judge, entry=zhunan_entry, points=points(criteria, 30, 50), submit=True
    )
    url = reverse("awards:round", args=[zhunan_entry.round_id])

    for client in (judge_client, zhunan_client):
        body = client.get(url, {"section": "sheets"}).content.decode()
        assert "已送出的評分表</h2>" not in body  # an unknown section for them: the entries
        assert "竹南社區發展協會" in body
        assert 'href="?section=sheets"' not in body and 'href="?section=criteria"' in body
        assert "會務" in client.get(url, {"section": "criteria"}).content.decode()


def test_a_judge_sees_their_own_sheets_state_beside_each_entry(
    judge_client, assigned_judge, second_judge, zhunan_entry, toufen_entry, criteria
):
    services.sheet_save(actor=assigned_judge, entry=zhunan_entry, points=points(criteria, 30, 50))
    services.sheet_save(actor=second_judge, entry=toufen_entry, points=points(criteria, 30, 50), submit=True)

    body = judge_client.get(reverse("awards:round", args=[zhunan_entry.round_id])).content.decode()

    assert "縣府受理・草稿" in body  # their draft of 竹南
    assert "・已送出" not in body  # the other judge's sheet of 頭份 is not theirs


def test_the_entries_are_listed_a_page_at_a_time(county_client, group, criteria, zhunan):
    _entries(group, zhunan, criteria, [], 27)
    url = reverse("awards:round", args=[group.round_id])

    first = county_client.get(url, {"per": 25}).content.decode()
    second = county_client.get(url, {"per": 25, "page": 2}).content.decode()

    assert "社區00" in first and "社區24" in first and "社區25" not in first
    assert "社區25" in second and "社區26" in second and "社區24" not in second
    assert "共 27 筆" in first
    assert county_client.get(url, {"per": 25, "page": 3}).status_code == 404
    assert county_client.get(url, {"page": "x"}).status_code == 404


def test_an_empty_round_shows_its_first_page_and_no_other(county_client, award_round):
    url = reverse("awards:round", args=[award_round.pk])

    assert "尚無參選者" in county_client.get(url).content.decode()
    assert county_client.get(url, {"page": 2}).status_code == 404


def test_the_results_rank_the_whole_group_and_show_it_a_page_at_a_time(
    county_client, group, criteria, assigned_judge, zhunan
):
    _entries(group, zhunan, criteria, [assigned_judge], 27)  # 社區nn scores 30 + nn: 社區26 first
    url = reverse("awards:results", args=[group.round_id])

    first = county_client.get(url, {"per": 25}).content.decode()
    second = county_client.get(url, {"per": 25, "page": 2}).content.decode()

    assert "社區26" in first and "社區02" in first and "社區01" not in first
    assert '<td class="num">26</td><td>竹南鎮</td><td>社區01</td>' in second
    assert '<td class="num">27</td><td>竹南鎮</td><td>社區00</td>' in second
    assert second.count("<h2>績效組</h2>") == 1
    assert county_client.get(url, {"per": 25, "page": 3}).status_code == 404


def test_a_group_without_accepted_entries_says_so_on_the_results_page(county_client, group, award_round):
    GroupFactory(round=award_round, name="卓越組", sort_order=2)

    body = county_client.get(reverse("awards:results", args=[award_round.pk])).content.decode()

    assert "卓越組" in body and body.count("尚無受理的參選者") == 2


def test_the_round_comes_with_its_groups_levels_and_current_criteria_in_one_query(
    award_round, group, criteria, county_officer, django_assert_num_queries
):
    LevelFactory(group=group, name="甲等", rank=2, min_score=Decimal(70))
    LevelFactory(group=group, name="優等", rank=1, min_score=Decimal(85))
    services.criterion_revise(
        actor=county_officer, criterion=criteria[0], name="會務運作", max_points=Decimal(40), description=""
    )
    bare = GroupFactory(round=award_round, name="單項獎", sort_order=3)
    first = GroupFactory(round=award_round, name="卓越組", sort_order=0)
    group.sort_order = 1
    group.save()

    with django_assert_num_queries(1):
        loaded_round, groups = round_with_groups(AwardRound.objects.all(), award_round.pk)
        levels = {g.name: [level.name for level in g.levels.all()] for g in groups}
        current = {g.name: [(c.position, c.name, c.version) for c in g.criteria.all()] for g in groups}

    assert loaded_round == award_round and loaded_round.name == award_round.name
    assert [g.pk for g in groups] == [first.pk, group.pk, bare.pk]
    assert levels == {"卓越組": [], "績效組": ["優等", "甲等"], "單項獎": []}
    assert current == {"卓越組": [], "績效組": [(1, "會務運作", 2), (2, "活動", 1)], "單項獎": []}


def test_a_round_without_groups_still_loads_and_another_countys_round_does_not(award_round):
    assert round_with_groups(AwardRound.objects.all(), award_round.pk) == (award_round, [])
    assert round_with_groups(AwardRound.objects.exclude(pk=award_round.pk), award_round.pk) is None


def test_a_score_at_a_position_no_current_criterion_has_still_counts_in_the_total(
    county_client, assigned_judge, zhunan_entry, criteria
):
    services.sheet_save(
        actor=assigned_judge, entry=zhunan_entry, points=points(criteria, 30, 50), submit=True
    )
    # The second criterion retired without a successor (not a thing the pages do; the data allows it).
    criteria[1].superseded_at = timezone.make_aware(datetime.datetime(2026, 5, 1))
    criteria[1].save()

    body = county_client.get(reverse("awards:results", args=[zhunan_entry.round_id])).content.decode()

    assert "<strong>80.00</strong>" in body


def _published(group, criteria, judges, township, county_officer, count: int) -> AwardRound:
    LevelFactory(group=group, name="優等", rank=1, min_score=Decimal(28), quota=3)
    entries = _entries(group, township, criteria, judges[:1], count)
    for n, entry in enumerate(entries):
        services.sheet_save(actor=judges[1], entry=entry, points=points(criteria, 20, 2 * n % 7), submit=True)
    services.conflict_declare(actor=county_officer, entry=entries[0], judge=judges[1])
    award_round = AwardRound.objects.get(pk=group.round_id)
    services.round_publish(actor=county_officer, award_round=award_round)
    return award_round


def _shown(lines) -> list[tuple]:
    return [
        (
            line.entry.pk,
            line.result.rank,
            line.result.score,
            line.result.judges_counted,
            line.result.spread,
            line.result.spread_flag,
            line.result.normalised,
            line.result.level,
            line.result.national,
            line.totals_by_judge,
        )
        for line in lines
    ]


def test_publication_keeps_every_figure_the_results_page_shows(
    group, criteria, assigned_judge, second_judge, zhunan, county_officer
):
    award_round = _published(group, criteria, [assigned_judge, second_judge], zhunan, county_officer, 8)
    judges = [assigned_judge, second_judge]
    stored = (
        AwardResult.objects.filter(round=award_round)
        .order_by(F("rank").asc(nulls_last=True), "entry_id")
        .values_list(*PUBLISHED_COLUMNS)
    )

    computed = round_results(award_round)[0].lines
    kept = [row for _group_pk, row in published_rows(award_round, stored, judges)]

    assert kept == RowFormat().rows(computed)
    assert any(line.result.spread_flag for line in computed) and any(line.result.level for line in computed)
    assert "評審差距過大" in "".join(kept)
    assert [line.totals_by_judge[1] is None for line in computed].count(True) == 1  # the conflicted judge


@pytest.mark.parametrize("language", ["zh-hant", "en"])
@pytest.mark.parametrize(
    "value", [0, 7, 12345, Decimal("0.0"), Decimal("85.30"), Decimal("-1.5"), Decimal("1E+2")]
)
def test_the_results_rows_write_numbers_as_the_template_did(language, value):
    from django.utils import translation
    from django.utils.formats import localize

    with translation.override(language):
        assert number_text()(value) == str(localize(value))


def test_the_migration_completes_results_published_before_it_as_publication_does(
    group, criteria, assigned_judge, second_judge, zhunan, county_officer
):
    award_round = _published(group, criteria, [assigned_judge, second_judge], zhunan, county_officer, 8)
    fields = ["entry_id", "judge_ids", "spread", "spread_flag", "normalised"]
    published = list(AwardResult.objects.filter(round=award_round).order_by("entry_id").values_list(*fields))
    AwardResult.objects.update(judge_ids=[], spread=None, spread_flag=False, normalised=None)

    import_module(
        "awards.migrations.0002_award_result_keeps_what_the_results_page_shows"
    ).complete_published_results(django_apps, None)

    assert list(AwardResult.objects.order_by("entry_id").values_list(*fields)) == published


def test_the_published_results_page_shows_what_was_published(
    county_client, group, criteria, assigned_judge, second_judge, zhunan, county_officer
):
    award_round = _published(group, criteria, [assigned_judge, second_judge], zhunan, county_officer, 8)
    url = reverse("awards:results", args=[award_round.pk])

    def table() -> str:
        body = county_client.get(url).content.decode()
        return body[body.index("<table") : body.index("</table>")]

    before = table()
    Score.objects.update(points=Decimal(1))  # behind the services' back: publication froze the figures

    after = table()

    assert after == before
    assert "優等" in after
    assert "評審差距過大" in after


@pytest.mark.parametrize("role", ["county_client", "zhunan_client", "judge_client", "admin_client_"])
def test_the_published_results_page_costs_the_same_few_queries_however_many_entries(
    request, group, criteria, assigned_judge, second_judge, zhunan, zhunan_clerk, county_officer, role
):
    award_round = _published(group, criteria, [assigned_judge, second_judge], zhunan, county_officer, 3)
    client = request.getfixturevalue(role)
    url = reverse("awards:results", args=[award_round.pk])
    client.get(url)
    few = _queries(client, url)
    more = EntryFactory(group=group, association=AssociationFactory(township=zhunan, name="後來社區"))
    AwardResult.objects.bulk_create(
        AwardResult(
            round=award_round,
            entry=entry,
            association_id=entry.association_id,
            year=2026,
            group_name="績效組",
        )
        for entry in [
            more,
            *_entries(GroupFactory(round=award_round, name="卓越組"), zhunan, [], [], 30, start=50),
        ]
    )

    assert _queries(client, url) == few <= 5


def test_the_published_results_are_shown_a_page_at_a_time_in_ranking_order(
    county_client, group, criteria, assigned_judge, second_judge, zhunan, county_officer
):
    award_round = _published(group, criteria, [assigned_judge, second_judge], zhunan, county_officer, 27)
    url = reverse("awards:results", args=[award_round.pk])
    order = list(
        AwardResult.objects.filter(round=award_round)
        .order_by(F("rank").asc(nulls_last=True), "entry_id")
        .values_list("entry__association__name", flat=True)
    )

    first = county_client.get(url, {"per": 25}).content.decode()
    second = county_client.get(url, {"per": 25, "page": 2}).content.decode()

    assert all(f"<td>{name}</td>" in first for name in order[:25])
    assert all(f"<td>{name}</td>" in second for name in order[25:])
    assert not any(f"<td>{name}</td>" in second for name in order[:25])
    assert first.index(f"<td>{order[0]}</td>") < first.index(f"<td>{order[24]}</td>")
