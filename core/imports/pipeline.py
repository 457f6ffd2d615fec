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
when no row has a blocking error and this is not a preview."""

from __future__ import annotations

import contextlib
import gc
import hashlib
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Generic, TypeVar

from django.db import transaction
from django.utils.translation import gettext as _

from core.imports.issues import Issue
from core.imports.report import ImportReport
from core.models import ImportRecord
from core.spreadsheets import SpreadsheetError, Table, read_bytes, read_table

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
) -> ImportReport:
    """Run `dataset` on the file at `path`: an unreadable file ends the run (exit code 2); any error rejects
    the whole file (exit code 1). Every run, written or not, is recorded as an ImportRecord."""
    report = ImportReport(file_name=file_name or path.name, scope=dataset.scope, dry_run=dry_run, sheet=sheet)
    with _fewer_collections(), transaction.atomic():
        try:
            data = read_bytes(path)
            report.sha256, report.size = sha256_of(data), len(data)
            table = read_table(
                columns=dataset.columns,
                required=dataset.required,
                sheet=sheet,
                data=data,
                name=report.file_name,
            )
        except SpreadsheetError as exc:
            report.outcome = ImportRecord.Outcome.UNREADABLE
            report.errors.append(Issue(str(exc)))
            _save_record(report, user, dataset)
            return report

        _describe_table(table, report)
        cleaned = dataset.clean(table, report)
        plan = dataset.plan(cleaned, report, lock=not dry_run)
        report.errors.sort(key=lambda i: i.row or 0)
        report.warnings.sort(key=lambda i: i.row or 0)
        if report.errors:
            report.outcome = ImportRecord.Outcome.REJECTED
        elif dry_run:
            report.outcome = ImportRecord.Outcome.PREVIEWED
        else:
            report.outcome = ImportRecord.Outcome.IMPORTED
        record = _save_record(report, user, dataset)
        if report.outcome == ImportRecord.Outcome.IMPORTED:
            notices = dataset.write(plan, record)
            if notices:
                report.notices.extend(notices)
                record.report = {**report.as_json(), **dataset.remembered()}
                record.save(update_fields=["report"])
    return report


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


def _save_record(report: ImportReport, user: object, dataset: DatasetImport) -> ImportRecord:
    record = ImportRecord.objects.create(
        kind=dataset.kind,
        user=user if getattr(user, "pk", None) else None,
        file_name=report.file_name[:255],
        sha256=report.sha256,
        size=report.size,
        dry_run=report.dry_run,
        outcome=report.outcome,
        counts=report.counts,
        report={**report.as_json(), **dataset.remembered()},
    )
    report.record_id = record.pk
    return record
