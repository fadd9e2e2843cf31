from django.db.models import Max

from linli.core.models import OutboxEvent
from linli.notify.audience import ADDRESS_COLUMNS, Audience, addressed_to
from linli.notify.models import Notification

INBOX_VIEW = "inbox.view"


def inbox(user, *, unread_only: bool = False):
    rows = Notification.objects.restrict(user, INBOX_VIEW)
    return rows.filter(read_at__isnull=True) if unread_only else rows


def unread_count(user) -> int:
    return inbox(user, unread_only=True).count()


def latest_event_id() -> int:
    return OutboxEvent.objects.aggregate(m=Max("id"))["m"] or 0


def stream_events(audience: Audience, after: int, upto: int, limit: int) -> list[tuple]:
    """A stream's catch-up: its rows with `after < id <= upto`, (id, topic, payload), oldest first,
    at most `limit`. Both columns the filter may use are indexed with the id."""
    rows = OutboxEvent.objects.filter(addressed_to(audience.addresses()), id__gt=after, id__lte=upto)
    return list(rows.order_by("id").values_list("id", "topic", "payload")[:limit])


def outbox_after(after: int, limit: int) -> list[dict]:
    """The shared poller's read: every row after `after`, whoever it is for, oldest first, at
    most `limit`; with the columns that say whom it is for (audience.address)."""
    rows = OutboxEvent.objects.filter(id__gt=after).order_by("id")
    return list(rows.values("id", "topic", "payload", *ADDRESS_COLUMNS)[:limit])
