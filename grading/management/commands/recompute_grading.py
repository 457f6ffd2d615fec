from django.core.management.base import BaseCommand, CommandError, CommandParser

from associations.models import County
from core.dates import ROCDateError, parse_date
from grading.management.commands._common import county_argument, year_argument
from grading.services import GradingError, assessments_recompute_system


class Command(BaseCommand):
    help = (
        "重新計算某年度所有運作中協會的會務財務狀態與建議分級，每個縣市依其分級清冊分別計算"
        "（已定案的縣市不會變動）。加上 --county 時只計算該縣市。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("year", help="年度，例如 112 或 2023")
        parser.add_argument("--as-of", default=None, help="檢核基準日（預設今天），例如 113/04/01")
        parser.add_argument("--county", default=None, help="只計算這個縣市（預設全部縣市）")

    def handle(
        self, *args: object, year: str, as_of: str | None, county: str | None, **options: object
    ) -> None:
        gregorian = year_argument(year)
        try:
            day = parse_date(as_of) if as_of else None
        except ROCDateError as exc:
            raise CommandError(str(exc), returncode=2) from exc
        counties = [county_argument(county)] if county else _counties_with_associations()
        refused = []
        for each in counties:
            try:
                result = assessments_recompute_system(county=each, year=gregorian, as_of=day)
            except GradingError as exc:
                refused.append(str(exc))
                self.stderr.write(str(exc))
                continue
            self.stdout.write(
                self.style.SUCCESS(
                    f"{each.name}：共 {result.total} 個協會：新增 {result.created}、更新 {result.updated}、"
                    f"未變動 {result.unchanged}；建議分級變動 {result.tier_changes} 筆。"
                )
            )
        if refused and (county or len(refused) == len(counties)):
            raise CommandError(refused[-1], returncode=1)


def _counties_with_associations() -> list[County]:
    """Every county that has a roster; a county whose geography alone is loaded gets no empty register."""
    return list(County.objects.filter(townships__associations__isnull=False).distinct().order_by("name"))
