from pathlib import Path

from django.core.management.base import CommandError, CommandParser

from awards.imports import ScoresImport
from awards.models import AwardRound
from core.imports.command import ImportCommand
from core.imports.pipeline import run_import
from core.imports.report import ImportReport
from grading.management.commands._common import user_argument


class Command(ImportCommand):
    help = (
        "匯入評審在 Excel 填寫的分數（欄位：評審（帳號）、鄉鎮市、協會名稱、評分項目、分數），"
        "依回合的評分項目與配分檢查；須迴避的評審、不存在的評分項目或超過配分的分數皆為阻擋性錯誤。匯入的評分表即為已送出。"
        "結束代碼：0 已匯入（或預覽無誤），1 有錯誤（未寫入任何資料），2 檔案無法讀取。"
    )
    missing_heading = ""

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("code", help="回合代碼")
        parser.add_argument("file", type=Path, help="分數檔案（.xlsx、.xls 或 .csv）")
        parser.add_argument("--dry-run", action="store_true", help="只檢查並列出報告，不寫入")
        parser.add_argument("--sheet", default=None, help="Excel 工作表名稱（預設第一個）")
        parser.add_argument("--user", default=None, help="記錄為執行者的帳號")

    def handle(self, *args: object, code: str, file: Path, dry_run: bool, **options: object) -> None:
        award_round = AwardRound.objects.select_related("county").filter(code=code).first()
        if award_round is None:
            raise CommandError(f"找不到代碼為「{code}」的選拔回合。", returncode=2)
        user = user_argument(options["user"])  # type: ignore[arg-type]
        report = run_import(
            ScoresImport(award_round=award_round, user=user),
            path=file,
            user=user,
            dry_run=dry_run,
            sheet=options["sheet"],  # type: ignore[arg-type]
        )
        self.finish(report)

    def write_changes(self, report: ImportReport, *, limit: int | None) -> None:
        return None
