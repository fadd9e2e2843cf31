"""A recording SMS gateway for tests (convention 9: fakes for third parties, never the network).

Select it with `settings.LINLI_SMS_PROVIDER = "linli.notify.fakes.RecordingSmsProvider"`.
The provider is instantiated per send, so the record is kept on the class.
"""

from dataclasses import dataclass

import pytest

from linli.notify.sms import SmsProvider, render


@dataclass(frozen=True)
class SentSms:
    phone: str
    template: str
    params: dict

    @property
    def text(self) -> str:
        return render(self.template, self.params)


class RecordingSmsProvider(SmsProvider):
    sent: list[SentSms] = []

    def send(self, phone: str, template: str, params: dict) -> None:
        RecordingSmsProvider.sent.append(SentSms(phone, template, dict(params)))


@pytest.fixture
def sms_outbox(settings):
    """Routes SMS to the recording fake and returns the list it appends to."""
    settings.LINLI_SMS_PROVIDER = "linli.notify.fakes.RecordingSmsProvider"
    RecordingSmsProvider.sent = []
    return RecordingSmsProvider.sent
