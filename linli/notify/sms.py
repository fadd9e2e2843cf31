"""SMS gateway interface. Chinese gateways send pre-approved templates with parameters, so a
message is (template, params), never free text.

The provider is a dotted path in `settings.LINLI_SMS_PROVIDER`. The console provider is the
demo's: it prints the message with the phone masked, so the demo shows its sign-in codes on
the operator's console. A real gateway (Aliyun, Tencent Cloud) implements `SmsProvider.send`.
"""

import sys

from django.conf import settings
from django.utils.module_loading import import_string

from linli.core.masking import mask_phone

TEMPLATES = {
    "login_code": "您的验证码是 {code}，5分钟内有效，请勿告诉他人。",
    "notification": "{title}：{body}",
}


def render(template: str, params: dict) -> str:
    return TEMPLATES[template].format(**params)


class SmsProvider:
    def send(self, phone: str, template: str, params: dict) -> None:
        raise NotImplementedError


class ConsoleSmsProvider(SmsProvider):
    def send(self, phone: str, template: str, params: dict) -> None:
        print(f"[SMS to {mask_phone(phone)}] {render(template, params)}", file=sys.stdout, flush=True)


def sms_provider() -> SmsProvider:
    return import_string(settings.LINLI_SMS_PROVIDER)()
