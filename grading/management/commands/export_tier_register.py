from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from associations.access import can_use_registry
from core.dates import format_roc_year
from core.exports import write_table
from grading import selectors
from grading.management.commands._common import county_argument, user_argument, year_argument
from grading.models import Assessment


class Command(BaseCommand):
    help = (
        "匯出某年度的社區分級類型清冊（.xlsx 或 .csv，依副檔名）：鄉鎮市、協會名稱、理事長、會務財務狀態、"
        "未符規定事項、建議分級、核定分級、調整理由。加上 --county 時只匯出該縣市，"
        "加上 --user 時只匯出該帳號看得到的協會（其所屬或作業中的縣市）。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("year", help="年度，例如 112 或 2023")
        parser.add_argument("path", type=Path, help="輸出檔案（.xlsx 或 .csv）")
        parser.add_argument("--county", default=None, help="只匯出這個縣市的清冊（預設全部縣市）")
        parser.add_argument(
            "--user", default=None, help="依此帳號的權限範圍匯出（例如公所承辦人只含其鄉鎮市）"
        )

    def handle(self, *args: object, year: str, path: Path, **options: object) -> None:
        gregorian = year_argument(year)
        if path.suffix.lower() not in (".xlsx", ".csv"):
            raise CommandError("請以 .xlsx 或 .csv 作為輸出檔案的副檔名。", returncode=2)
        assessments = Assessment.objects.filter(year=gregorian)
        if options["county"]:
            assessments = assessments.filter(association__township__county=county_argument(options["county"]))
        if options["user"]:
            user = user_argument(options["user"])
            if not can_use_registry(user):
                raise CommandError(f"帳號「{options['user']}」沒有查看協會資料的權限。", returncode=2)
            assessments = assessments.visible_to(user)
        count = assessments.count()
        write_table(
            path,
            headers=selectors.export_headers(),
            rows=selectors.export_rows(assessments),
            title=f"{format_roc_year(gregorian)}社區分級類型清冊",
        )
        self.stdout.write(self.style.SUCCESS(f"已匯出 {count} 個協會至 {path}"))
