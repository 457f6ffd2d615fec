import datetime
import hashlib
import io
import re
from collections import Counter

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db import transaction
from django.db.models import Count
from django.http import HttpRequest
from django.test import Client, override_settings

from associations.demo.planning import demo_plan, demo_years
from associations.demo.writing import DEMO_PASSWORD
from associations.demo.yunlin import YUNLIN
from associations.models import (
    Association,
    Election,
    Meeting,
    Officer,
    ProgrammeProfile,
    StaffMembership,
    Village,
    YearlyFiling,
)
from config.demo import demo_seed
from core.roles import Role
from grading.models import Assessment, ComplianceStatus, Tier, TierChange, TierRegister
from grading.selectors import year_summary
from tests import TODAY, clock_at

pytestmark = pytest.mark.django_db

FAST_HASHER = "django.contrib.auth.hashers.MD5PasswordHasher"
DEMO_USERNAMES = ["county", "zhunan", "toufen", "judge", "admin", "yunlin", "douliu"]
MIAOLI, YUNLIN_COUNTY = "苗栗縣", "雲林縣"
FACT_MODELS = [Meeting, YearlyFiling, Election, ProgrammeProfile]


@pytest.fixture(scope="module")
def _seeded_once(django_db_setup, django_db_blocker):
    """Seed once for the module inside a transaction that is rolled back at its end, so other modules
    still start from an empty database; each test runs in a savepoint on top and is rolled back too. The demo
    is planned from the day, so the clock stays at TODAY for the module: its expectations cannot drift."""
    with clock_at(TODAY), django_db_blocker.unblock(), override_settings(PASSWORD_HASHERS=[FAST_HASHER]):
        outer = transaction.atomic()
        outer.__enter__()
        try:
            yield demo_seed(today=TODAY)
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.fixture
def seeded(_seeded_once, db):
    return _seeded_once


def _counts() -> dict[str, int]:
    models = [Association, Officer, Village, get_user_model(), StaffMembership]
    counts = {model.__name__: model.objects.count() for model in models}
    counts["association history"] = Association.history.count()
    counts["officer history"] = Officer.history.count()
    for model in [*FACT_MODELS, Assessment, TierChange, TierRegister]:
        counts[model.__name__] = model.objects.count()
    for model in FACT_MODELS:
        counts[f"{model.__name__} history"] = model.history.count()
    return counts


def _roster() -> list[tuple]:
    return sorted(
        Officer.objects.values_list(
            "association__township__name",
            "association__name",
            "association__registration_number",
            "position",
            "name",
            "term_start",
        )
    )


def test_seed_creates_280_associations_across_the_18_townships_of_miaoli(seeded):
    associations = Association.objects.filter(township__county__name="苗栗縣")
    assert associations.count() == 280
    assert associations.values("township").distinct().count() == 18


def test_urban_townships_have_more_associations_than_mountain_townships(seeded):
    per_township = dict(Association.objects.values_list("township__name").annotate(n=Count("pk")))
    urban = min(per_township["苗栗市"], per_township["頭份市"], per_township["竹南鎮"])
    assert urban > max(per_township["泰安鄉"], per_township["獅潭鄉"], per_township["三灣鄉"])


def test_association_names_are_place_names_without_the_township_prefix(seeded):
    names = Association.objects.values_list("township__name", "name")
    assert all(re.fullmatch(r"[\u4e00-\u9fff]{2,3}社區發展協會", name) for _, name in names)
    assert not [name for township, name in names if name.startswith(township)]


def test_every_active_association_has_exactly_one_current_chair(seeded):
    chairs = Counter(
        Officer.objects.current()
        .filter(position=Officer.Position.CHAIR)
        .values_list("association_id", flat=True)
    )
    active = Association.objects.active().values_list("pk", flat=True)
    assert {pk: chairs[pk] for pk in active} == dict.fromkeys(active, 1)


def test_dissolved_associations_have_no_officer_in_office(seeded):
    dissolved = Association.objects.filter(status=Association.Status.DISSOLVED)
    assert dissolved.exists()
    assert not Officer.objects.current().filter(association__in=dissolved).exists()


def test_current_terms_run_four_years_and_some_end_within_six_months(seeded):
    today = TODAY
    chairs = Officer.objects.current().filter(position=Officer.Position.CHAIR)
    for chair in chairs:
        next_term = chair.term_start.replace(year=chair.term_start.year + 4)
        assert chair.term_end == next_term - datetime.timedelta(days=1)
    assert chairs.filter(term_end__lte=today + datetime.timedelta(days=183)).count() >= 5


