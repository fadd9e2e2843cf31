"""`linli scheduler`: runs due `@periodic` jobs every few seconds until told to stop.

Any number of schedulers may run against one database: each job is claimed by a conditional
update (see linli.core.periodic), so a second scheduler is a spare, not a duplicate.
"""

import logging
import os
import signal
import socket
import threading

from django.core.management.base import BaseCommand
from django.db import DatabaseError, close_old_connections

from linli.core.periodic import run_due

log = logging.getLogger("linli.scheduler")


class Command(BaseCommand):
    help = "Run due periodic jobs every --interval seconds (or once with --once)."

    def add_arguments(self, parser):
        parser.add_argument("--interval", type=float, default=5.0, help="seconds between passes (default 5)")
        parser.add_argument("--once", action="store_true", help="run one pass and exit")

    def handle(self, *, interval: float, once: bool, **options):
        worker = f"{socket.gethostname()}:{os.getpid()}"
        if once:
            self._report(worker, run_due(worker=worker))
            return
        stop = threading.Event()

        def request_stop(signum, frame):
            log.info("scheduler %s: %s received, stopping", worker, signal.Signals(signum).name)
            stop.set()

        signal.signal(signal.SIGINT, request_stop)
        signal.signal(signal.SIGTERM, request_stop)
        log.info("scheduler %s: running due jobs every %ss", worker, interval)
        while not stop.is_set():
            # Recycle dropped connections the way a request would, so a database restart
            # costs one failed pass instead of a dead scheduler.
            close_old_connections()
            try:
                self._report(worker, run_due(worker=worker))
            except DatabaseError:
                log.exception("scheduler %s: pass failed, retrying in %ss", worker, interval)
            stop.wait(interval)

    def _report(self, worker: str, ran: list[str]) -> None:
        if ran:
            log.info("scheduler %s: ran %s", worker, ", ".join(ran))
