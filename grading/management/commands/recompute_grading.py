from django.core.management.base import BaseCommand, CommandError, CommandParser

from core.dates import ROCDateError, parse_date
from grading.management.commands._common import year_argument
from grading.services import GradingError, assessments_recompute_system


class Command(BaseCommand):
    help = "重新計算某年度所有運作中協會的會務財務狀態與建議分級（已定案的年度不會變動）。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("year", help="年度，例如 112 或 2023")
        parser.add_argument("--as-of", default=None, help="檢核基準日（預設今天），例如 113/04/01")

    def handle(self, *args: object, year: str, as_of: str | None, **options: object) -> None:
        gregorian = year_argument(year)
        try:
            day = parse_date(as_of) if as_of else None
        except ROCDateError as exc:
            raise CommandError(str(exc), returncode=2) from exc
        try:
            result = assessments_recompute_system(year=gregorian, as_of=day)
        except GradingError as exc:
            raise CommandError(str(exc), returncode=1) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"共 {result.total} 個協會：新增 {result.created}、更新 {result.updated}、"
                f"未變動 {result.unchanged}；建議分級變動 {result.tier_changes} 筆。"
            )
        )
