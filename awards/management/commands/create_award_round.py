from pathlib import Path

from django.conf import settings
from django.core.management.base import CommandParser

from awards.imports import RoundWorkbookImport
from awards.models import Method
from core.imports.command import ImportCommand
from core.imports.pipeline import run_import
from core.imports.report import ImportReport
from grading.management.commands._common import county_argument, user_argument, year_argument


class Command(ImportCommand):
    help = (
        "由一個 .xlsx 活頁簿建立選拔回合：工作表「評分項目」（組別、評分項目、配分、說明）、"
        "「參選名單」（組別、鄉鎮市、協會名稱）、「評審」（帳號、迴避：以「、」分隔的協會名稱），"
        "以及選填的「等第」（組別、等第、最低分數、名額）。任何錯誤皆依工作表與列號列出，"
        "且不寫入任何資料。結束代碼：0 已建立，1 有錯誤，2 檔案無法讀取。"
    )
    missing_heading = ""

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("year", help="年度，例如 115 或 2026")
        parser.add_argument("--code", required=True, help="回合代碼（唯一），例如 GE115")
        parser.add_argument("--name", required=True, help="回合名稱")
        parser.add_argument("--workbook", required=True, type=Path, help="活頁簿 .xlsx")
        parser.add_argument("--method", choices=Method.values, default=Method.MEAN, help="計分方式")
        parser.add_argument("--county", default=settings.PORTAL_COUNTY, help="縣市（預設 PORTAL_COUNTY）")
        parser.add_argument("--dry-run", action="store_true", help="只檢查，不建立")
        parser.add_argument("--user", default=None, help="記錄為執行者的帳號")

    def handle(self, *args: object, year: str, workbook: Path, **options: object) -> None:
        workbook = Path(workbook)
        user = user_argument(options["user"])  # type: ignore[arg-type]
        dataset = RoundWorkbookImport(
            county=county_argument(options["county"]),  # type: ignore[arg-type]
            year=year_argument(year),
            code=str(options["code"]),
            name=str(options["name"]),
            method=str(options["method"]),
            path=workbook,
            user=user,
        )
        report = run_import(
            dataset, path=workbook, user=user, dry_run=bool(options["dry_run"]), sheet="評分項目"
        )
        self.finish(report)

    def write_changes(self, report: ImportReport, *, limit: int | None) -> None:
        return None
