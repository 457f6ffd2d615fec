"""The report of one import run: what was read, what is wrong, what is (or would be) written. The pipeline
(`core.imports.pipeline`) fills in the reading and the outcome; a dataset import adds its issues, counts
and changes. The command base and the admin page show it, and its JSON is kept in the ImportRecord."""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

from django.utils.translation import gettext as _

from core.imports.issues import Issue
from core.models import ImportRecord

#: The stored report keeps this many issues (and changes, and missing rows) of each kind and counts the
#: rest; the whole list goes to a file (`write_all`) offered while the upload is kept.
KEEP_PER_KIND = 200
#: A stored issue's text is cut to this many characters (a cell quoted in a message may be long).
KEEP_TEXT_CHARS = 300
#: The kinds of list a report holds, in the order the full list file gives them.
LIST_KINDS = ("errors", "warnings", "changes", "missing")


def _cut(text: str) -> str:
    return text if len(text) <= KEEP_TEXT_CHARS else text[: KEEP_TEXT_CHARS - 1] + "…"


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
    full_list: str = ""  # the whole list as CSV, relative to MEDIA_ROOT, when the stored report is cut
    #: Read back from a stored record (`from_record`), whose lists are cut: the counts and what was left
    #: out, as the run found them.
    stored_counts: dict[str, int] | None = None
    stored_omitted: dict[str, int] | None = None

    @classmethod
    def from_record(cls, record: ImportRecord) -> ImportReport:
        """The report of a finished run as its record keeps it (the first KEEP_PER_KIND of each list), to be
        shown as the run itself would have been: a run in the background is shown from its record."""
        data = record.report or {}

        def issues(kind: str) -> list[Issue]:
            return [
                Issue(item.get("message", ""), row=item.get("row"), column=item.get("column"))
                for item in data.get(kind, [])
            ]

        return cls(
            file_name=record.file_name,
            scope=str(data.get("scope", "")),
            dry_run=record.dry_run,
            sheet=data.get("sheet"),
            sha256=record.sha256,
            size=record.size,
            outcome=record.outcome,
            format=str(data.get("format", "")),
            encoding=data.get("encoding"),
            header_row=data.get("header_row"),
            columns=dict(data.get("columns", {})),
            unknown_columns=list(data.get("unknown_columns", [])),
            blank_rows=int(data.get("blank_rows", 0)),
            rows=int(record.counts.get("rows", 0)),
            created=int(record.counts.get("created", 0)),
            updated=int(record.counts.get("updated", 0)),
            unchanged=int(record.counts.get("unchanged", 0)),
            skipped=int(record.counts.get("skipped", 0)),
            errors=issues("errors"),
            warnings=issues("warnings"),
            notices=list(data.get("notices", [])),
            changes=[
                RowChange(row=row, place=place, name=name, action=action, changes=[tuple(c) for c in changes])
                for row, place, name, action, changes in data.get("changes", [])
            ],
            missing=list(data.get("missing", [])),
            record_id=record.pk,
            full_list=str(data.get("full_list", "")),
            stored_counts=dict(record.counts),
            stored_omitted=dict(data.get("omitted", {})),
        )

    @property
    def exit_code(self) -> int:
        """0 imported (or a clean dry run), 1 a blocking error (nothing written), 2 the file is unreadable
        or the run could not be done (another import of the scope running, a lock conflict twice)."""
        if self.outcome in (ImportRecord.Outcome.UNREADABLE, ImportRecord.Outcome.FAILED):
            return 2
        return 1 if self.errors or self.outcome == ImportRecord.Outcome.REJECTED else 0

    @property
    def counts(self) -> dict[str, int]:
        if self.stored_counts is not None:
            return self.stored_counts
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

    def omitted(self) -> dict[str, int]:
        """How many of each list the stored report leaves out (only the kinds with any left out)."""
        if self.stored_omitted is not None:
            return self.stored_omitted
        sizes = {kind: len(getattr(self, kind)) - KEEP_PER_KIND for kind in LIST_KINDS}
        return {kind: n for kind, n in sizes.items() if n > 0}

    def write_all(self, path: Path) -> None:
        """Every issue, change and missing row as CSV (UTF-8 with a BOM, for Excel): the list the stored
        report shortens."""
        path.parent.mkdir(parents=True, exist_ok=True)
        labels = {
            "errors": _("錯誤"),
            "warnings": _("警告"),
            "changes": _("變更"),
            "missing": _("檔案中沒有"),
        }
        with path.open("w", encoding="utf-8-sig", newline="") as stream:
            writer = csv.writer(stream)
            writer.writerow([_("類別"), _("列"), _("欄位"), _("內容")])
            for issue in self.errors:
                writer.writerow([labels["errors"], issue.row or "", issue.column or "", issue.message])
            for issue in self.warnings:
                writer.writerow([labels["warnings"], issue.row or "", issue.column or "", issue.message])
            for change in self.changes:
                details = "；".join(f"{label} {old} → {new}" for label, old, new in change.changes)
                writer.writerow([labels["changes"], change.row, change.place, f"{change.name}：{details}"])
            for name in self.missing:
                writer.writerow([labels["missing"], "", "", name])

    def as_json(self) -> dict[str, object]:
        """The report as stored in ImportRecord.report, bounded: the first KEEP_PER_KIND of each list, each
        text cut to KEEP_TEXT_CHARS, and `omitted` counting what is left out (built by hand: asdict is slow
        on 50,000 rows)."""
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
                "blank_rows",
                "full_list",
            )
        }
        keep = KEEP_PER_KIND

        def issue(i: Issue) -> dict[str, object]:
            return {"row": i.row, "column": i.column, "message": _cut(i.message), "text": _cut(str(i))}

        def change(c: RowChange) -> list[object]:
            described = [[_cut(label), _cut(old), _cut(new)] for label, old, new in c.changes]
            return [c.row, c.place, _cut(c.name), c.action, described]

        return {
            **scalars,
            "counts": self.counts,
            "unknown_columns": [_cut(name) for name in self.unknown_columns[:keep]],
            "notices": [_cut(notice) for notice in self.notices[:keep]],
            "errors": [issue(i) for i in self.errors[:keep]],
            "warnings": [issue(i) for i in self.warnings[:keep]],
            "changes": [change(c) for c in self.changes[:keep]],
            "missing": [_cut(name) for name in self.missing[:keep]],
            "omitted": self.omitted(),
        }
