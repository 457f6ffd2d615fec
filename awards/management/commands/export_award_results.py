from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from awards.exports import results_headers, results_rows
from awards.models import AwardRound
from core.exports import write_table


class Command(BaseCommand):
    help = (
        "匯出選拔回合的成績（.xlsx 或 .csv，依 PATH 的副檔名）：組別、名次、鄉鎮市、"
        "協會名稱、總分（兩位小數）、評審人數、各評審總分、等第；儲存格已防公式注入。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("code", help="回合代碼")
        parser.add_argument("path", type=Path, help="輸出檔案（.xlsx 或 .csv）")

    def handle(self, *args: object, code: str, path: Path, **options: object) -> None:
        award_round = AwardRound.objects.filter(code=code).first()
        if award_round is None:
            raise CommandError(f"找不到代碼為「{code}」的選拔回合。", returncode=2)
        try:
            fmt = write_table(
                path, headers=results_headers(), rows=results_rows(award_round), title=code[:31]
            )
        except ValueError as exc:
            raise CommandError(str(exc), returncode=2) from exc
        self.stdout.write(f"已匯出 {award_round.name} 成績（{fmt}）：{path}")
