from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from associations.exports import export_to_path
from associations.models import Association
from associations.roster.cleaning import county_by_name
from core.exports import FORMATS


class Command(BaseCommand):
    help = "匯出社區發展協會名冊（.xlsx 或 .csv，依副檔名；CSV 為含 BOM 的 UTF-8），欄位與匯入相同。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path, help="輸出檔案（.xlsx 或 .csv）")
        parser.add_argument("--county", default=None, help="只匯出這個縣市（預設全部）")

    def handle(self, *args: object, path: Path, county: str | None, **options: object) -> None:
        if path.suffix.lower().lstrip(".") not in FORMATS:
            raise CommandError(f"不支援的匯出格式「{path.suffix or path.name}」，請使用 .xlsx 或 .csv。")
        queryset = Association.objects.order_by(
            "township__county__name", "township__sort_order", "name", "pk"
        )
        if county:
            found = county_by_name(county)
            if found is None:
                raise CommandError(f"找不到縣市「{county}」。")
            queryset = queryset.filter(township__county=found)
        count = export_to_path(queryset=queryset, path=path)
        self.stdout.write(self.style.SUCCESS(f"已匯出 {count} 個協會到 {path}"))
