from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from associations.roster.cleaning import county_by_name
from core.exports import write_table
from grading.management.commands._common import year_argument
from subsidies import exports
from subsidies.models import Application


class Command(BaseCommand):
    help = (
        "匯出一個年度的補助申請案（.xlsx 或 .csv，依 PATH 副檔名），每列一個經費來源，"
        "欄位同匯入並加上案號及狀態；"
        "YEAR 可寫 115 或 2026。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("year", help="年度，例如 115 或 2026")
        parser.add_argument("path", type=Path, help="輸出檔案（.xlsx 或 .csv）")
        parser.add_argument("--county", default=settings.PORTAL_COUNTY, help="縣市（預設 PORTAL_COUNTY）")

    def handle(self, *args: object, year: str, path: Path, county: str, **options: object) -> None:
        gregorian = year_argument(year)
        found = county_by_name(county)
        if found is None:
            raise CommandError(f"找不到縣市「{county}」。", returncode=2)
        applications = Application.objects.filter(county=found, year=gregorian).order_by("number")
        try:
            write_table(
                path,
                headers=exports.HEADERS,
                rows=exports.rows(exports.prefetch(applications)),
                title=f"{year}",
            )
        except ValueError as exc:
            raise CommandError(str(exc), returncode=2) from exc
        self.stdout.write(f"已匯出 {applications.count()} 件申請案到 {path}。")
