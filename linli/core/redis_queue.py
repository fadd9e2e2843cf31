"""The Redis task queue (the `redis` extra; docs/operations.md, "Task queue: database or Redis").

django-tasks-rq's backend, with one change: a task Redis does not take goes to the database queue
instead, with an error in the log. Tasks are enqueued after the change they follow has committed
(`linli.core.events.enqueue_after_commit`), so raising there would lose the task silently: the
request has already succeeded. The database has just committed, so it is up; the workers that run
the Redis queue always run a database worker beside them (`workers`), which drains those tasks.

Only imported when LINLI_TASKS_BACKEND=redis (and by its tests): nothing else needs rq.
"""

import logging
from datetime import datetime

import django_rq
from django.conf import settings
from django_rq.queues import DjangoRQ
from django_tasks.base import Task, TaskResult
from django_tasks_rq import RQBackend
from django_tasks_rq.backend import Job
from redis import Redis
from redis.exceptions import RedisError

from linli.core.processes import DB_WORKER

log = logging.getLogger(__name__)

RQ_JOB_CLASS = "django_tasks_rq.Job"
# How often the database worker beside an RQ worker looks for tasks Redis did not take: they
# only exist while Redis is down, so a slower poll than the database backend's own (1 s) suffices.
FALLBACK_POLL_SECONDS = 5


_clients: dict[str, Redis] = {}


def client(queue_name: str) -> Redis:
    """This process's Redis client (with its pool of connections) for a queue's configuration.
    django-rq builds a new client for every queue it hands out, and so opened a TCP connection
    (and its handshake) for every task enqueued."""
    config = repr(sorted(settings.RQ_QUEUES[queue_name].items()))
    if config not in _clients:  # two threads may both build one: the last kept, both work
        _clients[config] = django_rq.get_connection(queue_name)
    return _clients[config]


class SharedConnectionQueue(DjangoRQ):
    """django-rq's queue on the process's client of its configuration (settings.RQ["QUEUE_CLASS"])."""

    def __init__(self, name: str = "default", *args, **kwargs) -> None:
        if name in settings.RQ_QUEUES:  # RQ builds queues of its own names too: left as they are
            kwargs["connection"] = client(name)
        super().__init__(name, *args, **kwargs)


class RedisBackend(RQBackend):
    def __init__(self, alias: str, params: dict) -> None:
        super().__init__(alias, params)
        self.fallback = self.options["fallback"]

    def enqueue(self, task: Task, args, kwargs) -> TaskResult:
        try:
            return super().enqueue(task, args, kwargs)
        except RedisError:
            log.error(
                "task queue: Redis did not take task %s; queued in the database (%s) instead",
                task.module_path,
                self.fallback,
                exc_info=True,
            )
            return task.using(backend=self.fallback).enqueue(*args, **kwargs)

    def workers(self) -> list[tuple[str, list[str]]]:
        """The `linli` commands that run this backend's tasks: the RQ worker (once Redis answers),
        and the database worker for the tasks Redis did not take."""
        return [
            ("worker", ["redis_worker"]),
            (
                "fallback-worker",
                [*DB_WORKER, "--backend", self.fallback, "--interval", str(FALLBACK_POLL_SECONDS)],
            ),
        ]

    def reachable(self) -> bool:
        """Does every queue's Redis answer? (The health check's and /metrics' `redis`.)"""
        try:
            return all(client(name).ping() for name in self.queues)
        except RedisError:
            return False

    def waiting(self) -> list[tuple[str, int, datetime | None]]:
        """(queue, jobs waiting, when the oldest was enqueued) of each queue, three round trips
        each; none while Redis is down (`reachable` says so). Jobs are appended at the tail, so
        the oldest is at the head (a task of the highest priority jumps the queue and the head is
        then younger than the oldest: close enough for an alert on a queue no one drains)."""
        out = []
        try:
            for name in sorted(self.queues):
                queue = django_rq.get_queue(name, job_class=Job)
                head = queue.get_job_ids(0, 1)
                job = queue.fetch_job(head[0]) if head else None  # None: a worker took it meanwhile
                out.append((name, queue.count, job.enqueued_at if job else None))
        except RedisError:
            return []
        return out
