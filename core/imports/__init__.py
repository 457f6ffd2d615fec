"""The import pipeline every spreadsheet import of the portal follows (see `core.imports.pipeline`)."""

from core.imports.report import ImportReportLike

__all__ = ["ImportReportLike"]
