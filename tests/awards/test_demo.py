"""The award's part of the demo: last year's round published, this year's in scoring with `judge` assigned."""

import pytest
from django.db import transaction
from django.test import override_settings

from awards.models import AwardResult, AwardRound, ScoreSheet
from config.demo import demo_seed
from tests import TODAY, clock_at

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def _seeded_once(django_db_setup, django_db_blocker):
    """Seeded once for the module and rolled back at its end (as in tests/associations/test_seed_demo.py)."""
    hashers = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    with clock_at(TODAY), django_db_blocker.unblock(), override_settings(PASSWORD_HASHERS=hashers):
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


def test_last_years_round_is_published_with_levels(seeded):
    last = AwardRound.objects.get(year=2025)

    assert last.state == AwardRound.State.PUBLISHED
    assert AwardResult.objects.filter(round=last).count() == 10
    assert AwardResult.objects.filter(round=last, level="優等").count() <= 3


def test_this_years_round_is_in_scoring_with_the_demo_judge_assigned(seeded):
    current = AwardRound.objects.get(year=2026)

    assert current.state == AwardRound.State.SCORING
    assert current.judges.filter(judge__username="judge").exists()
    assert (
        ScoreSheet.objects.filter(entry__round=current, judge__username="judge", state="draft").count() == 1
    )