def test_running_the_seed_twice_changes_no_counts(seeded):
    before = _counts()
    result = demo_seed(today=TODAY)
    assert _counts() == before
    assert (result.associations_created, result.associations_skipped) == (0, 340)


def test_the_same_seed_brings_back_deleted_associations_exactly_as_they_were(seeded):
    before = _roster()
    Association.objects.filter(township__name="竹南鎮").delete()
    result = demo_seed(seed=112, today=TODAY)
    assert result.associations_created == 30
    assert _roster() == before


def test_a_different_seed_plans_a_different_roster():
    today = datetime.date(2026, 1, 5)
    names = [[(p.township, p.name) for p in demo_plan(seed=seed, today=today)] for seed in (1, 2)]
    assert len(names[0]) == len(names[1]) == 280
    assert names[0] != names[1]


def test_seeded_associations_start_with_a_history_row_that_lists_their_villages(seeded):
    association = Association.objects.filter(villages__isnull=False).first()
    record = association.history.get()
    assert record.history_type == "+"
    recorded = {row.village_id for row in record.villages.all()}
    assert recorded == set(association.villages.values_list("pk", flat=True))


def test_demo_users_have_their_roles_and_townships(seeded):
    memberships = {
        m.user.username: (m.role, m.township.name if m.township else None)
        for m in StaffMembership.objects.select_related("user", "township")
    }
    assert memberships == {
        "county": (Role.COUNTY, None),
        "zhunan": (Role.TOWNSHIP, "竹南鎮"),
        "toufen": (Role.TOWNSHIP, "頭份市"),
        "judge": (Role.JUDGE, None),
        "admin": (Role.ADMIN, None),
        "yunlin": (Role.COUNTY, None),
        "douliu": (Role.TOWNSHIP, "斗六市"),
        # the award demo's two other judges (awards/demo.py: a trimmed mean needs three)
        "judge-lin": (Role.JUDGE, None),
        "judge-wu": (Role.JUDGE, None),
    }
    assert get_user_model().objects.get(username="county").get_full_name() == "陳美玲"


def test_every_demo_user_can_log_in_with_the_demo_password(seeded):
    demo_seed(today=TODAY)  # a second run updates the users rather than duplicating them
    assert get_user_model().objects.filter(username__in=DEMO_USERNAMES).count() == 7
    request = HttpRequest()  # axes judges every sign-in by its request
    assert all(Client().login(request=request, username=u, password=DEMO_PASSWORD) for u in DEMO_USERNAMES)


def test_zhunan_clerk_sees_only_zhunan_associations(seeded):
    clerk = get_user_model().objects.get(username="zhunan")
    visible = Association.objects.visible_to(clerk)
    assert set(visible.values_list("township__name", flat=True)) == {"竹南鎮"}
    assert visible.count() == Association.objects.filter(township__name="竹南鎮").count() > 0


def test_command_prints_the_login_table_and_the_address(seeded):
    out = io.StringIO()
    call_command("seed_demo", "--seed", "112", "--force", stdout=out)
    output = out.getvalue()
    assert re.search(r"zhunan\s+公所承辦人\s+苗栗縣\s+竹南鎮\s+demo-portal-2026", output)
    assert re.search(r"county\s+縣府承辦人\s+苗栗縣\s+—\s+demo-portal-2026", output)
    assert re.search(r"yunlin\s+縣府承辦人\s+雲林縣\s+—\s+demo-portal-2026", output)
    assert re.search(r"douliu\s+公所承辦人\s+雲林縣\s+斗六市\s+demo-portal-2026", output)
    assert "http://127.0.0.1:8000/" in output


@pytest.mark.django_db
def test_seed_demo_refuses_to_run_with_debug_off_unless_forced(settings):
    settings.DEBUG = False
    before = Association.objects.count()
    with pytest.raises(CommandError, match="--force"):
        call_command("seed_demo", "--seed", "7", stdout=io.StringIO())
    assert Association.objects.count() == before


# --- compliance facts and the tier register ---------------------------------------------------------------


def _years() -> tuple[int, int, int]:
    return demo_years(TODAY)


