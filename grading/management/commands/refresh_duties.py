from django.core.management.base import BaseCommand, CommandParser

from associations.models import Association
from grading.duties import refresh
from grading.management.commands._common import county_argument


class Command(BaseCommand):
    help = (
        "依目前的清查資料重新寫入待辦事項（上年度的工作報告、本年度與下年度的各項事項、後年度的工作計畫"
        "及任期）。首次安裝後執行一次以填入既有資料，之後每年 1 月 1 日由排程執行，讓待辦事項涵蓋新的年度；"
        "加上 --county 時只處理該縣市。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--county", default=None, help="只處理這個縣市（預設全部縣市）")

    def handle(self, *args: object, county: str | None, **options: object) -> None:
        associations = Association.objects.all()
        if county:
            associations = associations.filter(township__county=county_argument(county))
        written = refresh(associations=associations)
        self.stdout.write(self.style.SUCCESS(f"已寫入 {written} 筆待辦事項。"))
