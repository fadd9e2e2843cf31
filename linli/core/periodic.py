"""A small `@periodic` registry and the loop that runs due jobs.

State lives in PeriodicJob rows, so schedules survive restarts. A job is claimed with a
conditional update on its lease, so two schedulers never run the same job at once; a crashed
run's lease simply expires.
"""

import logging
import socket
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError
from django.db.models import F, Q
from django.utils import timezone
from django.utils.module_loading import autodiscover_modules

from linli.core import audit
from linli.core.dbstats import refresh_planner_statistics as refresh
from linli.core.models import PeriodicJob
from linli.core.partitions import add_months, create_ahead, month_start

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class JobSpec:
    name: str
    every: timedelta
    fn: Callable[[datetime], object]
    lease: timedelta


REGISTRY: dict[str, JobSpec] = {}


def periodic(*, every: timedelta, name: str | None = None, lease: timedelta | None = None):
    def register(fn):
        job = name or f"{fn.__module__}.{fn.__name__}"
        REGISTRY[job] = JobSpec(job, every, fn, lease or max(every * 2, timedelta(minutes=5)))
        return fn

    return register


def _ensure_row(spec: JobSpec, now: datetime) -> None:
    try:
        PeriodicJob.objects.get_or_create(name=spec.name, defaults={"next_run_at": now})
    except IntegrityError:
        pass  # another scheduler created it


def claim(spec: JobSpec, now: datetime, worker: str) -> bool:
    _ensure_row(spec, now)
    claimed = (
        PeriodicJob.objects.filter(name=spec.name, next_run_at__lte=now)
        .filter(Q(locked_until__isnull=True) | Q(locked_until__lt=now))
        .update(locked_until=now + spec.lease, locked_by=worker, last_started_at=now)
    )
    return claimed == 1


def run_job(spec: JobSpec, now: datetime) -> None:
    try:
        spec.fn(now)
        status, error = "ok", ""
    except Exception:  # a failing job must not stop the others; the error is kept on its row
        log.exception("periodic job %s failed", spec.name)
        status, error = "error", traceback.format_exc()[-4000:]
    finished = timezone.now()
    PeriodicJob.objects.filter(name=spec.name).update(
        locked_until=None,
        locked_by="",
        last_finished_at=finished,
        last_status=status,
        last_error=error,
        next_run_at=now + spec.every,
        runs=F("runs") + 1,
    )


def run_due(now: datetime | None = None, worker: str | None = None) -> list[str]:
    """Runs every due job once; returns the names that ran."""
    autodiscover_modules("periodic")  # each app's periodic.py registers its jobs
    now = now or timezone.now()
    worker = worker or f"{socket.gethostname()}:{id(run_due)}"
    ran = []
    for spec in list(REGISTRY.values()):
        if claim(spec, now, worker):
            run_job(spec, now)
            ran.append(spec.name)
    return ran


@periodic(every=timedelta(days=1), name="core.refresh_planner_statistics")
def refresh_planner_statistics(now: datetime) -> None:
    refresh()


@periodic(every=timedelta(days=1), name="core.create_partitions_ahead")
def create_partitions_ahead(now: datetime) -> None:
    """This month's and the next two months' partitions of every partitioned table, well before
    they are needed (a missed month would land in the default partition until created)."""
    create_ahead(now)


@periodic(every=timedelta(days=1), name="core.audit_retention", lease=timedelta(hours=1))
def audit_retention(now: datetime) -> None:
    """Audit months older than LINLI_AUDIT_MONTHS, dropped whole with the cut kept in the chain;
    0 (the default) keeps the whole trail."""
    if settings.LINLI_AUDIT_MONTHS:
        audit.drop_months_before(add_months(month_start(now), -settings.LINLI_AUDIT_MONTHS))
