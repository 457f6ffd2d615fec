"""Runs the queued background tasks the way `manage.py db_worker` does (django-tasks-db's own Worker claims
each ready task and runs it), inside the test's transaction: the worker's loop itself would close the
connection between tasks."""

from __future__ import annotations

from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import exclusive_transaction


def run_queued_tasks() -> int:
    """Run every ready task, one after another as a worker would; answers how many ran."""
    worker = Worker(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="test-worker",
        excluded_queue_names=[],
    )
    ran = 0
    while True:
        with exclusive_transaction():  # claimed as the worker claims it
            queued = DBTaskResult.objects.ready().get_locked()
            if queued is not None:
                queued.claim(worker.worker_id)
        if queued is None:
            return ran
        worker.run_task(queued)
        ran += 1
