"""The roster import as a dataset import of the pipeline: the stages of this package wired together."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from associations.models import County
from associations.roster.cleaning import CleanRoster, clean_roster
from associations.roster.columns import COLUMNS, KIND, REQUIRED
from associations.roster.planning import RosterPlan, plan_roster
from associations.roster.writing import rejudge_status_changes, write_roster
from core.imports.pipeline import DatasetImport, run_import
from core.imports.report import ImportReport
from core.models import ImportRecord
from core.spreadsheets import Table


class RosterImport(DatasetImport[CleanRoster, RosterPlan]):
    kind = KIND
    columns = COLUMNS
    required = REQUIRED

    def __init__(
        self, *, county: County, user: object, progress: Callable[[int, int], None] | None = None
    ) -> None:
        self.county = county
        self.user = user
        self.progress = progress
        self.scope = county.name
        self.lock_scope = f"import:{county.pk}"

    def remembered(self) -> Mapping[str, object]:
        return {"county": self.county.name}

    def clean(self, table: Table, report: ImportReport) -> CleanRoster:
        return clean_roster(table, report, county=self.county, progress=self.progress)

    def plan(self, cleaned: CleanRoster, report: ImportReport, *, lock: bool) -> RosterPlan:
        """With `lock`, the county's associations and current officers are locked for the run (two
        imports, or an import and a clerk's edit, cannot interleave)."""
        return plan_roster(cleaned, report, county=self.county, lock=lock)

    def write(self, plan: RosterPlan, record: ImportRecord) -> Sequence[str]:
        write_roster(plan, record=record, user=self.user)
        return rejudge_status_changes(plan, user=self.user)


def roster_import(
    *,
    path: Path,
    user: object,
    county: County,
    dry_run: bool,
    sheet: str | None = None,
    file_name: str | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> ImportReport:
    """Import the roster at `path` into `county`'s associations (see the package docstring); with
    `dry_run` nothing but the ImportRecord is written."""
    return run_import(
        RosterImport(county=county, user=user, progress=progress),
        path=path,
        user=user,
        dry_run=dry_run,
        sheet=sheet,
        file_name=file_name,
    )
