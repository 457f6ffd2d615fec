from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from associations.geography import GeographyImportError, townships_import


class Command(BaseCommand):
    help = (
        "Load or update a county's townships from a CSV or XLSX file "
        "(columns 縣市, 鄉鎮市區, optional 類型, 服務區)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)

    def handle(self, *args: object, file: Path, **options: object) -> None:
        try:
            result = townships_import(path=file)
        except GeographyImportError as exc:
            raise CommandError("\n".join(exc.errors)) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"鄉鎮市區：新增 {result.created}、更新 {result.updated}、未變更 {result.unchanged}"
            )
        )
