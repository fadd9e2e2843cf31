"""Writes of the SMS delivery log: a row per text a gateway accepted, and its receipt.

No actor and no audit entry: these are the gateways' facts about a message, not anyone's change,
and the receipts arrive unauthenticated but for the secret in their URL.
"""

from collections.abc import Iterable
from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone

from linli.core.crypto import blind_index
from linli.notify.models import SmsDelivery
from linli.notify.sms_gateways.base import Receipt

# Long enough to answer "I never got the text" (a receipt comes within 72 hours), no longer: the
# rows hold phone numbers.
KEEP = timedelta(days=30)


def record_sent(*, provider: str, message_id: str, template: str, phone: str) -> SmsDelivery:
    return SmsDelivery.objects.create(
        provider=provider,
        message_id=message_id,
        template=template,
        phone=phone,
        phone_bidx=blind_index("phone", phone),
    )


def apply_receipts(*, provider: str, receipts: Iterable[Receipt]) -> int:
    """Marks each message delivered or failed; returns how many changed. Only a message still
    `sent` changes, so a receipt posted twice changes nothing the second time, and a receipt for
    a message we do not know (another installation's, or one sent before this log) is ignored."""
    changed = 0
    for receipt in receipts:
        changed += SmsDelivery.objects.filter(
            provider=provider, message_id=receipt.message_id, status=SmsDelivery.Status.SENT
        ).update(
            status=SmsDelivery.Status.DELIVERED if receipt.delivered else SmsDelivery.Status.FAILED,
            error_code=receipt.code[:64],
            reported_at=receipt.reported_at or timezone.now(),
        )
    return changed


def do_prune_sms_deliveries(*, now: datetime) -> int:
    """Deletes the rows older than KEEP; returns how many."""
    return SmsDelivery.objects.filter(sent_at__lt=now - KEEP).delete()[0]


def erase_sms_deliveries_of(user_id: int) -> None:
    """A person erased (registry's right to erasure): the texts sent to their account's phone,
    the one every text goes to, go with them."""
    phone_bidx = get_user_model().objects.filter(pk=user_id).values_list("phone_bidx", flat=True).first()
    if phone_bidx:
        SmsDelivery.objects.filter(phone_bidx=phone_bidx).delete()
