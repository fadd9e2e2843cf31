"""The SMS provider of an installation with real gateways: tries each gateway of
`settings.LINLI_SMS_GATEWAYS` in order until one takes the message, and records what was sent
so that its delivery receipt can be matched."""

import logging

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import DatabaseError

from linli.core.masking import mask_phone
from linli.notify.services.sms_deliveries import record_sent
from linli.notify.sms import GatewayFailure, NoGatewaySent, SmsProvider
from linli.notify.sms_gateways import GATEWAYS
from linli.notify.sms_gateways.base import Gateway

log = logging.getLogger(__name__)


class FailoverSmsProvider(SmsProvider):
    def __init__(self, gateways: list[Gateway] | None = None):
        if gateways is None:
            unknown = [name for name in settings.LINLI_SMS_GATEWAYS if name not in GATEWAYS]
            if unknown:
                raise ImproperlyConfigured(
                    f"LINLI_SMS_GATEWAYS names unknown gateways {unknown}; known: {list(GATEWAYS)}"
                )
            gateways = [GATEWAYS[name]() for name in settings.LINLI_SMS_GATEWAYS]
        self.gateways = gateways

    def send(self, phone: str, template: str, params: dict) -> None:
        """A gateway failure moves on to the next gateway; a refusal of the recipient
        (RecipientRefused) is raised at once; NoGatewaySent when none took the message."""
        failures = []
        for gateway in self.gateways:
            try:
                message_id = gateway.send(phone, template, params)
            except GatewayFailure as failure:
                log.warning("sms to %s: %s", mask_phone(phone), failure)
                failures.append(failure)
                continue
            try:
                record_sent(provider=gateway.name, message_id=message_id, template=template, phone=phone)
            except DatabaseError:  # the text is sent: its receipt will not be matched, that is all
                log.exception("sms to %s sent by %s but not recorded", mask_phone(phone), gateway.name)
            return
        raise NoGatewaySent(failures)
