from django.db import connection
from django.db.models import Max

from linli.core import rawsql
from linli.core.models import OutboxEvent
from linli.notify.audience import ADDRESS_COLUMNS, Audience, addressed_to
from linli.notify.models import Notification

INBOX_VIEW = "inbox.view"


def inbox(user, *, unread_only: bool = False):
    rows = Notification.objects.restrict(user, INBOX_VIEW)
    return rows.filter(read_at__isnull=True) if unread_only else rows


def unread_count(user) -> int:
    return inbox(user, unread_only=True).count()


def inbox_page(user, *, unread_only: bool, cursor: int | None, limit: int) -> tuple[list, int | None, int]:
    """(a page of the user's inbox, newest first; the next page's cursor; the unread count), in
    one statement of hand-written SQL (linli.core.rawsql): the resident's most frequent read.
    The same rows as `keyset_page(inbox(user, …), newest_first=True)` and `unread_count(user)`."""
    limit = max(1, min(limit, 200))
    t = rawsql.table(Notification)
    where, params = ["n.recipient_id = %s"], [user.pk]
    if unread_only:
        where.append("n.read_at IS NULL")
    if cursor is not None:
        where.append("n.id < %s")
        params.append(cursor)
    sql = f"""
        SELECT {rawsql.columns(Notification, "n")},
               (SELECT COUNT(*) FROM {t} u WHERE u.recipient_id = %s AND u.read_at IS NULL)
        FROM {t} n WHERE {" AND ".join(where)} ORDER BY n.id DESC LIMIT %s
    """
    with connection.cursor() as cur:
        cur.execute(sql, [user.pk, *params, limit + 1])
        found = cur.fetchall()
    if not found:
        return [], None, unread_count(user)
    unread = found[0][-1]
    rows = [rawsql.instance(Notification, row[:-1]) for row in found[:limit]]
    return rows, (rows[-1].pk if len(found) > limit else None), unread


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
