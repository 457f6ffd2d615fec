"""Imports bounded and safe under mistakes (issue 11): overlong cells block their row, stored reports stay
small, one import of a county at a time, lock conflicts retried once, uploads deleted when done."""

import json
import os
import re
import time
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import OperationalError, connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from associations.models import Association, County, Officer
from associations.roster.dataset import RosterImport, roster_import
from core.admin_imports import UploadStore
from core.imports.issues import Issue
from core.imports.report import KEEP_PER_KIND, ImportReport
from core.locks import import_lock
from core.models import ImportLock, ImportRecord
from core.uploads import purge_stale
from tests.associations.factories import AssociationFactory
from tests.associations.test_imports import write_roster

HEADER = ["鄉鎮市", "名稱", "理事長", "地址"]
postgres_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL")


def run(path, county, *, dry_run=False, user=None):
    return roster_import(path=path, user=user, county=county, dry_run=dry_run)


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


class FakeDeadlock(Exception):
    pgcode = "40P01"


def deadlock() -> OperationalError:
    error = OperationalError("deadlock detected")
    error.__cause__ = FakeDeadlock()
    return error


# --- Bounded input and report -------------------------------------------------------------------------


def test_an_address_longer_than_its_field_blocks_the_row_naming_row_column_and_limit(tmp_path, zhunan):
    path = write_roster(tmp_path, [["竹南鎮", "大埔社區發展協會", "王大明", "苗" * 201]], header=HEADER)

    report = run(path, zhunan.county)

    assert (report.exit_code, Association.objects.count()) == (1, 0)
    assert "第 2 列「地址」：「苗苗苗苗苗苗苗苗苗苗…」共 201 字，超過上限 200 字" in str(report.errors[0])


def test_a_chair_name_longer_than_its_field_blocks_the_row(tmp_path, zhunan):
    path = write_roster(tmp_path, [["竹南鎮", "大埔社區發展協會", "王" * 1300, ""]], header=HEADER)

    report = run(path, zhunan.county)

    assert (report.exit_code, Officer.objects.count()) == (1, 0)
    assert "「理事長」" in str(report.errors[0]) and "共 1300 字" in str(report.errors[0])


def test_a_compliance_name_longer_than_its_field_is_an_error_that_does_not_quote_it(tmp_path, zhunan):
    path = tmp_path / "清查.csv"
    path.write_text("鄉鎮市,協會名稱,備註\n竹南鎮," + "中" * 1300 + ",\n", encoding="utf-8")

    with pytest.raises(CommandError) as raised:
        call_command("import_compliance", "112", str(path), stdout=StringIO())

    assert raised.value.returncode == 1
    assert len(ImportRecord.objects.get().report["errors"][0]["message"]) < 100


def test_the_stored_report_keeps_the_first_issues_of_each_kind_and_counts_the_rest():
    report = ImportReport(file_name="x.csv", scope="苗栗縣", dry_run=True)
    report.warnings = [Issue("電話位數不符", row) for row in range(KEEP_PER_KIND + 50)]

    stored = report.as_json()

    assert (len(stored["warnings"]), stored["omitted"]) == (KEEP_PER_KIND, {"warnings": 50})
    assert stored["counts"]["warnings"] == KEEP_PER_KIND + 50


def test_a_file_of_overlong_cells_keeps_a_small_record(tmp_path, zhunan):
    rows = [["竹南鎮", f"第{n}社區發展協會", "理" * 1300, ""] for n in range(1000)]
    path = write_roster(tmp_path, rows, header=HEADER)

    report = run(path, zhunan.county, dry_run=True)

    record = ImportRecord.objects.get(pk=report.record_id)
    assert (report.exit_code, record.counts["errors"]) == (1, 1000)
    assert len(json.dumps(record.report, ensure_ascii=False)) < 100_000


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(tmp_path, zhunan, settings, monkeypatch):
    from core import spreadsheets

    monkeypatch.setattr(spreadsheets, "MAX_FILE_BYTES", 100)
    path = write_roster(tmp_path, [["竹南鎮", "大埔社區發展協會", "王大明", "x" * 200]], header=HEADER)
    monkeypatch.setattr(type(path), "read_bytes", lambda self: pytest.fail("read an oversized file"))

    report = run(path, zhunan.county)

    assert report.exit_code == 2 and "檔案太大" in str(report.errors[0])


