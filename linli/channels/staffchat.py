"""The `staffchat` notify channel: work messages to staff in the WeCom app or DingTalk group
their community chose (docs/channels.md). Registered with notify by this app's `ready()`:
notify, a lower layer, knows it only by name.

Callers name it in their channel lists for the kinds staff act on (dispatch, escalation,
alarms), beside the inbox. In a community without a staff channel it sends nothing.
"""

from django.utils.translation import gettext_lazy as _

from linli.channels.staff import StaffMessage, uses_staff_channel
from linli.channels.tasks import send_staff_message
from linli.core.events import enqueue_after_commit
from linli.notify.services.channels import Channel, Message


class StaffChatChannel(Channel):
    name = "staffchat"
    label = _("企业微信/钉钉")
    # The community, not the person, chooses this channel for work its staff must do; a staff
    # member who wants quiet mutes the app in WeCom or DingTalk itself.
    mutable = False

    def deliver(self, message: Message, user_ids: list[int]) -> None:
        if message.community_id is None or not uses_staff_channel(message.community_id):
            return
        staff_message = StaffMessage(
            kind=message.kind, title=message.title, body=message.body, link=message.link
        )
        enqueue_after_commit(send_staff_message, message.community_id, user_ids, staff_message.as_json())
