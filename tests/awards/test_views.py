"""The award's staff pages, by role: what each sees, what each may do."""

from decimal import Decimal

import pytest
from django.urls import reverse

from awards import services
from awards.models import AwardRound, Conflict, ScoreSheet
from tests.associations.factories import AssociationFactory
from tests.awards.factories import EntryFactory, points

pytestmark = pytest.mark.django_db


def test_a_judge_sees_only_the_rounds_they_are_assigned_to(judge_client, assigned_judge, award_round):
    other = AwardRound.objects.create(county=award_round.county, year=2026, code="OTHER", name="另一回合")

    body = judge_client.get(reverse("awards:index")).content.decode()

    assert award_round.name in body
    assert other.name not in body
    assert judge_client.get(reverse("awards:round", args=[other.pk])).status_code == 404


def test_a_judge_sees_no_entry_they_are_conflicted_with(
    judge_client, assigned_judge, zhunan_entry, toufen_entry
):
    services.conflict_declare(actor=assigned_judge, entry=zhunan_entry, judge=assigned_judge)

    body = judge_client.get(reverse("awards:round", args=[zhunan_entry.round_id])).content.decode()

    assert "頭份社區發展協會" in body
    assert "竹南社區發展協會" not in body
    assert judge_client.get(reverse("awards:score", args=[zhunan_entry.pk])).status_code == 404


def test_the_scoring_page_lists_every_criterion_as_a_number_input_with_its_maximum(
    judge_client, assigned_judge, zhunan_entry
):
    body = judge_client.get(reverse("awards:score", args=[zhunan_entry.pk])).content.decode()

    assert body.count('type="number"') == 2
    assert 'max="40.0"' in body and 'max="60.0"' in body
    assert "autofocus" in body


def test_a_judge_submits_scores_through_the_page(judge_client, assigned_judge, zhunan_entry, criteria):
    data = {f"c{c.pk}": v for c, v in zip(criteria, ("35", "52.5"), strict=True)} | {"submit": "1"}

    response = judge_client.post(reverse("awards:score", args=[zhunan_entry.pk]), data)

    assert response.status_code == 302
    sheet = ScoreSheet.objects.get()
    assert sheet.is_submitted
    assert sorted(sheet.scores.values_list("points", flat=True)) == [Decimal(35), Decimal("52.5")]


def test_a_score_over_the_maximum_is_shown_as_an_error_and_nothing_is_saved(
    judge_client, assigned_judge, zhunan_entry, criteria
):
    data = {f"c{criteria[0].pk}": "45", f"c{criteria[1].pk}": "50", "save": "1"}

    response = judge_client.post(reverse("awards:score", args=[zhunan_entry.pk]), data)

    assert "0 到 40" in response.content.decode()
    assert not ScoreSheet.objects.exists()


def test_results_are_refused_to_a_judge_until_published(judge_client, assigned_judge, award_round):
    assert judge_client.get(reverse("awards:results", args=[award_round.pk])).status_code == 403


def test_a_township_clerk_sees_only_their_townships_entries(zhunan_client, zhunan_entry, toufen_entry):
    body = zhunan_client.get(reverse("awards:round", args=[zhunan_entry.round_id])).content.decode()

    assert "竹南社區發展協會" in body
    assert "頭份社區發展協會" not in body


def test_a_township_clerk_sees_results_only_after_publication(
    county_officer, zhunan_client, assigned_judge, zhunan_entry, criteria
):
    path = reverse("awards:results", args=[zhunan_entry.round_id])
    assert zhunan_client.get(path).status_code == 403
    services.sheet_save(
        actor=assigned_judge, entry=zhunan_entry, points=points(criteria, 30, 50), submit=True
    )
    services.round_publish(actor=county_officer, award_round=zhunan_entry.round)

    body = zhunan_client.get(path).content.decode()

    assert "80.00" in body


def test_the_county_sees_judge_totals_and_the_flagged_spread(
    county_client, assigned_judge, second_judge, zhunan_entry, criteria
):
    services.sheet_save(
        actor=assigned_judge, entry=zhunan_entry, points=points(criteria, 30, 50), submit=True
    )
    services.sheet_save(actor=second_judge, entry=zhunan_entry, points=points(criteria, 20, 40), submit=True)

    body = county_client.get(reverse("awards:results", args=[zhunan_entry.round_id])).content.decode()

    # totals 80 and 60: score 70.00, spread 20 above the default 10
    assert "70.00" in body and "80.0" in body and "60.0" in body
    assert "評審差距過大" in body


