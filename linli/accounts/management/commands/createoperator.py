"""`linli createoperator`: the first account of a new installation, the platform operator who
opens communities (docs/install.md). Django's createsuperuser makes an admin-site superuser,
which has no rights in linli itself."""

import getpass
import os
import sys

from django.core.management.base import BaseCommand, CommandError

from linli.accounts.models import User
from linli.accounts.services.staff import do_create_operator
from linli.core.errors import ServiceError


class Command(BaseCommand):
    help = "Create a platform operator (opens communities and names their first admin)."

    def add_arguments(self, parser):
        parser.add_argument("username", help="login name: 3-40 of a-z 0-9 . _ -")
        parser.add_argument("--name", default="", help="display name, e.g. 平台运营")
        parser.add_argument(
            "--password-from-env",
            metavar="VAR",
            help="read the password from this environment variable instead of prompting (scripts)",
        )
        parser.add_argument(
            "--password-stdin",
            action="store_true",
            help="read the password from the first line of standard input (scripts, pipes)",
        )
        parser.add_argument(
            "--exists-ok",
            action="store_true",
            help="exit 0 without changes when an operator with this name already exists (re-runnable scripts)",
        )
        parser.add_argument(
            "--noinput", "--no-input", action="store_false", dest="interactive", help="never prompt"
        )

    def handle(self, *args, username, name, password_from_env, password_stdin, exists_ok, **options):
        existing = User.objects.filter(username__iexact=username.strip()).first()
        if existing is not None:
            if exists_ok and existing.is_operator:
                self.stdout.write(
                    f"运营账户 {existing.username} 已存在，未做更改 (operator exists, unchanged)"
                )
                return
            raise CommandError(f"username {existing.username!r} is taken; nothing was changed")
        if password_stdin:
            password = sys.stdin.readline().rstrip("\r\n")
        else:
            password = self._password(password_from_env, interactive=options["interactive"])
        try:
            user = do_create_operator(username=username, password=password, display_name=name)
        except ServiceError as exc:
            detail = "; ".join(f"{k}: {v}" for k, v in exc.as_dict()["fields"].items())
            raise CommandError(f"{exc.code}: {exc.message}" + (f" ({detail})" if detail else "")) from exc
        self.stdout.write(f"已创建平台运营账户 {user.username} (operator created)")

    def _password(self, variable: str | None, *, interactive: bool) -> str:
        if variable:
            password = os.environ.get(variable, "")
            if not password:
                raise CommandError(f"environment variable {variable} is empty or not set")
            return password
        if not interactive:
            raise CommandError("--noinput needs --password-from-env VAR")
        first = getpass.getpass("密码 (password): ")
        if first != getpass.getpass("再次输入 (again): "):
            raise CommandError("the two passwords differ; nothing was changed")
        return first
