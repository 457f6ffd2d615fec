import sys
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import CommandError, CommandParser

from associations.access import can_import_into
from associations.roster.cleaning import county_by_name
from associations.roster.dataset import roster_import
from core.imports.command import ImportCommand
from core.imports.report import ImportReport

#: Files with more data rows than this show a progress bar (on stderr, so a redirected report stays clean).
PROGRESS_FROM_ROWS = 300


class Command(ImportCommand):
    help = (
        "匯入社區發展協會名冊（.xlsx、.xls 或 .csv）。結束代碼：0 已匯入（或預覽無誤），"
        "1 有阻擋性錯誤（未寫入任何資料），2 檔案無法讀取。"
    )
    missing_heading = "系統中有、檔案中沒有的協會 {n} 個（未刪除）："

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="名冊檔案")
        parser.add_argument("--dry-run", action="store_true", help="只檢查並列出報告，不寫入")
        parser.add_argument("--county", default=settings.PORTAL_COUNTY, help="縣市（預設 PORTAL_COUNTY）")
        parser.add_argument("--sheet", default=None, help="Excel 工作表名稱（預設第一個）")
        parser.add_argument(
            "--user", default=None, help="記錄為執行者的帳號，且只能匯入此帳號可管理的縣市（省略：系統執行）"
        )
        parser.add_argument("--all-warnings", action="store_true", help="列出全部警告（預設最多 200 則）")

    def handle(
        self, *args: object, file: Path, dry_run: bool, county: str, sheet: str | None, **options: object
    ) -> None:
        found = county_by_name(county)
        if found is None:
            raise CommandError(f"找不到縣市「{county}」，請先匯入行政區資料。", returncode=2)
        user = None
        if options["user"]:
            user = get_user_model().objects.filter(username=options["user"]).first()
            if user is None:
                raise CommandError(f"找不到帳號「{options['user']}」。", returncode=2)
            if not can_import_into(user, found):
                raise CommandError(
                    f"帳號「{user.get_username()}」不能匯入{found.name}的名冊："
                    "匯入限該縣的縣府承辦人與系統管理者（公所承辦人請交由縣府匯入）。",
                    returncode=2,
                )
        bar = _ProgressBar(self.stderr._out if hasattr(self.stderr, "_out") else sys.stderr)
        report = roster_import(
            path=file, user=user, county=found, dry_run=dry_run, sheet=sheet, progress=bar.update
        )
        bar.finish()
        self.finish(report, limit=None if options["all_warnings"] else 200)

    def write_changes(self, report: ImportReport, *, limit: int | None) -> None:
        updated = [c for c in report.changes if c.action == "updated"]
        if updated:
            self.stdout.write(f"更新 {len(updated)} 個協會：")
            for change in updated[: limit or len(updated)]:
                details = "；".join(f"{label} {old} → {new}" for label, old, new in change.changes)
                self.stdout.write(f"  第 {change.row} 列 {change.place} {change.name}：{details}")


class _ProgressBar:
    """A plain text bar for long files: redrawn in place with a carriage return, only for big files."""

    width = 30

    def __init__(self, stream) -> None:  # type: ignore[no-untyped-def]
        self.stream = stream
        self.shown = False

    def update(self, done: int, total: int) -> None:
        if total < PROGRESS_FROM_ROWS:
            return
        filled = self.width * done // max(total, 1)
        self.stream.write(f"\r檢查中 [{'#' * filled}{'.' * (self.width - filled)}] {done}/{total} 列")
        self.stream.flush()
        self.shown = True

    def finish(self) -> None:
        if self.shown:
            self.stream.write("\n")
            self.stream.flush()
