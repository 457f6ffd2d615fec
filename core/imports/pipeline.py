"""The one pipeline every spreadsheet import runs on, so that all of them read, judge, preview, write and
record a file alike.

A dataset import (`DatasetImport`) says only what is its own, in four stages:

1. `columns` / `required`: the headers it reads (core.spreadsheets finds them in the file);
2. `clean(table, report)`: every row read into clean values, problems reported by row and column;
3. `plan(cleaned, report, lock=...)`: what the import would create or change, worked out from the stored
   rows loaded up front, without writing anything (counts, changes and any further issues go to the
   report). `lock` is true only when the plan is about to be written: the rows it reads are then locked
   for the rest of the transaction. A preview takes no lock and writes nothing;
4. `write(plan, record)`: the plan applied, given the ImportRecord of the run (which history may name).

`run_import` calls them in order, sorts the issues by row, sets the outcome and exit code and records the
run; the write, when there is one, happens in the same transaction as the plan that it applies, and only
when no row has a blocking error and this is not a preview.

Runs of one scope (`DatasetImport.lock_scope`, a county) go one at a time, previews included: a run that
finds another holding the scope's lock (`core.locks`) is refused at once and recorded as FAILED (exit code
2), saying who holds it and since when. A deadlock or a lock timeout while planning or writing rolls the
run back and is retried once; a second one is recorded as FAILED too. The stored report is bounded
(`ImportReport.as_json`); with `full_list`, a run whose report leaves something out writes the whole list
there as CSV.

A run in the background (`core.tasks`) gives `run_import` the ImportRecord queued for it, which the run
fills in instead of adding one, and a `progress(stage, done, total)` callback: told when the file is read,
every hundredth row as the rows are checked, and when the plan starts. So that what it writes is seen while
the run goes on, reading and `clean` happen before the run's transaction opens: `clean` only reads (the
rows the run will change are locked, and re-read, by `plan`)."""

from __future__ import annotations

import contextlib
import gc
import hashlib
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Generic, TypeVar

from django.conf import settings
from django.db import OperationalError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.imports.issues import Issue
from core.imports.report import ImportReport
from core.locks import ImportBusy, holder_name, import_lock
from core.models import ImportRecord
from core.spreadsheets import SpreadsheetError, Table, read_bytes, read_table

#: PostgreSQL's SQLSTATEs of a lost lock race: deadlock_detected, lock_not_available (lock_timeout).
LOCK_CONFLICTS = {"40P01", "55P03"}
#: How long a writing run waits for a row lock before giving up (then retried once), on PostgreSQL.
LOCK_TIMEOUT = "30s"

#: Told how a run advances: the stage (ImportRecord.Stage), the rows done and the rows in all.
Progress = Callable[[str, int, int], None]

CleanedT = TypeVar("CleanedT")
PlanT = TypeVar("PlanT")


class DatasetImport(Generic[CleanedT, PlanT]):
    """One import's own part of the pipeline. An instance is made for one run with the choices it runs
    under (e.g. the county, the year), and `run_import` calls its stages in order."""

    #: ImportRecord.kind of its runs.
    kind: str
    #: Our key -> the headers a file may use for it; the first is the one issues and exports name.
    columns: Mapping[str, Sequence[str]]
    #: Headers of which the file must have one.
    required: Sequence[str]
    #: Shown in the report's heading: what the rows are read under.
    scope: str
    #: Runs with the same lock scope go one at a time (`core.locks.import_lock`); None: no lock.
    lock_scope: str | None = None

    def remembered(self) -> Mapping[str, object]:
        """The choices kept in the record's report, so that a previewed run can be confirmed as it was."""
        return {}

    def clean(self, table: Table, report: ImportReport) -> CleanedT:
        raise NotImplementedError

    def plan(self, cleaned: CleanedT, report: ImportReport, *, lock: bool) -> PlanT:
        raise NotImplementedError

    def write(self, plan: PlanT, record: ImportRecord) -> Sequence[str]:
        """Apply the plan; answers notices about the write itself (they are added to the report)."""
        raise NotImplementedError


