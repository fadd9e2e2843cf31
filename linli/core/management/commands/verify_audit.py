import sys

from django.core.management.base import BaseCommand
from django.db import DatabaseError

from linli.core.audit import verify_chain

# Exit codes, so that cron tells tampering from a check that never ran (docs/operations.md).
# Anything other than 0 and EXIT_BROKEN means the check did not complete: 1 is what Python itself
# answers on any crash (settings, key ring, database), 2 a wrong command line.
EXIT_OK = 0
EXIT_COULD_NOT_CHECK = 1
EXIT_BROKEN = 3


class Command(BaseCommand):
    help = (
        "Recompute the audit hash chain and report the first entry that does not match. "
        f"Exit {EXIT_OK}: intact; {EXIT_BROKEN}: altered; any other code: the check did not run."
    )

    def handle(self, *args, **options):
        try:
            result = verify_chain()
        except DatabaseError as exc:
            self.stderr.write(f"无法校验审计链 (could not verify the audit chain): {exc}")
            sys.exit(EXIT_COULD_NOT_CHECK)
        if result.ok:
            self.stdout.write(
                f"审计链完整：已校验 {result.checked} 条记录 (audit chain intact: {result.checked} entries)"
            )
            return
        where = f"#{result.broken_id}" if result.broken_id else "tail"
        self.stderr.write(f"审计链被篡改 (audit chain broken) at {where}: {result.reason}")
        sys.exit(EXIT_BROKEN)
