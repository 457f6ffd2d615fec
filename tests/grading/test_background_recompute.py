"""A large county's recompute leaves the request (issue 15, item 5): queued as a RecomputeRun, run by the task
worker as the person who asked, its progress and then its counts (or why it failed) on the overview."""

from __future__ import annotations

import pytest
from django_tasks_db.models import DBTaskResult

from grading.models import Assessment, RecomputeRun, TierRegister
from tests.associations.factories import AssociationFactory
from tests.background import run_queued_tasks

RECOMPUTE = "/grading/112/recompute/"
OVERVIEW = "/grading/112/"
STATUS = "/grading/112/recompute/status/"


@pytest.fixture(autouse=True)
def _every_county_is_large(settings):
    settings.RECOMPUTE_BACKGROUND_ASSOCIATIONS = 2


@pytest.fixture
def associations(zhunan):
    return [AssociationFactory(township=zhunan) for _n in range(3)]


def test_a_large_countys_recompute_is_queued_and_the_overview_shows_its_progress(county_client, associations):
    response = county_client.post(RECOMPUTE, follow=True)

    run = RecomputeRun.objects.get()
    assert (run.state, run.year, run.associations) == ("queued", 2023, 3)
    assert not Assessment.objects.exists()
    html = response.content.decode()
    assert "已排入背景重新計算112年度的會務財務狀態與分級" in html
    assert "<progress" in html and "排隊中" in html and "js/task-progress.js" in html
    assert county_client.get(STATUS).json()["pending"] is True


def test_the_worker_recomputes_and_the_overview_shows_the_counts(county_client, associations):
    county_client.post(RECOMPUTE)

    assert run_queued_tasks() == 1

    run = RecomputeRun.objects.get()
    assert run.state == "done" and run.finished_at is not None
    assert run.result == {"total": 3, "created": 3, "updated": 0, "unchanged": 0, "tier_changes": 3}
    assert Assessment.objects.filter(year=2023).count() == 3
    status = county_client.get(STATUS).json()
    assert status["pending"] is False and status["text"] == "共 3 個協會：新增 3、更新 0、未變動 0。"
    html = county_client.get(OVERVIEW).content.decode()
    assert "最近一次背景重新計算" in html and "共 3 個協會：新增 3、更新 0、未變動 0。" in html
    assert "<progress" not in html


def test_a_double_clicked_recompute_queues_one_run(county_client, associations):
    county_client.post(RECOMPUTE)
    county_client.post(RECOMPUTE)

    assert RecomputeRun.objects.count() == 1
    assert DBTaskResult.objects.count() == 1


def test_a_register_finalised_before_the_run_is_left_alone_and_the_reason_shown(
    county_client, county_officer, associations
):
    county_client.post(RECOMPUTE)
    TierRegister.objects.filter(year=2023).update(state=TierRegister.State.FINALISED)

    run_queued_tasks()

    run = RecomputeRun.objects.get()
    assert run.state == "failed" and "已定案" in run.error
    assert not Assessment.objects.exists()
    assert "最近一次背景重新計算未完成" in county_client.get(OVERVIEW).content.decode()


def test_the_progress_is_the_county_officers_not_the_township_clerks_or_another_countys(
    county_client, zhunan_client, yunlin_client, associations
):
    county_client.post(RECOMPUTE)

    assert zhunan_client.get(STATUS).status_code == 403
    assert "<progress" not in zhunan_client.get(OVERVIEW).content.decode()
    assert yunlin_client.get(STATUS).status_code == 404  # not a year of 雲林縣's data, whatever 苗栗縣 runs


def test_a_township_clerk_cannot_queue_a_recompute(zhunan_client, associations):
    assert zhunan_client.post(RECOMPUTE).status_code == 403
    assert not RecomputeRun.objects.exists()


def test_a_small_countys_recompute_stays_in_the_request(settings, county_client, associations):
    settings.RECOMPUTE_BACKGROUND_ASSOCIATIONS = 2000

    response = county_client.post(RECOMPUTE, follow=True)

    assert "已重新計算112年度的會務財務狀態與分級。" in response.content.decode()
    assert Assessment.objects.count() == 3
    assert not RecomputeRun.objects.exists() and not DBTaskResult.objects.exists()
