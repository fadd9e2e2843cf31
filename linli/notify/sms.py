"""SMS gateway interface. Chinese gateways send pre-approved templates with parameters, so a
message is (template, params), never free text.

The provider is a dotted path in `settings.LINLI_SMS_PROVIDER`. The console provider is the
demo's: it prints the message with the phone masked, so the demo shows its sign-in codes on
the operator's console. The real gateways (Alibaba Cloud, Tencent Cloud) sit behind
`linli.notify.sms_gateways.failover.FailoverSmsProvider`, which tries them in order.

A provider that cannot send raises `SmsNotSent`; the caller logs it (with the phone masked) and
goes on, since a text is never worth failing the change that caused it.
"""

import sys
from string import Formatter

from django.conf import settings
from django.utils.module_loading import import_string

from linli.core.masking import mask_phone

TEMPLATES = {
    "login_code": "您的验证码是 {code}，5分钟内有效，请勿告诉他人。",
    "notification": "{title}：{body}",
}


def render(template: str, params: dict) -> str:
    return TEMPLATES[template].format(**params)


def parameter_order(template: str) -> list[str]:
    """The template's parameters in the order the text names them: gateways that number their
    variables ({1}, {2}: Tencent Cloud) take the values as a list in this order."""
    return [field for _text, field, _spec, _conv in Formatter().parse(TEMPLATES[template]) if field]


class SmsNotSent(Exception):
    """A gateway did not take the message. `code` is the gateway's own error code."""

    def __init__(self, provider: str, code: str, message: str = ""):
        super().__init__(f"{provider}: {code}" + (f" ({message})" if message else ""))
        self.provider = provider
        self.code = code


class GatewayFailure(SmsNotSent):
    """The gateway is down, refuses our credentials or configuration, or timed out: another
    gateway may well send the message."""


class RecipientRefused(SmsNotSent):
    """The number is invalid or has reached its limit: another gateway must not be tried, since it
    would only bypass the limit that protects the person from being flooded."""


class NoGatewaySent(SmsNotSent):
    """Every gateway of the chain failed (or none is configured)."""

    def __init__(self, failures: list[GatewayFailure]):
        summary = "; ".join(str(failure) for failure in failures) or "no SMS gateway configured"
        super().__init__("failover", "all_failed", summary)
        self.failures = failures


class SmsProvider:
    def send(self, phone: str, template: str, params: dict) -> None:
        raise NotImplementedError


class ConsoleSmsProvider(SmsProvider):
    def send(self, phone: str, template: str, params: dict) -> None:
        print(f"[SMS to {mask_phone(phone)}] {render(template, params)}", file=sys.stdout, flush=True)


def sms_provider() -> SmsProvider:
    return import_string(settings.LINLI_SMS_PROVIDER)()