def run_import(
    dataset: DatasetImport[CleanedT, PlanT],
    *,
    path: Path,
    user: object,
    dry_run: bool,
    sheet: str | None = None,
    file_name: str | None = None,
    full_list: Path | None = None,
    record: ImportRecord | None = None,
    progress: Progress | None = None,
) -> ImportReport:
    """Run `dataset` on the file at `path`: an unreadable file, a scope busy with another import or a lock
    conflict twice ends the run (exit code 2); any error rejects the whole file (exit code 1). Every run,
    written or not, is recorded as an ImportRecord (`record`, when one was queued for it)."""
    new_report = lambda: ImportReport(  # noqa: E731
        file_name=file_name or path.name, scope=dataset.scope, dry_run=dry_run, sheet=sheet
    )
    try:
        with _scope_lock(dataset, user):
            for attempt in (1, 2):
                report = new_report()
                try:
                    _run_once(
                        dataset,
                        report,
                        path=path,
                        user=user,
                        full_list=full_list,
                        record=record,
                        progress=progress,
                    )
                    return report
                except OperationalError as exc:
                    if not is_lock_conflict(exc):
                        raise
                    if attempt == 2:
                        reason = _(
                            "資料庫鎖定衝突（死結或等候逾時），重試一次仍未完成，沒有寫入任何資料；請稍後再試。"
                        )
    except ImportBusy as busy:
        report, reason = new_report(), str(busy)
    return _failed(report, reason, user=user, dataset=dataset, record=record)


def is_lock_conflict(exc: OperationalError) -> bool:
    """A deadlock or a lock timeout (worth one retry), not any other database error."""
    cause = exc.__cause__
    code = getattr(cause, "pgcode", None) or getattr(cause, "sqlstate", None)
    return code in LOCK_CONFLICTS


@contextlib.contextmanager
def _scope_lock(dataset: DatasetImport, user: object) -> Iterator[None]:
    if dataset.lock_scope is None:
        yield
        return
    with import_lock(dataset.lock_scope, holder=holder_name(user)):
        yield


def _failed(
    report: ImportReport,
    reason: str,
    *,
    user: object,
    dataset: DatasetImport,
    record: ImportRecord | None = None,
) -> ImportReport:
    """Record a run that could not be done at all (nothing of it was written)."""
    report.outcome = ImportRecord.Outcome.FAILED
    report.errors = [Issue(reason)]
    _save_record(report, user, dataset, record=record)
    return report


