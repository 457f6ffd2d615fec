"""Background imports on PostgreSQL, with real connections: the real `db_worker` runs the queue; its
progress is seen from another connection while the run goes on; two confirmations sent at once queue one
run; an import of the county asked for while the worker's run holds the lock is refused, naming who holds
it."""

from __future__ import annotations

import threading

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from associations.models import Association
from associations.roster.dataset import RosterImport
from core.models import ImportRecord
from core.roles import Role
from tests.associations.factories import StaffFactory, TownshipFactory
from tests.core.test_background_imports import write_rows
from tests.core.test_import_concurrency import TIMEOUT, holding, in_thread

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="threads need PostgreSQL"),
    pytest.mark.django_db(transaction=True),
]
ROSTER = "/associations/import/"


@pytest.fixture(autouse=True)
def _media_and_threshold(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.IMPORT_BACKGROUND_BYTES = 10


@pytest.fixture
def officer():
    township = TownshipFactory(name="竹南鎮", kind="鎮")
    return StaffFactory(username="county", role=Role.COUNTY, county=township.county, first_name="王小明")


def client_of(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def work_off_the_queue() -> None:
    """The worker command, until the queue is empty."""
    call_command("db_worker", batch=True, reload=False, startup_delay=False, interval=0, verbosity=0)


def worker_in_a_thread() -> None:
    """The command's worker loop, without its signal handlers (only the main thread may set them)."""
    Worker(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="thread-worker",
        excluded_queue_names=[],
    ).run()


def preview(client, officer, path) -> ImportRecord:
    with path.open("rb") as upload:
        client.post(ROSTER, {"file": upload, "county": officer.membership.county_id})
    work_off_the_queue()
    return ImportRecord.objects.get(dry_run=True)


def confirm(client, record):
    return client.post(ROSTER, {"confirm": "1", "record": record.pk, "sha256": record.sha256})


def test_the_worker_command_runs_the_preview_and_the_confirmation(officer, tmp_path):
    client = client_of(officer)
    path = write_rows(tmp_path / "roster.csv", [["竹南鎮", "大埔社區發展協會", "810913", "王大明"]])

    record = preview(client, officer, path)
    assert record.outcome == "previewed"
    confirm(client, record)
    work_off_the_queue()

    assert ImportRecord.objects.get(confirms=record).outcome == "imported"
    assert list(Association.objects.values_list("name", flat=True)) == ["大埔社區發展協會"]
    assert set(DBTaskResult.objects.values_list("status", flat=True)) == {"SUCCESSFUL"}


def test_progress_is_seen_from_another_connection_while_the_run_goes_on(officer, tmp_path, monkeypatch):
    client = client_of(officer)
    rows = [["竹南鎮", f"第{n}社區發展協會", "810913", "王大明"] for n in range(1, 301)]
    path = write_rows(tmp_path / "roster.csv", rows)
    with path.open("rb") as upload:
        client.post(ROSTER, {"file": upload, "county": officer.membership.county_id})
    record = ImportRecord.objects.get()
    entered, release, results = threading.Event(), threading.Event(), {}
    _original, held = holding(RosterImport, "plan", entered, release)
    monkeypatch.setattr(RosterImport, "plan", held)

    worker = in_thread(worker_in_a_thread, results, "worker")
    assert entered.wait(TIMEOUT)
    status = client.get(f"{ROSTER}?run={record.pk}&format=json").json()
    page = client.get(f"{ROSTER}?run={record.pk}").content.decode()
    release.set()
    worker.join(TIMEOUT)

    assert status == {
        "state": "running",
        "pending": True,
        "value": None,
        "max": 300,
        "text": "比對現有資料（共 300 列）……",
    }
    assert "<progress" in page
    assert client.get(f"{ROSTER}?run={record.pk}&format=json").json()["pending"] is False


def test_two_confirmations_sent_at_once_queue_one_run(officer, tmp_path):
    client = client_of(officer)
    path = write_rows(tmp_path / "roster.csv", [["竹南鎮", "大埔社區發展協會", "810913", "王大明"]])
    record = preview(client, officer, path)
    start, results = threading.Barrier(2), {}

    def click():
        start.wait(TIMEOUT)
        return confirm(client_of(officer), record)["Location"]

    threads = [in_thread(click, results, key) for key in ("a", "b")]
    for thread in threads:
        thread.join(TIMEOUT)

    assert results["a"] == results["b"]
    assert ImportRecord.objects.filter(confirms=record).count() == 1
    work_off_the_queue()
    assert Association.objects.count() == 1


def test_an_import_asked_for_while_the_workers_run_holds_the_county_is_refused_naming_it(
    settings, officer, tmp_path, monkeypatch
):
    settings.IMPORT_BACKGROUND_BYTES = 1000  # the 30-row file goes to the worker, the one-row file does not
    client = client_of(officer)
    rows = [["竹南鎮", f"第{n}社區發展協會", "810913", "王大明"] for n in range(1, 31)]
    record = preview(client, officer, write_rows(tmp_path / "roster.csv", rows))
    confirm(client, record)
    entered, release, results = threading.Event(), threading.Event(), {}
    _original, held = holding(RosterImport, "plan", entered, release)
    monkeypatch.setattr(RosterImport, "plan", held)

    worker = in_thread(worker_in_a_thread, results, "worker")
    assert entered.wait(TIMEOUT)
    monkeypatch.setattr(RosterImport, "plan", _original)
    small = write_rows(tmp_path / "small.csv", [["竹南鎮", "中港社區發展協會", "810913", "李小華"]])
    with small.open("rb") as upload:
        html = client.post(ROSTER, {"file": upload, "county": officer.membership.county_id}).content.decode()
    release.set()
    worker.join(TIMEOUT)

    assert "另一個匯入正在進行（開始於" in html and "由 王小明" in html
    assert ImportRecord.objects.get(confirms=record).outcome == "imported"
    assert Association.objects.count() == 30
