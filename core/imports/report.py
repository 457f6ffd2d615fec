"""The report of one import run: what was read, what is wrong, what is (or would be) written. The pipeline
(`core.imports.pipeline`) fills in the reading and the outcome; a dataset import adds its issues, counts
and changes. The command base and the admin page show it, and its JSON is kept in the ImportRecord."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from core.imports.issues import Issue
from core.models import ImportRecord


@dataclass
class RowChange:
    """What one row creates or changes: `place` and `name` say which record (e.g. a township and an
    association's name), `changes` lists (label, old, new)."""

    row: int
    place: str
    name: str
    action: str  # "created" or "updated"
    changes: list[tuple[str, str, str]] = field(default_factory=list)


@dataclass
class ImportReport:
    file_name: str
    scope: str  # what the rows were read under (e.g. a county's name), shown in the report's heading
    dry_run: bool
    sheet: str | None = None
    sha256: str = ""
    size: int = 0
    outcome: str = ImportRecord.Outcome.PREVIEWED
    format: str = ""
    encoding: str | None = None
    header_row: int | None = None
    columns: dict[str, str] = field(default_factory=dict)
    unknown_columns: list[str] = field(default_factory=list)
    blank_rows: int = 0
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    errors: list[Issue] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    changes: list[RowChange] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    record_id: int | None = None

    @property
    def exit_code(self) -> int:
        """0 imported (or a clean dry run), 1 a blocking error (nothing written), 2 the file is unreadable."""
        if self.outcome == ImportRecord.Outcome.UNREADABLE:
            return 2
        return 1 if self.errors else 0

    @property
    def counts(self) -> dict[str, int]:
        return {
            "rows": self.rows,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "skipped": self.skipped,
            "errors": len(self.errors),
            "warnings": len(self.warnings),
            "missing": len(self.missing),
        }

    def summary(self) -> str:
        return (
            _(
                "共 %(rows)d 列：新增 %(created)d、更新 %(updated)d、未變更 %(unchanged)d、略過 %(skipped)d；"
                "錯誤 %(errors)d、警告 %(warnings)d。"
            )
            % self.counts
        )

    def as_json(self) -> dict[str, object]:
        """The report as stored in ImportRecord.report (built by hand: asdict is slow on 50,000 rows)."""
        scalars = {
            name: getattr(self, name)
            for name in (
                "file_name",
                "scope",
                "dry_run",
                "sheet",
                "sha256",
                "size",
                "outcome",
                "format",
                "encoding",
                "header_row",
                "columns",
                "unknown_columns",
                "blank_rows",
                "notices",
                "missing",
            )
        }
        issue = lambda i: {"row": i.row, "column": i.column, "message": i.message, "text": str(i)}  # noqa: E731
        return {
            **scalars,
            "counts": self.counts,
            "errors": [issue(i) for i in self.errors],
            "warnings": [issue(i) for i in self.warnings],
            "changes": [[c.row, c.place, c.name, c.action, c.changes] for c in self.changes],
        }
