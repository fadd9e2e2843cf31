from pathlib import Path

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from linli.core.backup import PASSPHRASE_ENV, BackupError, read_passphrase
from linli.core.restore import check_archive, restore


class Command(BaseCommand):
    help = (
        "Restore an archive of `linli backup`: verify it whole, then the key ring (keys merged), "
        "the database, the uploads, and migrate. Stop linli first. The database must be empty "
        "unless --force, which replaces all of it."
    )
    # The system checks would open the database before the restore replaces it.
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("archive", type=Path, help="a .linlibackup file")
        parser.add_argument(
            "--passphrase-file",
            type=Path,
            help=f"read the passphrase from this file instead of {PASSPHRASE_ENV}",
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="replace the configured database even though it is not empty",
        )
        parser.add_argument(
            "--check",
            action="store_true",
            help="only decrypt and verify the whole archive and print its manifest; change nothing",
        )

    def handle(self, *args, archive, passphrase_file, force, check, **options):
        try:
            passphrase = read_passphrase(passphrase_file, new=False)
            if check:
                manifest = check_archive(archive, passphrase)
                self.stdout.write(
                    f"备份完好 (archive verified): {manifest['created_at']}, {manifest['vendor']}, "
                    f"密钥 (keys) {', '.join(manifest['key_ids'])}, 上传文件 (uploads) {manifest['media_files']}"
                )
                return
            done = restore(archive, passphrase, force=force)
        except BackupError as exc:
            raise CommandError(f"{exc.message} ({exc.code})") from exc
        self.stdout.write(
            f"已恢复 (restored): {done.manifest['created_at']} 的备份 ({done.manifest['vendor']})"
        )
        self.stdout.write(str(done.ring))
        if done.media_set_aside:
            self.stdout.write(f"原上传文件已移至 (previous uploads moved to): {done.media_set_aside}")
        call_command("migrate", interactive=False, verbosity=0)
        self.stdout.write("数据库迁移已完成 (migrated); 请运行 linli verify_audit 和 linli verify_ledger")
