from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from linli.core.backup import PASSPHRASE_ENV, BackupError, make_backup, read_passphrase


class Command(BaseCommand):
    help = (
        "Back up the database, the uploads and the key ring into one archive encrypted with a "
        f"passphrase (from {PASSPHRASE_ENV} or --passphrase-file; mode 600, directory mode 700)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--to", required=True, type=Path, help="directory for the archive (created)")
        parser.add_argument(
            "--passphrase-file",
            type=Path,
            help=f"read the passphrase from this file instead of {PASSPHRASE_ENV}",
        )

    def handle(self, *args, to, passphrase_file, **options):
        try:
            backup = make_backup(to, read_passphrase(passphrase_file, new=True))
        except BackupError as exc:
            raise CommandError(f"{exc.message} ({exc.code})") from exc
        except OSError as exc:
            raise CommandError(f"备份失败 (backup failed): {exc}") from exc
        manifest = backup.manifest
        self.stdout.write(f"备份 (archive): {backup.archive}")
        self.stdout.write(
            f"密钥 (keys): {', '.join(manifest['key_ids'])}; 上传文件 (uploads): {manifest['media_files']}"
        )
