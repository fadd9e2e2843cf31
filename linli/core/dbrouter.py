"""Reads from the PostgreSQL read replica, for the code that asks (docs/operations.md, "Read
replica").

With `LINLI_REPLICA_URL` set, settings add the database alias `replica` and this router. Nothing
reads from the replica by default: a replica lags the primary, and a stale read in a payment or
a permission check would be a bug. Only code wrapped in `reading_from_replica()` (the big
screen's figures, the government view, the reports) reads there, and even then not once the
current request or task has written: it then reads its own writes from the primary.

Every ORM write asks the router for its database (save, update, delete, bulk_create,
select_for_update, get_or_create), which is where a write is noticed. The mark lives in a context
variable, forgotten when a request or a worker's task starts (a thread serves many requests). Writes in
hand-written SQL do not pass the router: code that reads from the replica after one must not.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.core.signals import request_started
from django.db import DEFAULT_DB_ALIAS

REPLICA = "replica"

_reading_from_replica: ContextVar[bool] = ContextVar("linli_reading_from_replica", default=False)
_wrote_primary: ContextVar[bool] = ContextVar("linli_wrote_primary", default=False)


@contextmanager
def reading_from_replica() -> Iterator[None]:
    """Reads within go to the replica (when one is configured and nothing was written yet).
    Also a decorator: `@reading_from_replica()`."""
    token = _reading_from_replica.set(True)
    try:
        yield
    finally:
        _reading_from_replica.reset(token)


def forget_writes(**_signal) -> None:
    """A new request or task: what an earlier one on this thread wrote is not its own."""
    _wrote_primary.set(False)


class ReplicaRouter:
    def db_for_read(self, model, **hints) -> str | None:
        if _reading_from_replica.get() and not _wrote_primary.get():
            return REPLICA
        return None  # the primary

    def db_for_write(self, model, **hints) -> str:
        _wrote_primary.set(True)
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints) -> bool:
        return True  # the replica is a copy of the same database

    def allow_migrate(self, db: str, app_label: str, **hints) -> bool:
        return db == DEFAULT_DB_ALIAS  # the replica follows the primary's schema by replication


def _task_started(sender, **_signal) -> None:
    """A task the worker process runs (its backend sends itself) starts afresh; one the immediate
    backend runs inline is part of the request that enqueued it, and keeps its writes."""
    from django_tasks_db.backend import DatabaseBackend  # within ready(): django_tasks' app loading

    if isinstance(sender, DatabaseBackend):
        forget_writes()


def connect_signals() -> None:
    """From CoreConfig.ready."""
    from django_tasks.signals import task_started  # within ready(): django_tasks' app loading

    request_started.connect(forget_writes, dispatch_uid="linli.core.dbrouter.request")
    task_started.connect(_task_started, dispatch_uid="linli.core.dbrouter.task")
