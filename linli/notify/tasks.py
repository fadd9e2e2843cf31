import logging

from django.contrib.auth import get_user_model
from django_tasks import task

from linli.core.masking import mask_phone
from linli.notify.sms import SmsNotSent, sms_provider

log = logging.getLogger(__name__)


@task()
def send_sms_to_users(user_ids: list[int], template: str, params: dict) -> int:
    """Sends one template to each active user with a phone; returns how many were sent. One
    failing number does not stop the rest (the gateway's error is logged)."""
    provider = sms_provider()
    sent = 0
    users = get_user_model().objects.filter(id__in=user_ids, is_active=True, phone_bidx__isnull=False)
    for user in users.only("id", "phone"):
        try:
            provider.send(user.phone, template, params)
        except SmsNotSent as refusal:  # the gateways said why: no traceback needed
            log.warning("sms to %s not sent: %s", mask_phone(user.phone), refusal)
        except Exception:  # a third-party gateway can fail in any way; keep going
            log.exception("sms to %s failed", mask_phone(user.phone))
        else:
            sent += 1
    return sent
