"""Processes an app adds to `linli serve` (the MQTT ingest worker, the demo's device simulator),
registered from its `AppConfig.ready` so that core names no app (decision 0002). Each factory
is asked at start-up, with the web server's address, for the `linli` arguments to run, or None
when it has nothing to run on this installation.

The task workers are core's own: `task_workers` names them for `linli serve` and `linli worker`
alike, so that one systemd unit runs whichever queue is configured."""

from collections.abc import Callable

from django_tasks import task_backends
from django_tasks_db.backend import DatabaseBackend

Factory = Callable[[str], list[str] | None]
_registered: list[tuple[str, Factory]] = []


def register_process(name: str, factory: Factory) -> None:
    if all(existing != name for existing, _factory in _registered):
        _registered.append((name, factory))


def wanted(url: str) -> list[tuple[str, list[str]]]:
    out = []
    for name, factory in _registered:
        argv = factory(url)
        if argv is not None:
            out.append((name, argv))
    return out


DB_WORKER = ["db_worker", "--queue-name", "*", "--no-reload"]


def task_workers() -> list[tuple[str, list[str]]]:
    """(name, `linli` arguments) of each worker the default task backend needs; none when tasks
    run in the request (the immediate backend)."""
    backend = task_backends["default"]
    if isinstance(backend, DatabaseBackend):
        return [("worker", DB_WORKER)]
    # The Redis backend (an optional extra, linli.core.redis_queue) names its own workers.
    workers = getattr(backend, "workers", None)
    return workers() if workers else []
