import os
from getpass import getpass

from django.core.management.base import BaseCommand, CommandError, CommandParser

from associations.staff import StaffError, staff_add
from core.auth import stored_username
from core.roles import Role


class Command(BaseCommand):
    help = "Create or update a portal user with a role. The password comes from PORTAL_PASSWORD or a prompt."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--role", required=True, choices=Role.values)
        parser.add_argument("--township", help="required for --role township, e.g. 竹南鎮 or 苗栗縣竹南鎮")
        parser.add_argument(
            "--county",
            default=None,
            help="county of --role county (default PORTAL_COUNTY), or an administrator's working county",
        )
        parser.add_argument("--name", default="", help="display name, e.g. 王小明")

    def handle(
        self,
        *args: object,
        username: str,
        role: str,
        township: str | None,
        county: str | None,
        name: str,
        **options: object,
    ) -> None:
        password = os.environ.get("PORTAL_PASSWORD")
        if not password:
            if not os.isatty(0):
                raise CommandError("請以 PORTAL_PASSWORD 環境變數提供密碼。")
            password = getpass("密碼：")
            if password != getpass("再輸入一次密碼："):
                raise CommandError("兩次輸入的密碼不一致。")
        try:
            # Sign-in ignores case, so `Zhunan` updates an existing `zhunan`: look-alikes could not sign in.
            user, created = staff_add(
                username=stored_username(username),
                role=Role(role),
                township=township,
                county=county,
                password=password,
                full_name=name,
            )
        except StaffError as exc:
            raise CommandError(str(exc)) from exc
        verb = "已建立" if created else "已更新"
        self.stdout.write(self.style.SUCCESS(f"{verb}使用者 {user.username}（{user.membership}）"))
