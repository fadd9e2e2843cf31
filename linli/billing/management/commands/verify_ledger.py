import sys

from django.core.management.base import BaseCommand
from django.db import DatabaseError

from linli.billing.services.ledger import verify

# Exit codes as verify_audit's (docs/operations.md): cron tells a broken ledger from a check that
# never ran. 1 is what Python answers on any crash, 2 a wrong command line.
EXIT_OK = 0
EXIT_COULD_NOT_CHECK = 1
EXIT_BROKEN = 3
SHOWN = 50


class Command(BaseCommand):
    help = (
        "Prove the double-entry ledger: every transaction balances, the trial balance is zero, each "
        "bill's receivable matches the bill, each house's prepayment matches its account. "
        f"Exit {EXIT_OK}: sound; {EXIT_BROKEN}: problems found; any other code: the check did not run."
    )

    def add_arguments(self, parser):
        parser.add_argument("--community", type=int, help="check one community (its id) only")

    def handle(self, *args, community=None, **options):
        try:
            report = verify(community)
        except DatabaseError as exc:
            self.stderr.write(f"无法校验账本 (could not verify the ledger): {exc}")
            sys.exit(EXIT_COULD_NOT_CHECK)
        if report.ok:
            self.stdout.write(
                f"账本平衡：已校验 {report.transactions} 笔记账 (ledger sound: {report.transactions} transactions)"
            )
            return
        self.stderr.write(
            f"账本有 {len(report.problems)} 处问题 (ledger has {len(report.problems)} problems):"
        )
        for problem in report.problems[:SHOWN]:
            self.stderr.write(f"  - {problem}")
        if len(report.problems) > SHOWN:
            self.stderr.write(f"  … {len(report.problems) - SHOWN} more")
        sys.exit(EXIT_BROKEN)
