import logging

from django_tasks import task

from linli.channels import wechat_messages
from linli.channels.http import ChannelError
from linli.channels.services.staff_messages import send_to_staff
from linli.channels.staff import StaffMessage
from linli.notify.services.channels import Message

log = logging.getLogger(__name__)


@task()
def send_staff_message(community_id: int, user_ids: list[int], message: dict) -> int:
    """Sends a staff message through the community's WeCom or DingTalk channel after the
    caller committed; returns how many it reached. The inbox already holds it, so a refusal is
    logged (provider, call, its errcode; never a token or secret) and not retried."""
    staff_message = StaffMessage(**message)
    try:
        return send_to_staff(community_id, user_ids, staff_message)
    except ChannelError as error:
        log.warning(
            "staffchat: %s for users %s of community %s not sent: %s",
            staff_message.kind,
            user_ids,
            community_id,
            error,
        )
        return 0


@task()
def send_wechat_messages(user_ids: list[int], message: dict) -> int:
    """One notify message (its fields as JSON) to each user's WeChat; those WeChat refused fall
    back to SMS. Returns how many WeChat took."""
    sent = Message(**{**message, "channels": tuple(message["channels"])})
    reached, unreached = wechat_messages.send(sent, user_ids)
    wechat_messages.fall_back(sent, unreached)
    return reached
