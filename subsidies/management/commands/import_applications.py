from pathlib import Path

from django.conf import settings
from django.core.management.base import CommandError, CommandParser

from associations.roster.cleaning import county_by_name
from core.imports.command import ImportCommand
from core.imports.pipeline import run_import
from core.imports.report import ImportReport
from grading.management.commands._common import user_argument
from subsidies.imports import ApplicationImport


class Command(ImportCommand):
    help = (
        "匯入歷年已核定的補助申請案（.xlsx、.xls 或 .csv），每列一個經費來源："
        "鄉鎮市、協會名稱、年度、補助項目、"
        "計畫名稱、期程、經費來源、申請金額、核定金額；匯入的案件為已結案。"
        "結束代碼：0 已匯入（或預覽無誤），1 有阻擋性錯誤（未寫入任何資料），2 檔案無法讀取。"
    )
    missing_heading = "{n}"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="申請案檔案")
        parser.add_argument("--dry-run", action="store_true", help="只檢查並列出報告，不寫入")
        parser.add_argument("--county", default=settings.PORTAL_COUNTY, help="縣市（預設 PORTAL_COUNTY）")
        parser.add_argument("--sheet", default=None, help="Excel 工作表名稱（預設第一個）")
        parser.add_argument("--user", default=None, help="記錄為執行者的帳號")

    def handle(self, *args: object, file: Path, dry_run: bool, county: str, **options: object) -> None:
        found = county_by_name(county)
        if found is None:
            raise CommandError(f"找不到縣市「{county}」，請先匯入行政區資料。", returncode=2)
        user = user_argument(options["user"])
        report = run_import(
            ApplicationImport(county=found, user=user),
            path=file,
            user=user,
            dry_run=dry_run,
            sheet=options["sheet"],
        )
        self.finish(report)

    def write_changes(self, report: ImportReport, *, limit: int | None) -> None:
        return None