class _CountedRows(list):
    """The table's rows, telling `progress` how many have been gone through as `clean` iterates them."""

    def __init__(self, rows: list, progress: Progress) -> None:
        super().__init__(rows)
        self._progress = progress
        self._every = max(1, len(rows) // 100)

    def __iter__(self) -> Iterator:
        total = len(self)
        for index, row in enumerate(super().__iter__(), start=1):
            yield row
            if index % self._every == 0 or index == total:
                self._progress(ImportRecord.Stage.CHECKING, index, total)


def _run_once(
    dataset: DatasetImport,
    report: ImportReport,
    *,
    path: Path,
    user: object,
    full_list: Path | None,
    record: ImportRecord | None,
    progress: Progress | None,
) -> None:
    dry_run = report.dry_run
    tell = progress or (lambda stage, done, total: None)
    with _fewer_collections():
        tell(ImportRecord.Stage.READING, 0, 0)
        try:
            data = read_bytes(path)
            report.sha256, report.size = sha256_of(data), len(data)
            table = read_table(
                columns=dataset.columns,
                required=dataset.required,
                sheet=report.sheet,
                data=data,
                name=report.file_name,
            )
            del data  # the rows are read; the bytes are not needed any more
        except SpreadsheetError as exc:
            report.outcome = ImportRecord.Outcome.UNREADABLE
            report.errors.append(Issue(str(exc)))
            _save_record(report, user, dataset, record=record)
            return

        _describe_table(table, report)
        tell(ImportRecord.Stage.CHECKING, 0, report.rows)
        if progress is not None:
            table.rows = _CountedRows(table.rows, progress)
        cleaned = dataset.clean(table, report)
        del table
        tell(ImportRecord.Stage.PLANNING, report.rows, report.rows)
        with transaction.atomic():
            if not dry_run and connection.vendor == "postgresql":
                with connection.cursor() as cursor:  # a writer blocked this long gives up and is retried
                    cursor.execute(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT}'")
            plan = dataset.plan(cleaned, report, lock=not dry_run)
            del cleaned
            report.errors.sort(key=lambda i: i.row or 0)
            report.warnings.sort(key=lambda i: i.row or 0)
            if report.errors:
                report.outcome = ImportRecord.Outcome.REJECTED
            elif dry_run:
                report.outcome = ImportRecord.Outcome.PREVIEWED
            else:
                report.outcome = ImportRecord.Outcome.IMPORTED
            if full_list is not None and report.omitted():
                report.write_all(full_list)
                report.full_list = _media_name(full_list)
            record = _save_record(report, user, dataset, record=record)
            if report.outcome == ImportRecord.Outcome.IMPORTED:
                notices = dataset.write(plan, record)
                if notices:
                    report.notices.extend(notices)
                    record.report = {**report.as_json(), **dataset.remembered()}
                    record.save(update_fields=["report"])


def _media_name(path: Path) -> str:
    """`path` relative to MEDIA_ROOT (where the admin serves it from), or as given outside it."""
    try:
        return str(path.resolve().relative_to(Path(settings.MEDIA_ROOT).resolve()))
    except ValueError:
        return str(path)


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@contextlib.contextmanager
def _fewer_collections() -> Iterator[None]:
    """An import builds some 100,000 model instances; the cyclic garbage collector would run hundreds of
    times meanwhile, each pass walking every live object (7% of a 10,000-row roster). Nothing it could
    free is created here, so it runs less often until the import ends."""
    threshold = gc.get_threshold()
    gc.set_threshold(max(threshold[0], 50_000), *threshold[1:])
    try:
        yield
    finally:
        gc.set_threshold(*threshold)


def _describe_table(table: Table, report: ImportReport) -> None:
    report.format, report.encoding, report.header_row = table.format, table.encoding, table.header_row
    report.columns = dict(table.columns)
    report.unknown_columns = list(table.unknown_columns)
    report.blank_rows = table.blank_rows
    report.rows = len(table.rows)
    if table.unknown_columns:
        report.notices.append(_("未使用的欄位：%(names)s。") % {"names": "、".join(table.unknown_columns)})
    if table.duplicate_columns:
        report.notices.append(
            _("重複的欄位只讀取第一欄，其餘未使用：%(names)s。")
            % {"names": "、".join(table.duplicate_columns)}
        )


def _save_record(
    report: ImportReport, user: object, dataset: DatasetImport, *, record: ImportRecord | None = None
) -> ImportRecord:
    """The run's record: a new one, or the one queued for it (`record`) filled in."""
    fields = {
        "kind": dataset.kind,
        "user": user if getattr(user, "pk", None) else None,
        "file_name": report.file_name[:255],
        "sha256": report.sha256,
        "size": report.size,
        "dry_run": report.dry_run,
        "outcome": report.outcome,
        "counts": report.counts,
        "report": {**report.as_json(), **dataset.remembered()},
        "state": (
            ImportRecord.State.FAILED
            if report.outcome == ImportRecord.Outcome.FAILED
            else ImportRecord.State.DONE
        ),
        "finished_at": timezone.now(),
    }
    if record is None:
        record = ImportRecord.objects.create(**fields)
    else:
        for name, value in fields.items():
            setattr(record, name, value)
        record.rows_done = record.rows_total = report.rows
        record.save(update_fields=[*fields, "rows_done", "rows_total"])
    report.record_id = record.pk
    return record
