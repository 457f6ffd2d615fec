"""What the shared import plumbing (the previewed admin page in `core.admin_imports`, the command base in
`core.management.imports`) reads of an import's report. The report itself belongs to the import pipeline
(`associations.imports.ImportReport`); this only names the part of it the plumbing relies on, so core needs
no import from the apps above it."""

from __future__ import annotations

from typing import Any, Protocol


class ImportReportLike(Protocol):
    file_name: str
    county: str  # the name the rows were read under, shown in the report's heading
    dry_run: bool
    sha256: str
    record_id: int | None
    notices: list[str]
    errors: list[Any]
    warnings: list[Any]
    changes: list[Any]
    missing: list[str]

    @property
    def exit_code(self) -> int:
        """0 imported (or a clean dry run), 1 a blocking error (nothing written), 2 the file is unreadable."""
        ...

    def summary(self) -> str: ...
