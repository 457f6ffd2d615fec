import unicodedata

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from associations.demo.national import NATIONAL_ASSOCIATIONS
from associations.demo.writing import DemoError
from config.demo import demo_seed, national_seed


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _row(cells: list[str], widths: list[int]) -> str:
    return "  ".join(cell + " " * (width - _width(cell)) for cell, width in zip(cells, widths, strict=True))


class Command(BaseCommand):
    help = (
        "Seed a realistic demo of 苗栗縣 (280 associations with villages and officers, three years of "
        "compliance facts with their statuses and tiers, the oldest year's register finalised) and of a "
        "smaller 雲林縣 (60 associations, graded and finalised on its own registers), with one user of "
        "each role for 苗栗縣 and a county officer and a clerk for 雲林縣. Safe to run again: existing "
        "associations are kept as they are with their facts; the demo users are updated and their "
        "passwords reset to the demo password."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--seed", type=int, default=112, help="random seed; the same seed gives the same demo"
        )
        parser.add_argument(
            "--scale",
            choices=["demo", "national"],
            default="demo",
            help="demo: 苗栗縣 and 雲林縣 as above; national: 10,000 associations over every county of "
            "fixtures/geography.csv with ten years of facts, grades, award rounds and subsidy applications, "
            "written in bulk onto an empty database (for `make bench`)",
        )
        parser.add_argument(
            "--associations",
            type=int,
            default=NATIONAL_ASSOCIATIONS,
            help="with --scale national: how many associations (default 10,000; fewer for a quick set)",
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="run even with DEBUG off (it resets the demo users' passwords: never on a live database)",
        )

    def handle(
        self, *args: object, seed: int, force: bool, scale: str, associations: int, **options: object
    ) -> None:
        if not settings.DEBUG and not force:
            raise CommandError(
                _(
                    "示範資料會建立示範帳號並把其密碼重設為示範密碼，只能在 DEBUG=1 的開發環境執行；"
                    "確定此資料庫不是正式環境時，請加上 --force。"
                )
            )
        if scale == "national":
            self._national(seed=seed, associations=associations)
            return
        try:
            result = demo_seed(seed=seed, stdout=self.stdout)
        except DemoError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            self.style.SUCCESS(
                _(
                    "協會：新增 %(created)d、已存在 %(skipped)d；幹部：新增 %(officers)d；"
                    "村里：新增 %(villages)d（%(seconds).1f 秒）"
                )
                % {
                    "created": result.associations_created,
                    "skipped": result.associations_skipped,
                    "officers": result.officers_created,
                    "villages": result.villages_created,
                    "seconds": result.seconds,
                }
            )
        )
        self.stdout.write(
            _(
                "會務財務清查：新增會議 %(meetings)d、年度書表 %(filings)d、改選紀錄 %(elections)d、"
                "方案資料 %(programmes)d"
            )
            % {
                "meetings": result.meetings_created,
                "filings": result.filings_created,
                "elections": result.elections_created,
                "programmes": result.programmes_created,
            }
        )
        for note in result.notes:
            self.stdout.write(note)
        header = [_("帳號"), _("角色"), _("縣市"), _("鄉鎮市區"), _("密碼")]
        rows = [
            [u.username, str(u.role.label), u.county or "—", u.township or "—", u.password]
            for u in result.users
        ]
        widths = [max(_width(r[i]) for r in [header, *rows]) for i in range(len(header))]
        self.stdout.write("")
        for cells in [header, *rows]:
            self.stdout.write(_row(cells, widths).rstrip())
        self.stdout.write("")
        self.stdout.write(_("登入網址：%(url)s") % {"url": result.url})
        self.stdout.write(_("啟動示範站：make run（或 DEBUG=1 .venv/bin/python manage.py runserver）"))

    def _national(self, *, seed: int, associations: int) -> None:
        try:
            result = national_seed(seed=seed, associations=associations, stdout=self.stdout)
        except DemoError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            self.style.SUCCESS(
                _(
                    "全國規模資料：%(counties)d 個縣市、協會 %(associations)d、村里 %(villages)d、"
                    "幹部 %(officers)d、會議 %(meetings)d、年度書表 %(filings)d、改選紀錄 %(elections)d、"
                    "方案資料 %(programmes)d"
                    "（%(seconds).1f 秒）"
                )
                % {
                    "counties": len(result.counties),
                    "associations": result.associations,
                    "villages": result.villages,
                    "officers": result.officers,
                    "meetings": result.meetings,
                    "filings": result.filings,
                    "elections": result.elections,
                    "programmes": result.programmes,
                    "seconds": result.seconds,
                }
            )
        )
        for note in result.notes:
            self.stdout.write(note)
        for user in result.users:
            self.stdout.write(
                f"{user.username}  {user.role.label}  {user.county or '—'}  {user.township or '—'}"
            )