# --- One import of a county at a time ------------------------------------------------------------------


def test_an_import_of_a_county_being_imported_is_refused_saying_since_when_and_by_whom(tmp_path, zhunan):
    path = write_roster(tmp_path, [["竹南鎮", "大埔社區發展協會", "王大明", ""]], header=HEADER)
    scope = RosterImport(county=zhunan.county, user=None).lock_scope

    with import_lock(scope, holder="王小明"):
        report = run(path, zhunan.county)

    assert (report.exit_code, report.outcome, Association.objects.count()) == (2, "failed", 0)
    assert "另一個匯入正在進行（開始於 " in str(report.errors[0]) and "由 王小明）" in str(report.errors[0])
    assert ImportRecord.objects.get(pk=report.record_id).outcome == ImportRecord.Outcome.FAILED


def test_the_lock_is_released_and_its_holder_forgotten_when_the_import_ends(tmp_path, zhunan):
    path = write_roster(tmp_path, [["竹南鎮", "大埔社區發展協會", "王大明", ""]], header=HEADER)
    run(path, zhunan.county, dry_run=True)

    report = run(path, zhunan.county)

    assert (report.exit_code, ImportLock.objects.count()) == (0, 0)


def test_another_countys_import_is_not_held_up(tmp_path, zhunan):
    other = County.objects.create(name="新竹縣")
    path = write_roster(tmp_path, [["竹南鎮", "大埔社區發展協會", "王大明", ""]], header=HEADER)

    with import_lock(f"import:{other.pk}", holder="王小明"):
        report = run(path, zhunan.county)

    assert report.exit_code == 0


def test_a_compliance_import_is_refused_while_a_roster_import_of_the_county_runs(tmp_path, zhunan):
    path = tmp_path / "清查.csv"
    path.write_text("鄉鎮市,協會名稱,備註\n", encoding="utf-8")

    with import_lock(f"import:{zhunan.county.pk}", holder="王小明"), pytest.raises(CommandError) as raised:
        call_command("import_compliance", "112", str(path), stdout=StringIO())

    assert raised.value.returncode == 2
    assert ImportRecord.objects.get().outcome == ImportRecord.Outcome.FAILED


# --- Lock conflicts ------------------------------------------------------------------------------------


