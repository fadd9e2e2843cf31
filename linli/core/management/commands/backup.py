from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from linli.core.backup import BackupError, make_backup


class Command(BaseCommand):
    help = (
        "Back up the database together with a copy of the key ring it was written under "
        "(files mode 600, directories mode 700)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--to", required=True, type=Path, help="directory for the dump (created)")
        parser.add_argument(
            "--keyring-to",
            type=Path,
            help="directory for the key ring copy (default: next to the dump); best on another disk",
        )

    def handle(self, *args, to, keyring_to, **options):
        try:
            backup = make_backup(to, keyring_to)
        except (BackupError, OSError) as exc:
            raise CommandError(f"backup failed: {exc}") from exc
        self.stdout.write(f"数据库 (database): {backup.database}")
        self.stdout.write(f"密钥环 (key ring): {backup.keyring}")
        self.stdout.write(f"清单 (manifest):   {backup.manifest}")
