from pathlib import Path

from django.conf import settings
from django.core.management.base import CommandError, CommandParser

from associations.access import can_import_into
from associations.compliance.imports import ComplianceImport
from associations.roster.cleaning import county_by_name
from core.imports.command import ImportCommand
from core.imports.pipeline import run_import
from core.imports.report import ImportReport
from grading.management.commands._common import user_argument, year_argument


class Command(ImportCommand):
    help = (
        "匯入會務財務清查表（.xlsx、.xls 或 .csv），每列一個協會：鄉鎮市、協會名稱、會員大會日期、"
        "會員大會紀錄送府日期（選填）、理事會日期、監事會日期、工作計畫及預算送府日期、"
        "工作報告及決算送府日期、任期屆滿日、備註。會議依種類與日期比對：已登錄的會議保留其紀錄送府日期與備註，"
        "檔案未再列出的會議會刪除並逐場列出。"
        "結束代碼：0 已匯入（或預覽無誤），1 有阻擋性錯誤（未寫入任何資料），2 檔案無法讀取。"
    )
    missing_heading = "檔案所列鄉鎮市中，沒有出現在檔案裡的協會 {n} 個："

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("year", help="清查年度，例如 112 或 2023")
        parser.add_argument("file", type=Path, help="清查表檔案")
        parser.add_argument("--dry-run", action="store_true", help="只檢查並列出報告，不寫入")
        parser.add_argument("--county", default=settings.PORTAL_COUNTY, help="縣市（預設 PORTAL_COUNTY）")
        parser.add_argument("--sheet", default=None, help="Excel 工作表名稱（預設第一個）")
        parser.add_argument(
            "--user", default=None, help="記錄為執行者的帳號，且只能匯入此帳號可管理的縣市（省略：系統執行）"
        )
        parser.add_argument(
            "--replace",
            action="store_true",
            help="以檔案內容取代：檔案未列出的會議即使登錄有檔案無法記載的資料（紀錄送府日期、備註）也刪除",
        )

    def handle(
        self, *args: object, year: str, file: Path, dry_run: bool, county: str, **options: object
    ) -> None:
        gregorian = year_argument(year)
        found = county_by_name(county)
        if found is None:
            raise CommandError(f"找不到縣市「{county}」，請先匯入行政區資料。", returncode=2)
        user = user_argument(options["user"])
        if user is not None and not can_import_into(user, found):
            raise CommandError(
                f"帳號「{user.get_username()}」不能匯入{found.name}的清查表："
                "匯入限該縣的縣府承辦人與系統管理者（公所承辦人請交由縣府匯入）。",
                returncode=2,
            )
        report = run_import(
            ComplianceImport(year=gregorian, county=found, user=user, replace=options["replace"]),
            path=file,
            user=user,
            dry_run=dry_run,
            sheet=options["sheet"],
        )
        self.finish(report)

    def write_changes(self, report: ImportReport, *, limit: int | None) -> None:
        for change in report.changes:
            details = "；".join(
                f"{label} {old} → {new}" if old else f"{label} {new}" for label, old, new in change.changes
            )
            self.stdout.write(f"  第 {change.row} 列 {change.place} {change.name}：{details}")
