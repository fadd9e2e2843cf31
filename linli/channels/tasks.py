from django_tasks import task

from linli.channels import wechat_messages
from linli.notify.services.channels import Message


@task()
def send_wechat_messages(user_ids: list[int], message: dict) -> int:
    """One notify message (its fields as JSON) to each user's WeChat; those WeChat refused fall
    back to SMS. Returns how many WeChat took."""
    sent = Message(**{**message, "channels": tuple(message["channels"])})
    reached, unreached = wechat_messages.send(sent, user_ids)
    wechat_messages.fall_back(sent, unreached)
    return reached
