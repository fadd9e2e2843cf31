from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from linli.core import keyrotation
from linli.core.crypto import KeyRingError


class Command(BaseCommand):
    help = "Rotate the encryption key: add a new active key and re-encrypt all personal data with it."

    def add_arguments(self, parser):
        parser.add_argument(
            "--reencrypt-only",
            action="store_true",
            help="do not add a key; re-seal values still under an older key",
        )
        parser.add_argument("--retire", metavar="KEY_ID", help="remove a key no value uses any more")
        # Retiring makes every backup taken before the rotation unreadable unless a key ring that
        # still holds the key is kept with it, so --retire needs one of these two.
        parser.add_argument(
            "--archive-ring-to",
            metavar="FILE",
            type=Path,
            help="with --retire: first write the current ring (old key included) to FILE, mode 600",
        )
        parser.add_argument(
            "--old-backups-covered",
            action="store_true",
            help="with --retire: every backup made under the old key keeps its own key ring copy "
            "(as `linli backup` does)",
        )

    def handle(self, *args, **options):
        source = settings.LINLI_KEYRING
        if source.lstrip().startswith("{"):
            raise CommandError(
                "LINLI_KEYRING is inline JSON: rotate the file it came from, then --reencrypt-only"
            )
        path = Path(source)
        try:
            if options["retire"]:
                if not (options["archive_ring_to"] or options["old_backups_covered"]):
                    raise CommandError(
                        "refusing to retire: backups made before the rotation need a key ring that "
                        "still holds this key. Keep one with --archive-ring-to FILE, or confirm with "
                        "--old-backups-covered that each backup has its own copy (linli backup)."
                    )
                keyrotation.retire_key(path, options["retire"], archive_to=options["archive_ring_to"])
                self.stdout.write(f"已移除密钥 {options['retire']} (key retired)")
                return
            if not options["reencrypt_only"]:
                kid = keyrotation.add_active_key(path)
                self.stdout.write(f"新密钥 {kid} 已启用 (new active key)")
            for label, count in keyrotation.reencrypt_all().items():
                self.stdout.write(f"{label}: {count} 条已重新加密")
        except KeyRingError as exc:
            raise CommandError(str(exc)) from exc
