"""Side effects after commit (convention 2): the one place that publishes events and enqueues tasks.

`publish` writes the outbox row inside the caller's transaction (so an event exists iff the
change committed); SSE streams read the outbox. `after_commit` runs anything else (tasks, SMS,
device commands) only once the transaction has committed.
"""

from collections.abc import Callable, Iterable

from django.db import transaction

from linli.core.models import OutboxEvent


def publish(topic: str, payload: dict, *, users: Iterable[int] = (), community_id: int | None = None) -> None:
    rows = [OutboxEvent(topic=topic, payload=payload, community_id=community_id, user_id=u) for u in users]
    if not rows:
        rows = [OutboxEvent(topic=topic, payload=payload, community_id=community_id)]
    OutboxEvent.objects.bulk_create(rows)


def after_commit(fn: Callable[[], object]) -> None:
    transaction.on_commit(fn, robust=True)


def enqueue_after_commit(task, *args, **kwargs) -> None:
    """Task arguments are JSON (ids), never model objects (convention 8)."""
    after_commit(lambda: task.enqueue(*args, **kwargs))
