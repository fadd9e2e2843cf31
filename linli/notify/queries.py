from django.db.models import Max, Q

from linli.core.models import OutboxEvent
from linli.notify.models import Notification

INBOX_VIEW = "inbox.view"


def inbox(user, *, unread_only: bool = False):
    rows = Notification.objects.restrict(user, INBOX_VIEW)
    return rows.filter(read_at__isnull=True) if unread_only else rows


def unread_count(user) -> int:
    return inbox(user, unread_only=True).count()


def latest_event_id() -> int:
    return OutboxEvent.objects.aggregate(m=Max("id"))["m"] or 0


def stream_events(user_id: int, community_ids: frozenset[int], after: int):
    """The event stream's next rows: the user's own events, and the broadcasts of the communities
    where they hold a role. (id, topic, payload), oldest first."""
    wanted = Q(user_id=user_id)
    if community_ids:
        wanted |= Q(user_id__isnull=True, community_id__in=community_ids)
    return (
        OutboxEvent.objects.filter(wanted, id__gt=after).order_by("id").values_list("id", "topic", "payload")
    )
