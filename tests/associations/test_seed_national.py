"""The national data set (`seed_demo --scale national`, issue 15) at a small size: its shape (every county,
ten years, every subsidy state, a round a year with seven judges and six criteria), rows that pass the
models' own checks, a history row for each, reproducibility, and the refusal on a non-empty database."""

from __future__ import annotations

import csv
import hashlib
from collections import Counter

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import transaction
from django.test import override_settings

from associations.demo.national import national_plan, national_years
from associations.demo.writing import DemoError
from associations.models import (
    Association,
    County,
    Election,
    Meeting,
    Officer,
    ProgrammeProfile,
    StaffMembership,
    YearlyFiling,
)
from awards.models import AwardRound, Conflict, Criterion, JudgeAssignment, ScoreSheet
from config.demo import national_seed
from core.roles import Role
from grading.models import Assessment, TierRegister
from subsidies.models import Application, State
from tests import TODAY, clock_at

pytestmark = pytest.mark.django_db

FAST_HASHER = "django.contrib.auth.hashers.MD5PasswordHasher"
SIZE = 400  # at least one association in each of the 368 townships
YEARS = list(range(2017, 2027))  # TODAY is 2026-07-01: the nine completed years before it and 2026


def _fixture_counties() -> set[str]:
    with (settings.BASE_DIR / "fixtures" / "geography.csv").open(encoding="utf-8-sig") as stream:
        return {row["縣市"] for row in csv.DictReader(stream)}


@pytest.fixture(scope="module")
def _seeded_once(django_db_setup, django_db_blocker):
    """Seed once for the module inside a transaction rolled back at its end (as `test_seed_demo` does)."""
    with clock_at(TODAY), django_db_blocker.unblock(), override_settings(PASSWORD_HASHERS=[FAST_HASHER]):
        outer = transaction.atomic()
        outer.__enter__()
        try:
            yield national_seed(associations=SIZE, today=TODAY)
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.fixture
def seeded(_seeded_once, db):
    return _seeded_once


def test_the_geography_fixture_holds_all_22_counties_and_368_townships():
    with (settings.BASE_DIR / "fixtures" / "geography.csv").open(encoding="utf-8-sig") as stream:
        rows = list(csv.DictReader(stream))
    counts = Counter(row["縣市"] for row in rows)
    assert (len(counts), len(rows)) == (22, 368)
    assert (counts["新北市"], counts["高雄市"], counts["臺南市"], counts["連江縣"]) == (29, 38, 37, 4)


def test_the_national_plan_is_the_same_for_the_same_seed_and_differs_for_another():
    def digest(seed: int) -> str:
        planned = national_plan(seed=seed, today=TODAY, associations=SIZE)
        text = "|".join(
            f"{words.county}{p.township}{p.name}{p.values['founded_on']}{len(p.compliance.meetings)}"
            for words, plans in planned
            for p in plans
        )
        return hashlib.sha256(text.encode()).hexdigest()

    assert digest(7) == digest(7)
    assert digest(7) != digest(8)


def test_every_county_gets_associations_and_the_home_county_the_most_per_township():
    planned = national_plan(seed=112, today=TODAY, associations=1000)
    sizes = {words.county: len(plans) for words, plans in planned}
    assert set(sizes) == _fixture_counties()
    assert sum(sizes.values()) == 1000
    per_township = {words.county: len(plans) / len(words.townships) for words, plans in planned}
    assert max(per_township, key=per_township.__getitem__) == "苗栗縣"


def test_fewer_associations_than_townships_are_refused():
    with pytest.raises(DemoError, match="全國規模資料至少需要 368 個協會"):
        national_plan(seed=112, today=TODAY, associations=367)


def test_the_national_set_has_every_county_and_ten_years_of_facts(seeded):
    assert seeded.associations == SIZE
    assert Association.objects.count() == SIZE
    with_associations = set(
        County.objects.filter(townships__associations__isnull=False).values_list("name", flat=True)
    )
    assert with_associations == _fixture_counties()
    assert list(national_years(TODAY)) == YEARS
    meeting_years = set(Meeting.objects.values_list("held_on__year", flat=True))
    assert meeting_years == set(YEARS)
    assert set(YearlyFiling.objects.values_list("year", flat=True)) >= set(YEARS)


def test_every_county_and_year_is_graded_by_the_recompute(seeded):
    graded = set(Assessment.objects.values_list("association__township__county__name", "year").distinct())
    assert graded == {(county, year) for county in _fixture_counties() for year in YEARS}
    assert set(Assessment.objects.values_list("status", flat=True)) == {"normal", "guidance", "abnormal"}
    finalised = TierRegister.objects.filter(state=TierRegister.State.FINALISED)
    assert sorted(finalised.values_list("county__name", "year")) == [("苗栗縣", y) for y in YEARS[:-2]]


def test_subsidy_applications_reach_every_state(seeded):
    assert set(Application.objects.values_list("state", flat=True)) == set(State.values)
    assert Application.objects.count() == 60


def test_a_round_a_year_with_seven_judges_and_six_criteria(seeded):
    rounds = AwardRound.objects.order_by("year")
    assert list(rounds.values_list("year", flat=True)) == YEARS
    assert {r.state for r in rounds[: len(YEARS) - 1]} == {AwardRound.State.PUBLISHED}
    assert rounds.last().state == AwardRound.State.SCORING
    for award_round in rounds:
        assert JudgeAssignment.objects.filter(round=award_round).count() == 7
        assert Criterion.objects.filter(group__round=award_round).count() == 6
        assert award_round.entries.count() > 0
    published = rounds.first()
    assert published.results.count() == published.entries.count()
    sheets = ScoreSheet.objects.filter(entry__round=published, state=ScoreSheet.State.SUBMITTED).count()
    conflicted = (
        Conflict.objects.filter(entry__round=published, cleared_at__isnull=True)
        .values_list("entry_id", "judge_id")
        .distinct()
        .count()
    )
    assert sheets + conflicted == published.entries.count() * 7


def test_the_bench_users_exist_in_the_home_county(seeded):
    roles = dict(StaffMembership.objects.values_list("user__username", "role"))
    assert roles["county"] == Role.COUNTY and roles["admin"] == Role.ADMIN
    assert roles["zhunan"] == Role.TOWNSHIP
    assert sum(1 for role in roles.values() if role == Role.JUDGE) == 7
    assert StaffMembership.objects.get(user__username="zhunan").township.county.name == "苗栗縣"


@pytest.mark.parametrize("model", [Association, Officer, Meeting, YearlyFiling, Election, ProgrammeProfile])
def test_bulk_written_rows_pass_the_model_checks_and_each_has_a_history_row(seeded, model):
    """Every row has its history row; the rows of one association per county (every county's words, all
    ten years) pass the models' own checks (some run a query a row, so not all 15,000 meetings)."""
    sample = [
        Association.objects.filter(township__county=county).order_by("pk").first()
        for county in County.objects.filter(townships__associations__isnull=False).distinct()
    ]
    rows = model.objects.filter(
        **({"pk__in": [a.pk for a in sample]} if model is Association else {"association__in": sample})
    )
    assert rows.exists()
    for row in rows:
        row.full_clean(validate_unique=False, validate_constraints=False)
    assert model.history.filter(history_type="+").count() == model.objects.count()


def test_the_national_seed_refuses_a_database_with_associations(seeded):
    with pytest.raises(CommandError, match="全國規模資料只能寫入空白資料庫"):
        call_command("seed_demo", "--scale", "national", "--associations", "400", "--force")
