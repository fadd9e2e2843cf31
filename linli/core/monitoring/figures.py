"""The figures of the whole installation that metrics and the health check share, each one
indexed query, read from the database (and from Redis when it holds the task queue) so that every
process reports the same."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Min
from django.utils import timezone
from django.utils.module_loading import autodiscover_modules
from django_tasks import task_backends
from django_tasks_db.models import DBTaskResult

from linli.core.models import PeriodicJob
from linli.core.periodic import REGISTRY


@dataclass(frozen=True)
class Queue:
    name: str
    depth: int
    oldest_age_seconds: float


def _age(since: datetime | None, now: datetime) -> float:
    return max(0.0, (now - since).total_seconds()) if since else 0.0


def task_queues(now: datetime | None = None) -> list[Queue]:
    """Tasks waiting for a worker, per queue: READY and due (a task's own later `run_after` is
    not waiting). The age counts from enqueueing: linli enqueues nothing for later."""
    now = now or timezone.now()
    rows = (
        DBTaskResult.objects.ready()
        .order_by()
        .values("queue_name")
        .annotate(depth=Count("id"), oldest=Min("enqueued_at"))
    )
    queues = {row["queue_name"]: (row["depth"], row["oldest"]) for row in rows}
    # A backend that keeps its queue elsewhere (Redis, linli.core.redis_queue: an optional extra,
    # so core asks the backend rather than importing it) adds its own; the database rows are then
    # the tasks it did not take, waiting for the same workers.
    elsewhere = getattr(task_backends["default"], "waiting", None)
    for name, depth, oldest in elsewhere() if elsewhere else []:
        known_depth, known_oldest = queues.get(name, (0, None))
        queues[name] = (known_depth + depth, min(filter(None, (known_oldest, oldest)), default=None))
    return [Queue(name, depth, _age(oldest, now)) for name, (depth, oldest) in queues.items()]


def task_store_up() -> bool | None:
    """Does the task backend's own store answer? None when it has none but the database (only
    the Redis backend has one: while it is down, tasks go to the database queue instead)."""
    reachable = getattr(task_backends["default"], "reachable", None)
    return None if reachable is None else reachable()


def oldest_task_age(now: datetime | None = None) -> float:
    return max((queue.oldest_age_seconds for queue in task_queues(now)), default=0.0)


def scheduler_lag(now: datetime | None = None) -> float:
    """How late the most overdue periodic job is, in seconds (0 when none is due). Only jobs this
    code still registers count: a removed job's row would otherwise look ever later."""
    autodiscover_modules("periodic")  # each app's periodic.py registers its jobs (once per process)
    now = now or timezone.now()
    oldest = PeriodicJob.objects.filter(name__in=list(REGISTRY)).aggregate(due=Min("next_run_at"))["due"]
    return _age(oldest, now)
