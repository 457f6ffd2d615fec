from django.core.management.base import BaseCommand, CommandParser

from core.uploads import purge_stale


class Command(BaseCommand):
    help = (
        "刪除等候確認超過 IMPORT_UPLOAD_MAX_AGE 秒（預設一小時）的匯入上傳檔案"
        "（含完整清單與 django-import-export 的暫存檔）。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--max-age", type=int, default=None, help="秒數（預設 IMPORT_UPLOAD_MAX_AGE）")

    def handle(self, *args: object, max_age: int | None, **options: object) -> None:
        deleted = purge_stale(max_age=max_age)
        self.stdout.write(f"已刪除 {deleted} 個過期的上傳檔案。")
