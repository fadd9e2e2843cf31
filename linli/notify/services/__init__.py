"""Writes of the notify app: sending to inboxes and channels, marking read, outbox upkeep.

Inbox reads are personal UI state, not business data, so marking read is not audited (the
audit chain is one serialised append for the whole platform; a tap on a message must not
queue behind it). Read receipts that matter (ENG-1 notices) are recorded by their own app.
"""

from collections.abc import Iterable
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from linli.core.actor import Actor
from linli.core.errors import NotFound
from linli.core.models import OutboxEvent
from linli.notify.models import Notification
from linli.notify.services.channels import CHANNELS, Message

OUTBOX_KEEP = timedelta(days=7)
PRUNE_BATCH = 5000


def notify(
    *,
    users: Iterable,
    kind: str,
    title: str,
    body: str,
    link: str = "",
    community_id: int | None = None,
    channels: Iterable[str] = ("inapp",),
) -> int:
    """Sends one message to each user (objects or ids) on each channel; returns the number of
    recipients. Runs in the caller's transaction: nothing is delivered if the caller rolls
    back, and SMS leaves only after commit."""
    names = tuple(channels)
    unknown = [name for name in names if name not in CHANNELS]
    if unknown:
        raise ValueError(f"unknown notification channels: {unknown}")
    user_ids = sorted({getattr(u, "pk", u) for u in users})
    if not user_ids:
        return 0
    message = Message(kind=kind, title=title[:120], body=body, link=link[:300], community_id=community_id)
    with transaction.atomic():
        for name in names:
            CHANNELS[name].deliver(message, user_ids)
    return len(user_ids)


@transaction.atomic
def do_mark_read(*, actor: Actor, notification: Notification) -> Notification:
    if notification.recipient_id != actor.pk:
        raise NotFound()
    now = timezone.now()
    if Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=now):
        notification.read_at = now
    elif notification.read_at is None:
        notification.refresh_from_db(fields=["read_at"])
    return notification


@transaction.atomic
def do_mark_all_read(*, actor: Actor) -> int:
    return Notification.objects.filter(recipient_id=actor.pk, read_at__isnull=True).update(
        read_at=timezone.now()
    )


def do_prune_outbox(*, now: datetime) -> int:
    """Deletes outbox events older than 7 days, in small batches so that writers never wait
    long behind the delete. A client resuming from an older Last-Event-ID misses them."""
    deleted = 0
    cutoff = now - OUTBOX_KEEP
    while True:
        with transaction.atomic():
            ids = list(
                OutboxEvent.objects.filter(created_at__lt=cutoff)
                .order_by("id")
                .values_list("id", flat=True)[:PRUNE_BATCH]
            )
            if not ids:
                return deleted
            deleted += OutboxEvent.objects.filter(id__in=ids).delete()[0]
