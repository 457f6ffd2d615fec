"""The base of a management command that runs a spreadsheet import (`core.imports.pipeline.run_import`): it
prints the import's report in one
layout and turns the report's exit code into the command's, so every import answers a script alike
(0 imported or a clean dry run, 1 blocking errors and nothing written, 2 the file is unreadable or the
import could not run: another import of the county in progress, or a lock conflict twice)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from core.imports.report import ImportReport
from core.models import ImportRecord


class ImportCommand(BaseCommand):
    """A subclass runs its import in `handle` and ends with `self.finish(report)`; it says how the rows
    the import changes are listed (`write_changes`) and what the rows missing from the file are
    (`missing_heading`, formatted with their number as `n`)."""

    missing_heading: str

    def write_changes(self, report: ImportReport, *, limit: int | None) -> None:
        raise NotImplementedError

    def finish(self, report: ImportReport, *, limit: int | None = None) -> None:
        """Print the report, then fail with its exit code unless it is 0. `limit` caps the warnings and
        changes listed (the record keeps them all); a command that passes it offers `--all-warnings`."""
        self.write_report(report, limit=limit)
        if report.exit_code:
            messages = {
                ImportRecord.Outcome.UNREADABLE: "檔案無法讀取。",
                ImportRecord.Outcome.FAILED: "匯入未完成，未寫入任何資料。",
            }
            raise CommandError(
                messages.get(report.outcome, "有錯誤，未寫入任何資料。"), returncode=report.exit_code
            )

    def write_report(self, report: ImportReport, *, limit: int | None) -> None:
        out = self.stdout
        mode = "預覽（未寫入）" if report.dry_run else "匯入"
        out.write(f"{mode}：{report.file_name}（{report.scope}，SHA-256 {report.sha256[:12] or '—'}）")
        for notice in report.notices:
            out.write(f"  {notice}")
        if report.errors:
            out.write(self.style.ERROR(f"錯誤 {len(report.errors)} 則："))
            for issue in report.errors:
                out.write(self.style.ERROR(f"  {issue}"))
        if report.warnings:
            out.write(self.style.WARNING(f"警告 {len(report.warnings)} 則："))
            shown = report.warnings if limit is None else report.warnings[:limit]
            for issue in shown:
                out.write(self.style.WARNING(f"  {issue}"))
            if len(shown) < len(report.warnings):
                out.write(
                    f"  ……另有 {len(report.warnings) - len(shown)} 則，加上 --all-warnings 可全部列出。"
                )
        self.write_changes(report, limit=limit)
        if report.missing:
            out.write(self.missing_heading.format(n=len(report.missing)))
            for name in report.missing:
                out.write(f"  {name}")
        style = self.style.SUCCESS if report.exit_code == 0 else self.style.ERROR
        out.write(style(report.summary()))
        if report.record_id:
            out.write(f"匯入紀錄 #{report.record_id}")
