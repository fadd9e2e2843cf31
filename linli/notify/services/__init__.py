"""Writes of the notify app: sending to inboxes and channels, marking read, outbox upkeep.

Inbox reads are personal UI state, not business data, so marking read is not audited (the
audit chain is one serialised append for the whole platform; a tap on a message must not
queue behind it). Read receipts that matter (ENG-1 notices) are recorded by their own app.
"""

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.core import audit
from linli.core.actor import Actor
from linli.core.errors import NotFound, ServiceError
from linli.core.models import OutboxEvent
from linli.notify import queries  # the module: queries reads the channels of this package
from linli.notify.models import Notification, Preference
from linli.notify.services.channels import CHANNELS, Message, mutable_channels
from linli.notify.topics import TOPICS, Choice, is_unmutable

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
    back, and SMS leaves only after commit.

    A channel other than the inbox skips the users who muted the kind there (one query per such
    channel), unless the kind is one no one may mute (linli.notify.topics.UNMUTABLE). A channel
    that joins the kind (`Channel.joins`) is used as if asked for."""
    names = tuple(channels)
    unknown = [name for name in names if name not in CHANNELS]
    if unknown:
        raise ValueError(f"unknown notification channels: {unknown}")
    user_ids = sorted({getattr(u, "pk", u) for u in users})
    if not user_ids:
        return 0
    names += tuple(name for name, channel in CHANNELS.items() if name not in names and channel.joins(kind))
    message = Message(
        kind=kind, title=title[:120], body=body, link=link[:300], community_id=community_id, channels=names
    )
    with transaction.atomic():
        for name in names:
            channel = CHANNELS[name]
            recipients = user_ids
            if channel.mutable and not is_unmutable(kind):
                held_back = queries.muted(user_ids, kind=kind, channel=name)
                recipients = [user_id for user_id in user_ids if user_id not in held_back]
            if recipients:
                channel.deliver(message, recipients)
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


def _refusals(items: Sequence[Choice]) -> dict[str, str]:
    """Each bad item's field and why, keyed like the request's fields (`items.0.topic`)."""
    topics = [topic.key for topic in TOPICS]
    channels = [channel.name for channel in mutable_channels()]
    refused: dict[str, str] = {}
    seen: set[tuple[str, str]] = set()
    for i, item in enumerate(items):
        if item.topic not in topics:
            refused[f"items.{i}.topic"] = _("没有这类消息提醒：%(topic)s（可选：%(choices)s）") % {
                "topic": item.topic,
                "choices": "、".join(topics),
            }
        if item.channel not in channels:
            refused[f"items.{i}.channel"] = _(
                "该渠道不能设置：%(channel)s（站内消息始终开启；可选：%(choices)s）"
            ) % {"channel": item.channel, "choices": "、".join(channels)}
        if (item.topic, item.channel) in seen:
            refused[f"items.{i}"] = _("同一消息类型和渠道只能设置一次")
        seen.add((item.topic, item.channel))
    return refused


@transaction.atomic
def do_set_preferences(*, actor: Actor, items: Sequence[Choice]) -> None:
    """Turns channels on or off per topic for the actor (linli.notify.topics); the topics and
    channels left out keep their setting. All items or none: any bad item refuses the lot.
    Audited, unlike reading the inbox: that someone chose not to be texted may matter later."""
    refused = _refusals(items)
    if refused:
        raise ServiceError(
            "invalid_preferences", _("消息提醒设置有误，未做任何修改"), fields=refused, status=422
        )
    if not items:
        return
    Preference.objects.bulk_create(
        [Preference(user_id=actor.pk, topic=i.topic, channel=i.channel, enabled=i.enabled) for i in items],
        update_conflicts=True,
        unique_fields=["user", "topic", "channel"],
        update_fields=["enabled"],
    )
    audit.record(
        actor=actor,
        action="set_preferences",
        object_type="notify.preference",
        object_id=actor.pk,
        after={f"{i.topic}/{i.channel}": i.enabled for i in items},
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