def test_the_demo_has_compliance_facts_for_two_completed_years_and_this_year(seeded):
    for year in _years():
        assert Meeting.objects.filter(held_on__year=year, kind=Meeting.Kind.GENERAL_ASSEMBLY).count() > 100
        assert Meeting.objects.filter(held_on__year=year).exclude(kind=Meeting.Kind.GENERAL_ASSEMBLY).exists()
        assert YearlyFiling.objects.filter(year=year, plan_budget_filed_on__isnull=False).count() > 100
    completed = _years()[1]
    assert YearlyFiling.objects.filter(year=completed, report_accounts_filed_on__isnull=False).count() > 100
    assert Election.objects.values("association").distinct().count() == 340
    assert 0 < ProgrammeProfile.objects.count() < 340
    assert ProgrammeProfile.objects.filter(volunteer_team=True, volunteer_count__gte=10).exists()
    assert ProgrammeProfile.objects.exclude(regular_services="").exists()
    assert Association.objects.filter(board_meeting_interval_months=3).exists()
    assert Meeting.objects.filter(kind=Meeting.Kind.JOINT).exists()


def test_seeded_facts_start_with_a_history_row_each(seeded):
    for model in FACT_MODELS:
        assert model.history.filter(history_type="+").count() == model.objects.count() > 0
        assert set(model.history.values_list("history_change_reason", flat=True)) == {"示範資料"}


def test_seeded_facts_pass_the_models_validation_and_nothing_is_in_the_future(seeded):
    today = TODAY
    assert not Meeting.objects.filter(held_on__gt=today).exists()
    assert not Meeting.objects.filter(minutes_filed_on__gt=today).exists()
    assert not YearlyFiling.objects.filter(plan_budget_filed_on__gt=today).exists()
    assert not YearlyFiling.objects.filter(report_accounts_filed_on__gt=today).exists()
    assert not Election.objects.filter(elected_on__gt=today).exists()
    assert not ProgrammeProfile.objects.filter(care_station_since__gt=today).exists()
    for model in FACT_MODELS:  # one township's facts, constraints included (they cost a query each)
        for row in model.objects.filter(association__township__name="竹南鎮"):
            row.full_clean()


def test_elections_end_when_the_officers_terms_end(seeded):
    chairs = dict(
        Officer.objects.current()
        .filter(position=Officer.Position.CHAIR)
        .values_list("association_id", "term_end")
    )
    latest = {}
    for association_id, term_ends_on in Election.objects.order_by("term_ends_on").values_list(
        "association_id", "term_ends_on"
    ):
        latest[association_id] = term_ends_on
    assert {pk: latest[pk] for pk in chairs} == chairs
    assert Election.objects.filter(note__contains="逾期改選").exists()


def test_reorganising_and_dissolved_associations_look_it(seeded):
    completed = _years()[1]
    reorganising = Association.objects.filter(status=Association.Status.REORGANISING)
    dissolved = Association.objects.filter(status=Association.Status.DISSOLVED)
    assert not Meeting.objects.filter(
        association__in=reorganising, kind=Meeting.Kind.GENERAL_ASSEMBLY, held_on__year=completed
    ).exists()
    assert not Meeting.objects.filter(association__in=dissolved).exists()
    statuses = set(Assessment.objects.filter(association__in=reorganising).values_list("status", flat=True))
    assert statuses == {ComplianceStatus.ABNORMAL}
    assert not Assessment.objects.filter(association__in=dissolved).exists()


def test_the_last_completed_year_has_every_status_and_every_tier(seeded):
    assessments = Assessment.objects.filter(year=_years()[1])
    assert assessments.count() == Association.objects.active().count()
    statuses = Counter(assessments.values_list("status", flat=True))
    tiers = Counter(assessments.with_tier().values_list("tier_in_force", flat=True))
    assert set(statuses) == set(ComplianceStatus.values)
    assert set(tiers) == set(Tier.values)
    assert statuses.most_common(1)[0][0] == ComplianceStatus.NORMAL


@pytest.mark.parametrize(("county", "officer"), [(MIAOLI, "county"), (YUNLIN_COUNTY, "yunlin")])
def test_each_county_has_every_year_assessed_and_its_oldest_register_finalised_by_its_officer(
    seeded, county, officer
):
    oldest, middle, current = _years()
    active = Association.objects.active().filter(township__county__name=county).count()
    for year in (oldest, middle, current):
        assert (
            Assessment.objects.filter(year=year, association__township__county__name=county).count() == active
        )
    registers = {
        r.year: r for r in TierRegister.objects.filter(county__name=county).select_related("finalised_by")
    }
    assert registers[oldest].is_finalised
    assert registers[oldest].finalised_by.username == officer
    assert not registers[middle].is_finalised
    assert not registers[current].is_finalised


