import datetime
import io
import re
from collections import Counter

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db import transaction
from django.db.models import Count
from django.test import Client, override_settings
from django.utils import timezone

from associations.demo import DEMO_PASSWORD, demo_plan, demo_seed
from associations.models import Association, Officer, StaffMembership, Village
from core.roles import Role

pytestmark = pytest.mark.django_db

FAST_HASHER = "django.contrib.auth.hashers.MD5PasswordHasher"
DEMO_USERNAMES = ["county", "zhunan", "toufen", "judge", "admin"]


@pytest.fixture(scope="module")
def _seeded_once(django_db_setup, django_db_blocker):
    """Seed once for the module inside a transaction that is rolled back at its end, so other modules
    still start from an empty database; each test runs in a savepoint on top and is rolled back too."""
    with django_db_blocker.unblock(), override_settings(PASSWORD_HASHERS=[FAST_HASHER]):
        outer = transaction.atomic()
        outer.__enter__()
        try:
            yield demo_seed()
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
    today = timezone.localdate()
    chairs = Officer.objects.current().filter(position=Officer.Position.CHAIR)
    for chair in chairs:
        next_term = chair.term_start.replace(year=chair.term_start.year + 4)
        assert chair.term_end == next_term - datetime.timedelta(days=1)
    assert chairs.filter(term_end__lte=today + datetime.timedelta(days=183)).count() >= 5


def test_running_the_seed_twice_changes_no_counts(seeded):
    before = _counts()
    result = demo_seed()
    assert _counts() == before
    assert (result.associations_created, result.associations_skipped) == (0, 280)


def test_the_same_seed_brings_back_deleted_associations_exactly_as_they_were(seeded):
    before = _roster()
    Association.objects.filter(township__name="竹南鎮").delete()
    result = demo_seed(seed=112)
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
    }
    assert get_user_model().objects.get(username="county").get_full_name() == "陳美玲"


def test_every_demo_user_can_log_in_with_the_demo_password(seeded):
    demo_seed()  # a second run updates the users rather than duplicating them
    assert get_user_model().objects.filter(username__in=DEMO_USERNAMES).count() == 5
    assert all(Client().login(username=name, password=DEMO_PASSWORD) for name in DEMO_USERNAMES)


def test_zhunan_clerk_sees_only_zhunan_associations(seeded):
    clerk = get_user_model().objects.get(username="zhunan")
    visible = Association.objects.visible_to(clerk)
    assert set(visible.values_list("township__name", flat=True)) == {"竹南鎮"}
    assert visible.count() == Association.objects.filter(township__name="竹南鎮").count() > 0


def test_command_prints_the_login_table_and_the_address(seeded):
    out = io.StringIO()
    call_command("seed_demo", "--seed", "112", "--force", stdout=out)
    output = out.getvalue()
    assert re.search(r"zhunan\s+公所承辦人\s+竹南鎮\s+demo-portal-2026", output)
    assert re.search(r"county\s+縣府承辦人\s+—\s+demo-portal-2026", output)
    assert "http://127.0.0.1:8000/" in output


@pytest.mark.django_db
def test_seed_demo_refuses_to_run_with_debug_off_unless_forced(settings):
    settings.DEBUG = False
    before = Association.objects.count()
    with pytest.raises(CommandError, match="--force"):
        call_command("seed_demo", "--seed", "7", stdout=io.StringIO())
    assert Association.objects.count() == before
