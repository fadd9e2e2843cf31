from collections import defaultdict

from django.db import connection
from django.db.models import Max

from linli.core import rawsql
from linli.core.models import OutboxEvent
from linli.notify.audience import ADDRESS_COLUMNS, Audience, addressed_to
from linli.notify.models import Notification, Preference
from linli.notify.services.channels import mutable_channels
from linli.notify.topics import TOPICS, is_enabled, prefixes

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


def muted(user_ids: list[int], *, kind: str, channel: str) -> set[int]:
    """Those of `user_ids` who turned `channel` off for `kind`, in one query: their choices for
    the topics that cover the kind, the most specific deciding (linli.notify.topics)."""
    choices: dict[int, dict[str, bool]] = defaultdict(dict)
    rows = Preference.objects.filter(user_id__in=user_ids, channel=channel, topic__in=prefixes(kind))
    for user_id, topic, enabled in rows.values_list("user_id", "topic", "enabled"):
        choices[user_id][topic] = enabled
    return {user_id for user_id, chosen in choices.items() if not is_enabled(chosen, kind)}


def preferences(user) -> list[dict]:
    """Each topic on each channel a person may turn off, with their setting: what they chose for
    it, or for the broadest topic that covers it, or on."""
    chosen: dict[str, dict[str, bool]] = defaultdict(dict)
    for topic, channel, enabled in Preference.objects.restrict(user).values_list(
        "topic", "channel", "enabled"
    ):
        chosen[channel][topic] = enabled
    return [
        {
            "topic": topic.key,
            "label": str(topic.label),
            "staff": topic.staff,
            "channel": channel.name,
            "channel_label": str(channel.label),
            "enabled": is_enabled(chosen[channel.name], topic.key),
        }
        for topic in TOPICS
        for channel in mutable_channels()
    ]