@pytest.mark.parametrize(("county", "officer"), [(MIAOLI, "county"), (YUNLIN_COUNTY, "yunlin")])
def test_each_county_officer_overrode_a_few_tiers_of_the_middle_year_with_reasons(seeded, county, officer):
    overridden = Assessment.objects.filter(
        override_tier__isnull=False, association__township__county__name=county
    )
    assert 1 <= overridden.count() <= 3
    assert set(overridden.values_list("year", flat=True)) == {_years()[1]}
    assert all(row.override_reason and row.overridden_by.username == officer for row in overridden)
    changes = TierChange.objects.filter(kind=TierChange.Kind.OVERRIDDEN, county__name=county)
    assert changes.count() == overridden.count()


def test_tiers_move_between_the_two_completed_years(seeded):
    oldest, middle, _current = _years()
    total = year_summary(Association.objects.all(), year=middle, before=oldest).movement_total
    assert total.up() > 0
    assert total.up() + total.down() > 0
    assert sum(total.before()) == sum(total.after()) == Association.objects.active().count()


def test_a_second_run_adds_no_facts_and_leaves_the_finalised_register_alone(seeded):
    finalised = TierRegister.objects.get(county__name=MIAOLI, year=_years()[0]).finalised_at
    overridden = Assessment.objects.filter(override_tier__isnull=False).count()
    result = demo_seed(today=TODAY)
    assert (result.meetings_created, result.filings_created, result.elections_created) == (0, 0, 0)
    assert (result.programmes_created, result.notes) == (0, [])
    assert Assessment.objects.filter(override_tier__isnull=False).count() == overridden
    assert TierRegister.objects.get(county__name=MIAOLI, year=_years()[0]).finalised_at == finalised


def test_the_county_user_sees_the_middle_year_counts_on_the_grading_overview(seeded):
    client = Client()
    client.force_login(get_user_model().objects.get(username="county"))
    year = _years()[1]
    response = client.get(f"/grading/{year - 1911}/")
    assert response.status_code == 200
    totals = response.context["totals"]
    assert totals["total"] == Association.objects.active().filter(township__county__name=MIAOLI).count()
    assert all(count > 0 for count in totals["statuses"] + totals["tiers"])
    assert len(response.context["page"].object_list) == 18
    assert response.context["unassessed"] == 0


def test_facts_are_planned_from_the_seed_and_the_day_only():
    today = datetime.date(2026, 1, 5)

    def facts(seed: int) -> list[tuple]:
        return [
            (p.name, m.kind, m.held_on, m.minutes_filed_on)
            for p in demo_plan(seed=seed, today=today)
            for m in p.compliance.meetings
        ]

    planned = facts(112)
    assert planned == facts(112)
    assert planned != facts(113)
    assert max(held_on for _name, _kind, held_on, _minutes in planned) <= today
    assert all(minutes is None or held_on <= minutes <= today for _n, _k, held_on, minutes in planned)


# --- the second county, 雲林縣 ---------------------------------------------------------------------------


def test_seed_creates_60_associations_across_the_20_townships_of_yunlin(seeded):
    associations = Association.objects.filter(township__county__name=YUNLIN_COUNTY)
    assert associations.count() == 60
    assert associations.values("township").distinct().count() == 20


def test_the_yunlin_officer_sees_only_yunlin_and_the_miaoli_officer_only_miaoli(seeded):
    for username, county in (("yunlin", YUNLIN_COUNTY), ("county", MIAOLI)):
        visible = Association.objects.visible_to(get_user_model().objects.get(username=username))
        assert set(visible.values_list("township__county__name", flat=True)) == {county}


def test_the_douliu_clerk_sees_only_douliu_associations(seeded):
    visible = Association.objects.visible_to(get_user_model().objects.get(username="douliu"))
    assert set(visible.values_list("township__name", flat=True)) == {"斗六市"}


def test_the_yunlin_plan_is_reproducible_and_its_own():
    today = datetime.date(2026, 1, 5)
    plans = demo_plan(seed=112, today=today, words=YUNLIN)
    assert [(p.township, p.name) for p in plans] == [
        (p.township, p.name) for p in demo_plan(seed=112, today=today, words=YUNLIN)
    ]
    assert all(p.values["address"].startswith("雲林縣") for p in plans)


def test_the_miaoli_plan_is_exactly_what_it_was_before_yunlin_was_added():
    """A digest of the whole 苗栗 plan for one seed and day, taken before 雲林縣 joined the demo."""
    plans = demo_plan(seed=112, today=datetime.date(2026, 1, 5))
    digest = hashlib.sha256(repr(plans).encode()).hexdigest()
    assert digest == "13905b7a90d7540cd35f20b3d792a7b36c724d15f11b82646a4f7f78671788f8"
