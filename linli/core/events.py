"""Side effects after commit (convention 2): the one place that publishes events and enqueues tasks.

`publish` writes the outbox row inside the caller's transaction (so an event exists iff the
change committed); SSE streams read the outbox. On PostgreSQL a trigger on the outbox (migration
core 0003) notifies OUTBOX_CHANNEL, which the server delivers at commit (and drops on rollback):
it wakes each web process's reader of the outbox at once instead of at its next poll
(linli/notify/wakeup.py). `after_commit` runs anything else (tasks, SMS,
device commands) only once the transaction has committed.
"""

from collections.abc import Callable, Iterable

from django.db import transaction

from linli.core.models import OutboxEvent

OUTBOX_CHANNEL = "linli_outbox"  # the name the trigger of migration core 0003 notifies


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
