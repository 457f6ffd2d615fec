"""Work of `grading` done by the task worker (`manage.py db_worker`) rather than in the request.

A county's recompute of a year in the background: a county with RECOMPUTE_BACKGROUND_ASSOCIATIONS or more
active associations is recomputed by the task worker (`manage.py db_worker`), not inside the request that
asked for it. The run is a RecomputeRun, queued under the register's row lock (so a double click queues one
run) with its task in the same transaction; the task runs the same service as the request would
(`services.assessments_recompute`, as the person who asked, so the role, the county and the register's state
are checked again when it runs), and keeps its counts, or why it could not be done, on the run.

The to-do duties of as many associations created or changed at once by a roster import: `refresh_duties`,
queued in the import's transaction."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_tasks import task

from associations.models import Association
from core.models import TaskState
from grading import duties, permissions, services
from grading.models import RecomputeRun, TierRegister

logger = logging.getLogger(__name__)

PENDING = [TaskState.QUEUED, TaskState.RUNNING]


def in_background(*, county_id: int) -> bool:
    """Whether the county's recompute is large enough to leave the request."""
    active = Association.objects.active().filter(township__county_id=county_id).count()
    return active >= settings.RECOMPUTE_BACKGROUND_ASSOCIATIONS


def recompute_queue(*, county_id: int, year: int, actor: object) -> RecomputeRun:
    """Queue the county's recompute of `year` for `actor` (a county officer or administrator, as the
    request would be checked), or answer the run already queued or running for it."""
    with transaction.atomic():
        register, _created = TierRegister.objects.get_or_create(county_id=county_id, year=year)
        register = TierRegister.objects.select_for_update().get(pk=register.pk)
        decision = permissions.decide(actor, "recompute", register)
        if decision.forbidden:
            raise PermissionDenied(decision.reason)
        if not decision:
            raise services.GradingError(decision.reason)
        pending = RecomputeRun.objects.filter(county_id=county_id, year=year, state__in=PENDING).first()
        if pending is not None:
            return pending
        try:
            with transaction.atomic():
                run = RecomputeRun.objects.create(
                    county_id=county_id,
                    year=year,
                    user=actor,
                    associations=Association.objects.active().filter(township__county_id=county_id).count(),
                )
        except IntegrityError:  # queued meanwhile by a request the row lock did not hold (SQLite)
            return RecomputeRun.objects.get(county_id=county_id, year=year, state__in=PENDING)
        language = translation.get_language() or settings.LANGUAGE_CODE
        recompute_county_year.enqueue(run.pk, language)
    return run


@task()
def refresh_duties(association_ids: list[int]) -> int:
    """Write the to-do duties of `association_ids` from their facts as they are when the task runs
    (`grading.duties.refresh`: every year of the list's window and the term), for the associations a roster
    import created or changed in thousands (`grading.judge.GradingJudge.associations_changed`). Answers how
    many duties they have."""
    return duties.refresh(associations=association_ids)


@task()
def recompute_county_year(run_id: int, language: str) -> str:
    """Run the queued RecomputeRun `run_id`; answers its state."""
    with translation.override(language):
        return run_queued(run_id)


def run_queued(run_id: int) -> str:
    claimed = RecomputeRun.objects.filter(pk=run_id, state=RecomputeRun.State.QUEUED).update(
        state=RecomputeRun.State.RUNNING
    )
    if not claimed:  # run already (a task run twice) or gone
        return ""
    run = RecomputeRun.objects.select_related("county", "user").get(pk=run_id)
    try:
        result = services.assessments_recompute(year=run.year, actor=run.user, county=run.county)
    except (services.GradingError, PermissionDenied) as exc:
        return _failed(run, str(exc) or _("這個帳號已不能重新計算這個縣市的分級。"))
    except Exception:
        logger.exception("Recompute run %s failed", run_id)
        _failed(run, _("重新計算時發生錯誤，沒有寫入任何資料；請通知系統管理者。"))
        raise  # the task's own result keeps the traceback for the operator
    run.result = {
        "total": result.total,
        "created": result.created,
        "updated": result.updated,
        "unchanged": result.unchanged,
        "tier_changes": result.tier_changes,
    }
    run.state, run.finished_at = RecomputeRun.State.DONE, timezone.now()
    run.save(update_fields=["result", "state", "finished_at"])
    return run.state


def _failed(run: RecomputeRun, reason: str) -> str:
    run.state, run.error, run.finished_at = RecomputeRun.State.FAILED, reason, timezone.now()
    run.save(update_fields=["state", "error", "finished_at"])
    return run.state


def progress_context(run: RecomputeRun) -> dict[str, object]:
    """The run's state for the overview's <progress> and its JSON (the recompute is one pass over the
    county: the bar is indeterminate until it is done)."""
    if run.state == RecomputeRun.State.QUEUED:
        text = _("排隊中，等候背景工作執行……")
    elif run.state == RecomputeRun.State.RUNNING:
        text = _("重新計算中（共 %(n)s 個協會）……") % {"n": f"{run.associations:,}"}
    elif run.state == RecomputeRun.State.DONE:
        text = _("共 %(total)d 個協會：新增 %(created)d、更新 %(updated)d、未變動 %(unchanged)d。") % {
            key: run.result.get(key, 0) for key in ("total", "created", "updated", "unchanged")
        }
    else:
        text = run.error
    return {
        "state": run.state,
        "pending": run.pending,
        "value": None,
        "max": max(run.associations, 1),
        "text": text,
    }
