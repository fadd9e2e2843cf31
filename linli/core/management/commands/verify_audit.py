import sys

from django.core.management.base import BaseCommand

from linli.core.audit import verify_chain


class Command(BaseCommand):
    help = "Recompute the audit hash chain and report the first entry that does not match."

    def handle(self, *args, **options):
        result = verify_chain()
        if result.ok:
            self.stdout.write(
                f"审计链完整：已校验 {result.checked} 条记录 (audit chain intact: {result.checked} entries)"
            )
            return
        where = f"#{result.broken_id}" if result.broken_id else "tail"
        self.stderr.write(f"审计链被篡改 (audit chain broken) at {where}: {result.reason}")
        sys.exit(1)
