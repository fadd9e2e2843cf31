"""`linli worker`: the task workers of the configured queue, supervised as `linli serve` does.

With the database queue that is `db_worker`; with Redis, the RQ worker and the database worker
that drains the tasks Redis did not take (linli.core.redis_queue). One command for both, so the
same systemd unit (docs/install.md, linli-worker) serves either backend.
"""

import sys

from django.core.management.base import BaseCommand, CommandError

from linli.core import processes
from linli.core.management.commands.serve import Child, Supervisor


class Command(BaseCommand):
    help = "Run the task workers of the configured queue (LINLI_TASKS_BACKEND), supervised."

    def handle(self, **options):
        linli = [sys.executable, "-m", "linli"]
        children = [Child(name, [*linli, *argv]) for name, argv in processes.task_workers()]
        if not children:
            raise CommandError(
                "tasks run in the request with LINLI_TASKS_BACKEND=immediate: no worker to run"
            )
        if Supervisor(children, on_ready=lambda: True).run():
            raise CommandError("a task worker kept failing; see the log above", returncode=1)
