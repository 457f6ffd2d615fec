"""Large imports leave the request (issue 15, item 5): a file of IMPORT_BACKGROUND_BYTES or more is previewed
and confirmed by the task worker, the page showing a progress bar from the run's ImportRecord, then the
preview or the result; failures are recorded and shown, nothing written; a run is its user's only."""

from __future__ import annotations

import csv
import json

import pytest
from django_tasks_db.models import DBTaskResult

from associations.models import Association, Meeting
from associations.roster.dataset import RosterImport
from core.admin_imports import UploadStore
from core.imports.pipeline import run_import
from core.locks import import_lock
from core.models import ImportRecord
from tests.associations.factories import AssociationFactory
from tests.background import run_queued_tasks

ROSTER = "/associations/import/"
COMPLIANCE = "/grading/import/"
ADMIN_ROSTER = "/admin/associations/association/import/"


@pytest.fixture(autouse=True)
def _media_and_threshold(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.IMPORT_BACKGROUND_BYTES = 100  # every file of these tests is larger


def write_rows(path, rows):
    with path.open("w", encoding="utf-8", newline="") as stream:
        csv.writer(stream).writerows([["鄉鎮市", "名稱", "成立日期", "理事長"], *rows])
    return path


@pytest.fixture
def roster(tmp_path, zhunan):
    return write_rows(
        tmp_path / "roster.csv",
        [
            ["竹南鎮", "大埔社區發展協會", "810913", "王大明"],
            ["竹南鎮", "中港社區發展協會", "810914", "林美"],
        ],
    )


def _preview(client, county_officer, path, url=ROSTER):
    with path.open("rb") as upload:
        return client.post(url, {"file": upload, "county": county_officer.membership.county_id})


def _confirm(client, preview, url=ROSTER):
    return client.post(url, {"confirm": "1", "record": preview.pk, "sha256": preview.sha256})


def _status(client, record, url=ROSTER):
    return json.loads(client.get(f"{url}?run={record.pk}&format=json").content)


def test_a_large_preview_is_queued_and_its_page_shows_a_progress_bar(county_client, county_officer, roster):
    response = _preview(county_client, county_officer, roster)

    record = ImportRecord.objects.get()
    assert response.status_code == 302 and response["Location"] == f"{ROSTER}?run={record.pk}"
    assert (record.state, record.dry_run, record.outcome) == ("queued", True, "")
    html = county_client.get(response["Location"]).content.decode()
    assert "<progress" in html and "排隊中" in html and "js/task-progress.js" in html
    assert _status(county_client, record)["pending"] is True


def test_the_worker_runs_the_preview_and_the_page_then_shows_it(county_client, county_officer, roster):
    _preview(county_client, county_officer, roster)

    assert run_queued_tasks() == 1

    record = ImportRecord.objects.get()
    assert (record.state, record.outcome) == ("done", "previewed")
    assert (record.rows_done, record.rows_total) == (2, 2)
    assert _status(county_client, record) == {
        "state": "done",
        "pending": False,
        "value": None,
        "max": 2,
        "text": "已完成",
    }
    html = county_client.get(f"{ROSTER}?run={record.pk}").content.decode()
    assert "預覽結果（尚未寫入）" in html and "大埔社區發展協會" in html and 'name="confirm"' in html
    assert not Association.objects.exists()


def test_a_confirmed_large_import_is_written_by_the_worker_and_its_result_shown(
    county_client, county_officer, roster
):
    _preview(county_client, county_officer, roster)
    run_queued_tasks()
    preview = ImportRecord.objects.get()

    response = _confirm(county_client, preview)

    run = ImportRecord.objects.get(confirms=preview)
    assert response["Location"] == f"{ROSTER}?run={run.pk}"
    assert run.state == "queued" and not Association.objects.exists()
    run_queued_tasks()
    run.refresh_from_db()
    assert (run.state, run.outcome, run.dry_run) == ("done", "imported", False)
    assert run.counts["created"] == 2
    assert sorted(Association.objects.values_list("name", flat=True)) == [
        "中港社區發展協會",
        "大埔社區發展協會",
    ]
    html = county_client.get(f"{ROSTER}?run={run.pk}").content.decode()
    assert "已匯入「roster.csv」" in html and "匯入結果" in html
    assert not UploadStore("roster-imports").path(preview.sha256).exists()


def test_a_double_clicked_confirmation_queues_one_run(county_client, county_officer, roster):
    _preview(county_client, county_officer, roster)
    run_queued_tasks()
    preview = ImportRecord.objects.get()

    first = _confirm(county_client, preview)
    second = _confirm(county_client, preview)

    assert first["Location"] == second["Location"]
    assert ImportRecord.objects.filter(confirms=preview).count() == 1
    assert DBTaskResult.objects.count() == 2  # the preview's and one confirmation
    run_queued_tasks()
    assert Association.objects.count() == 2


def test_a_large_compliance_sheet_goes_through_the_worker_too(
    county_client, county_officer, tmp_path, zhunan
):
    AssociationFactory(township=zhunan, name="竹南鎮中美社區發展協會")
    sheet = tmp_path / "清查.csv"
    sheet.write_text(
        "鄉鎮市,協會名稱,會員大會日期,理事會日期,監事會日期,工作計畫及預算送府日期,工作報告及決算送府日期,"
        "任期屆滿日,備註\n竹南鎮,竹南鎮中美社區發展協會,112/05/20,,,,,,\n",
        encoding="utf-8",
    )
    with sheet.open("rb") as upload:
        county_client.post(
            COMPLIANCE, {"file": upload, "county": county_officer.membership.county_id, "year": "112"}
        )
    run_queued_tasks()
    preview = ImportRecord.objects.get()
    assert (preview.outcome, preview.report["year"]) == ("previewed", 2023)

    _confirm(county_client, preview, url=COMPLIANCE)
    run_queued_tasks()

    assert ImportRecord.objects.get(confirms=preview).outcome == "imported"
    assert Meeting.objects.filter(held_on__year=2023).count() == 1


def test_another_countys_officer_and_the_administrator_do_not_find_someone_elses_run(
    county_client, county_officer, yunlin_client, admin_client_, roster
):
    _preview(county_client, county_officer, roster)
    record = ImportRecord.objects.get()

    assert yunlin_client.get(f"{ROSTER}?run={record.pk}").status_code == 404
    assert yunlin_client.get(f"{ROSTER}?run={record.pk}&format=json").status_code == 404
    assert admin_client_.get(f"{ADMIN_ROSTER}?run={record.pk}").status_code == 404
    assert county_client.get(f"{COMPLIANCE}?run={record.pk}").status_code == 404  # another import's
    assert county_client.get(f"{ROSTER}?run={record.pk + 1}").status_code == 404


def test_a_township_clerk_is_refused_a_runs_page(county_client, county_officer, zhunan_client, roster):
    _preview(county_client, county_officer, roster)
    record = ImportRecord.objects.get()

    assert zhunan_client.get(f"{ROSTER}?run={record.pk}&format=json").status_code == 403


def test_a_run_while_another_import_of_the_county_holds_the_lock_is_refused_saying_who(
    county_client, county_officer, roster
):
    _preview(county_client, county_officer, roster)
    run_queued_tasks()
    preview = ImportRecord.objects.get()
    _confirm(county_client, preview)

    with import_lock(f"import:{county_officer.membership.county_id}", holder="王小明"):
        run_queued_tasks()

    run = ImportRecord.objects.get(confirms=preview)
    assert (run.state, run.outcome) == ("failed", "failed")
    assert "另一個匯入正在進行（開始於" in run.report["errors"][0]["message"]
    assert "王小明" in run.report["errors"][0]["message"]
    assert not Association.objects.exists()
    html = county_client.get(f"{ROSTER}?run={run.pk}").content.decode()
    assert "未匯入：另一個匯入正在進行" in html and 'name="confirm"' in html  # it may be tried again
    _confirm(county_client, preview)
    run_queued_tasks()
    assert Association.objects.count() == 2


def test_a_task_that_fails_records_why_shows_it_and_writes_nothing(
    county_client, county_officer, roster, monkeypatch
):
    _preview(county_client, county_officer, roster)
    run_queued_tasks()
    preview = ImportRecord.objects.get()
    _confirm(county_client, preview)

    def broken(self, plan, record):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(RosterImport, "write", broken)
    run_queued_tasks()

    run = ImportRecord.objects.get(confirms=preview)
    assert (run.state, run.outcome) == ("failed", "failed")
    assert not Association.objects.exists()
    assert DBTaskResult.objects.get(args_kwargs__args__1=run.pk).status == "FAILED"
    html = county_client.get(f"{ROSTER}?run={run.pk}").content.decode()
    assert "匯入時發生錯誤，沒有寫入任何資料" in html


def test_a_small_file_stays_in_the_request(settings, county_client, county_officer, roster):
    settings.IMPORT_BACKGROUND_BYTES = 256 * 1024

    html = _preview(county_client, county_officer, roster).content.decode()

    assert "預覽結果（尚未寫入）" in html
    assert not DBTaskResult.objects.exists()
    assert ImportRecord.objects.get().state == "done"


def test_the_pipeline_tells_its_progress_row_by_row_then_the_plan(tmp_path, zhunan):
    rows = [["竹南鎮", f"第{n}社區發展協會", "810913", "王大明"] for n in range(1, 251)]
    path = write_rows(tmp_path / "big.csv", rows)
    told = []

    run_import(
        RosterImport(county=zhunan.county, user=None),
        path=path,
        user=None,
        dry_run=True,
        progress=lambda stage, done, total: told.append((stage, done, total)),
    )

    assert told[:2] == [("reading", 0, 0), ("checking", 0, 250)]
    checked = [done for stage, done, _total in told if stage == "checking"]
    assert checked == sorted(checked) and checked[-1] == 250 and len(checked) > 10
    assert told[-1] == ("planning", 250, 250)


def test_with_the_immediate_backend_a_large_import_runs_inside_the_request(
    settings, county_client, county_officer, roster
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}

    response = _preview(county_client, county_officer, roster)

    preview = ImportRecord.objects.get()
    assert (preview.state, preview.outcome) == ("done", "previewed")
    assert "預覽結果（尚未寫入）" in county_client.get(response["Location"]).content.decode()
    _confirm(county_client, preview)
    assert ImportRecord.objects.get(confirms=preview).outcome == "imported"
    assert Association.objects.count() == 2
