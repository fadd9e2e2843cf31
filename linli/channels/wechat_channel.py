"""The notify channel `wechat`, registered with notify by `ChannelsConfig.ready()`: chosen per
topic in preferences like SMS, and joining every message of a kind the operator mapped to a
template (wechat_messages.py sends them)."""

from django.utils.translation import gettext_lazy as _

from linli.channels.queries import users_with_wechat
from linli.channels.tasks import send_wechat_messages
from linli.channels.wechat_config import mini_program, official_account
from linli.channels.wechat_messages import routes
from linli.core.events import enqueue_after_commit
from linli.notify.services.channels import Channel, Message

BATCH = 200


class WeChatChannel(Channel):
    name = "wechat"
    label = _("微信")

    def joins(self, kind: str) -> bool:
        return bool(routes(kind))

    def offered(self) -> bool:
        return official_account() is not None or mini_program() is not None

    def deliver(self, message: Message, user_ids: list[int]) -> None:
        """Only those who bound a WeChat get a task, sent after the caller's commit."""
        recipients = users_with_wechat(user_ids)
        payload = {
            "kind": message.kind,
            "title": message.title,
            "body": message.body,
            "link": message.link,
            "community_id": message.community_id,
            "channels": list(message.channels),
        }
        for start in range(0, len(recipients), BATCH):
            enqueue_after_commit(send_wechat_messages, recipients[start : start + BATCH], payload)