def test_results_export_as_csv_with_the_agreed_columns(county_client, assigned_judge, zhunan_entry, criteria):
    services.sheet_save(
        actor=assigned_judge, entry=zhunan_entry, points=points(criteria, 30, "50.5"), submit=True
    )

    response = county_client.get(reverse("awards:results", args=[zhunan_entry.round_id]), {"format": "csv"})

    lines = response.content.decode("utf-8-sig").splitlines()
    assert lines == [
        "組別,名次,鄉鎮市,協會名稱,總分,評審人數,各評審總分,等第",
        "績效組,1,竹南鎮,竹南社區發展協會,80.50,1,80.50,",
    ]


def test_the_export_escapes_a_name_that_looks_like_a_formula(county_client, group, zhunan, criteria):
    EntryFactory(group=group, association=AssociationFactory(township=zhunan, name="=HYPERLINK()社區"))

    response = county_client.get(reverse("awards:results", args=[group.round_id]), {"format": "csv"})

    assert "'=HYPERLINK()社區" in response.content.decode("utf-8-sig")


def test_a_county_officer_publishes_from_the_round_page(county_client, award_round):
    response = county_client.post(reverse("awards:publish", args=[award_round.pk]))

    assert response.status_code == 302
    award_round.refresh_from_db()
    assert award_round.state == AwardRound.State.PUBLISHED


def test_a_township_clerk_cannot_publish(zhunan_client, award_round):
    assert zhunan_client.post(reverse("awards:publish", args=[award_round.pk])).status_code == 403
    award_round.refresh_from_db()
    assert award_round.state == AwardRound.State.SCORING


def test_a_judge_can_print_their_score_sheet(judge_client, assigned_judge, zhunan_entry, criteria):
    services.sheet_save(actor=assigned_judge, entry=zhunan_entry, points=points(criteria, 30, 50))

    body = judge_client.get(reverse("awards:sheet", args=[zhunan_entry.pk])).content.decode()

    assert "評分表" in body and "竹南社區發展協會" in body and "80.0" in body


def test_the_judges_home_lists_their_rounds(judge_client, assigned_judge, zhunan_entry):
    body = judge_client.get(reverse("home")).content.decode()

    assert zhunan_entry.round.name in body
    assert "0 / 1" in body


@pytest.mark.parametrize("entries", [2, 20])
def test_the_results_page_runs_a_fixed_number_of_queries(
    county_client,
    group,
    criteria,
    assigned_judge,
    second_judge,
    zhunan,
    entries,
    django_assert_max_num_queries,
):
    for n in range(entries):
        entry = EntryFactory(group=group, association=AssociationFactory(township=zhunan, name=f"社區{n}"))
        for judge in (assigned_judge, second_judge):
            services.sheet_save(actor=judge, entry=entry, points=points(criteria, 30, n), submit=True)

    with django_assert_max_num_queries(6):
        assert county_client.get(reverse("awards:results", args=[group.round_id])).status_code == 200


@pytest.mark.parametrize("entries", [2, 20])
def test_the_round_page_runs_a_fixed_number_of_queries(
    county_client, group, criteria, assigned_judge, zhunan, entries, django_assert_max_num_queries
):
    for n in range(entries):
        entry = EntryFactory(group=group, association=AssociationFactory(township=zhunan, name=f"社區{n}"))
        services.sheet_save(actor=assigned_judge, entry=entry, points=points(criteria, 30, n), submit=True)

    with django_assert_max_num_queries(6):
        assert county_client.get(reverse("awards:round", args=[group.round_id])).status_code == 200


def test_a_county_officer_records_a_judges_conflict_from_the_round_page(
    county_client, assigned_judge, zhunan_entry
):
    page = county_client.get(reverse("awards:round", args=[zhunan_entry.round_id])).content.decode()
    assert "登錄迴避" in page

    county_client.post(
        reverse("awards:declare_conflict", args=[zhunan_entry.pk]), {"judge": assigned_judge.pk}
    )

    conflict = Conflict.objects.get()
    assert (conflict.judge, conflict.source) == (assigned_judge, Conflict.Source.COUNTY)


def test_a_judge_declares_their_own_conflict_and_no_longer_sees_the_entry(
    judge_client, assigned_judge, zhunan_entry
):
    judge_client.post(reverse("awards:declare_conflict", args=[zhunan_entry.pk]), {"detail": "曾任顧問"})

    assert Conflict.objects.get().source == Conflict.Source.JUDGE
    assert judge_client.get(reverse("awards:score", args=[zhunan_entry.pk])).status_code == 404
