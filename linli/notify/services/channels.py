"""Delivery channels. A caller of `notify` picks the channels per kind of message; each channel
is registered here under its name, so an integration (WeChat template messages, app push) is
one more class. An integration above notify registers its channel from its `AppConfig.ready()`
(linli.channels registers WeChat's), so notify imports none of them. A channel may also join
the messages of the kinds it `joins` whatever the caller picked: WeChat's template messages go
out for the kinds the operator mapped to a template.

`deliver` runs inside the caller's transaction: a channel writes rows there and leaves every
outside effect (SMS, push) until after commit.
"""

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from linli.core.events import enqueue_after_commit, publish
from linli.notify.models import Notification
from linli.notify.tasks import send_sms_to_users

SMS_BATCH = 500
# Where staff hear of work they must do (dispatch, escalation, alarms): the inbox and the
# community's staff chat (WeCom or DingTalk, if it chose one: linli.channels registers it).
TO_STAFF = ("inapp", "staffchat")


@dataclass(frozen=True)
class Message:
    kind: str
    title: str
    body: str
    link: str
    community_id: int | None
    channels: tuple[str, ...] = ()  # every channel this message goes out on (a fall-back avoids them)


class Channel:
    name: str = ""
    label: str | Promise = ""
    # Whether a recipient's preferences may hold this channel back (linli.notify.topics).
    mutable: bool = True

    def deliver(self, message: Message, user_ids: list[int]) -> None:
        raise NotImplementedError

    def joins(self, kind: str) -> bool:
        """Whether this channel carries every message of `kind`, asked for or not."""
        return False

    def offered(self) -> bool:
        """Whether people may choose this channel now: an integration this installation has
        not configured is not shown in anyone's preferences."""
        return True


class InAppChannel(Channel):
    """The inbox (消息 tab) and a `notify.new` event on each recipient's live stream."""

    name = "inapp"
    label = _("站内消息")
    mutable = False  # the record of what a person was told

    def deliver(self, message: Message, user_ids: list[int]) -> None:
        Notification.objects.bulk_create(
            [
                Notification(
                    recipient_id=user_id,
                    community_id=message.community_id,
                    kind=message.kind,
                    title=message.title,
                    body=message.body,
                    link=message.link,
                )
                for user_id in user_ids
            ],
            batch_size=500,
        )
        publish(
            "notify.new",
            {"kind": message.kind, "title": message.title, "link": message.link},
            users=user_ids,
            community_id=message.community_id,
        )


class SmsChannel(Channel):
    """A text to each recipient's own phone, sent by a background task after commit."""

    name = "sms"
    label = _("短信")

    def deliver(self, message: Message, user_ids: list[int]) -> None:
        params = {"title": message.title, "body": message.body}
        for start in range(0, len(user_ids), SMS_BATCH):
            enqueue_after_commit(
                send_sms_to_users, user_ids[start : start + SMS_BATCH], "notification", params
            )


CHANNELS: dict[str, Channel] = {}


def register(channel: Channel) -> None:
    CHANNELS[channel.name] = channel


def mutable_channels() -> list[Channel]:
    """The channels a person may turn off per topic (every one offered but the inbox)."""
    return [channel for channel in CHANNELS.values() if channel.mutable and channel.offered()]


register(InAppChannel())
register(SmsChannel())