def test_a_deadlock_is_retried_once_and_the_import_then_succeeds(tmp_path, zhunan, monkeypatch):
    path = write_roster(tmp_path, [["竹南鎮", "大埔社區發展協會", "王大明", ""]], header=HEADER)
    plan, calls = RosterImport.plan, []

    def plan_once_deadlocked(self, *args, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise deadlock()
        return plan(self, *args, **kwargs)

    monkeypatch.setattr(RosterImport, "plan", plan_once_deadlocked)

    report = run(path, zhunan.county)

    assert (report.exit_code, len(calls), Association.objects.count()) == (0, 2, 1)


def test_a_second_deadlock_ends_the_import_with_exit_2_and_a_record_saying_why(tmp_path, zhunan, monkeypatch):
    path = write_roster(tmp_path, [["竹南鎮", "大埔社區發展協會", "王大明", ""]], header=HEADER)
    monkeypatch.setattr(RosterImport, "plan", lambda self, *a, **k: (_ for _ in ()).throw(deadlock()))

    with pytest.raises(CommandError) as raised:
        call_command("import_associations", str(path), stdout=StringIO())

    record = ImportRecord.objects.get()
    assert (raised.value.returncode, record.outcome, Association.objects.count()) == (2, "failed", 0)
    assert "死結" in record.report["errors"][0]["message"]


def test_a_database_error_other_than_a_lock_conflict_is_not_retried(tmp_path, zhunan, monkeypatch):
    path = write_roster(tmp_path, [["竹南鎮", "大埔社區發展協會", "王大明", ""]], header=HEADER)
    calls = []

    def broken(self, *args, **kwargs):
        calls.append(1)
        raise OperationalError("disk full")

    monkeypatch.setattr(RosterImport, "plan", broken)

    with pytest.raises(OperationalError):
        run(path, zhunan.county)
    assert len(calls) == 1


@postgres_only
def test_a_preview_takes_no_row_lock(tmp_path, zhunan):
    AssociationFactory(township=zhunan, name="大埔社區發展協會")
    path = write_roster(tmp_path, [["竹南鎮", "大埔社區發展協會", "王大明", ""]], header=HEADER)

    with CaptureQueriesContext(connection) as queries:
        run(path, zhunan.county, dry_run=True)

    assert not [q["sql"] for q in queries if "FOR UPDATE" in q["sql"]]


@postgres_only
def test_a_roster_import_locks_its_rows_in_primary_key_order(tmp_path, zhunan):
    AssociationFactory(township=zhunan, name="大埔社區發展協會")
    path = write_roster(tmp_path, [["竹南鎮", "大埔社區發展協會", "王大明", ""]], header=HEADER)

    with CaptureQueriesContext(connection) as queries:
        run(path, zhunan.county)

    locking = [q["sql"] for q in queries if "FOR UPDATE" in q["sql"]]
    assert len(locking) == 2  # the associations, then their officers
    assert all(re.search(r'ORDER BY "(\w+)"\."id" ASC FOR UPDATE OF "\1"$', sql) for sql in locking)


# --- Uploads -------------------------------------------------------------------------------------------


def _upload(client, path, county):
    with path.open("rb") as stream:
        return client.post(
            reverse("admin:associations_association_import"), {"file": stream, "county": county.pk}
        )


def test_a_cut_report_offers_its_whole_list_for_download_from_the_record(
    admin_client_, tmp_path, zhunan, media
):
    rows = [["竹南鎮", f"第{n}社區發展協會", "", "未寫明的地址"] for n in range(KEEP_PER_KIND + 5)]
    report = _upload(admin_client_, write_roster(tmp_path, rows, header=HEADER), zhunan.county).context[
        "report"
    ]

    response = admin_client_.get(reverse("admin:core_importrecord_full_list", args=[report.record_id]))

    lines = b"".join(response.streaming_content).decode("utf-8-sig").splitlines()
    assert (response.status_code, len(lines)) == (200, 1 + KEEP_PER_KIND + 5 + KEEP_PER_KIND + 5)


def test_cancelling_a_preview_deletes_its_upload(admin_client_, tmp_path, zhunan, media):
    path = write_roster(tmp_path, [["竹南鎮", "大埔社區發展協會", "王大明", ""]], header=HEADER)
    report = _upload(admin_client_, path, zhunan.county).context["report"]

    admin_client_.post(
        reverse("admin:associations_association_import"),
        {"cancel": "1", "record": report.record_id, "sha256": report.sha256},
    )

    assert not UploadStore("roster-imports").path(report.sha256).exists()


def test_confirming_a_preview_deletes_its_upload(admin_client_, tmp_path, zhunan, media):
    path = write_roster(tmp_path, [["竹南鎮", "大埔社區發展協會", "王大明", ""]], header=HEADER)
    report = _upload(admin_client_, path, zhunan.county).context["report"]

    admin_client_.post(
        reverse("admin:associations_association_import"),
        {"confirm": "1", "record": report.record_id, "sha256": report.sha256},
    )

    assert (Association.objects.count(), UploadStore("roster-imports").path(report.sha256).exists()) == (
        1,
        False,
    )


def test_purge_uploads_deletes_waiting_files_over_an_hour_old_of_both_kinds_of_import(media):
    old_roster = media / "imports" / "roster-imports" / "a.upload"
    old_geography = media / "django-import-export" / "b"
    fresh = media / "imports" / "roster-imports" / "c.upload"
    for path in (old_roster, old_geography, fresh):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"x")
    hour_ago = time.time() - 3601
    for path in (old_roster, old_geography):
        os.utime(path, (hour_ago, hour_ago))

    call_command("purge_uploads", stdout=StringIO())

    assert (old_roster.exists(), old_geography.exists(), fresh.exists()) == (False, False, True)


def test_purge_keeps_files_younger_than_the_setting(media, settings):
    settings.IMPORT_UPLOAD_MAX_AGE = 7200
    path = media / "imports" / "roster-imports" / "a.upload"
    path.parent.mkdir(parents=True)
    path.write_bytes(b"x")
    os.utime(path, (time.time() - 3601,) * 2)

    assert (purge_stale(), path.exists()) == (0, True)
