"""What every gateway shares: its settings (`LINLI_SMS_<NAME>_...`), the registered template id
of each message kind, how its error codes divide into "try another gateway" and "give up", and
the shape of a delivery receipt."""

from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils.functional import Promise

from linli.notify.sms import TEMPLATES, GatewayFailure, RecipientRefused, SmsNotSent

# Both gateways stamp their receipts in Beijing time, without a zone.
GATEWAY_TIME_ZONE = ZoneInfo("Asia/Shanghai")


@dataclass(frozen=True)
class Receipt:
    message_id: str
    delivered: bool
    code: str  # the gateway's status code: DELIVERED / DELIVRD when delivered, else why not
    reported_at: datetime | None


class Gateway:
    name: str
    label: Promise
    # Settings without which nothing can be sent, after `LINLI_SMS_<NAME>_`.
    required: tuple[str, ...]
    # Error codes about the recipient rather than the gateway: another gateway must not be tried.
    recipient_codes: frozenset[str] = frozenset()
    recipient_prefixes: tuple[str, ...] = ()

    def __init__(self) -> None:
        self.timeout = settings.LINLI_SMS_TIMEOUT_SECONDS
        self.scheme, self.host = endpoint(self.setting("ENDPOINT"))
        self.templates: dict[str, str] = self.setting("TEMPLATES")

    @classmethod
    def setting_name(cls, key: str) -> str:
        return f"LINLI_SMS_{cls.name.upper()}_{key}"

    @classmethod
    def setting(cls, key: str):
        return getattr(settings, cls.setting_name(key))

    @classmethod
    def missing(cls, kinds=TEMPLATES) -> list[str]:
        """What this gateway still needs before it can send these kinds of message (all of them:
        what the channel check lists)."""
        unset = [cls.setting_name(key) for key in cls.required if not cls.setting(key)]
        templates = cls.setting("TEMPLATES")
        return unset + [
            f"{cls.setting_name('TEMPLATES')}[{kind}]" for kind in kinds if not templates.get(kind)
        ]

    def send(self, phone: str, template: str, params: dict) -> str:
        """Sends one text; returns the gateway's id of the message (its receipt names it)."""
        # Only this kind's template: one still under the gateway's review stops no other text.
        missing = self.missing([template])
        if missing:
            raise GatewayFailure(self.name, "not_configured", ", ".join(missing))
        return self.deliver(phone, self.templates[template], template, {k: str(v) for k, v in params.items()})

    def deliver(self, phone: str, template_id: str, template: str, params: dict[str, str]) -> str:
        raise NotImplementedError

    def failure(self, code: str, message: str) -> SmsNotSent:
        about_recipient = code in self.recipient_codes or code.startswith(self.recipient_prefixes)
        return (RecipientRefused if about_recipient else GatewayFailure)(self.name, code, message)

    @staticmethod
    def receipts(payload) -> list[Receipt]:
        """The receipts in a body the gateway posted (already parsed from JSON)."""
        raise NotImplementedError

    @staticmethod
    def receipt_answer(ok: bool) -> dict:
        """What the gateway expects back: ok means received, no need to post again."""
        raise NotImplementedError


def endpoint(url: str) -> tuple[str, str]:
    """`https://dysmsapi.aliyuncs.com` → ("https", "dysmsapi.aliyuncs.com"); tests pass
    `http://127.0.0.1:PORT`."""
    parts = urlsplit(url if "://" in url else f"https://{url}")
    return parts.scheme, parts.netloc


def gateway_time(text) -> datetime | None:
    """ "2024-01-01 08:00:00" in Beijing time, as an aware datetime; None when absent or garbled."""
    try:
        return datetime.strptime(str(text), "%Y-%m-%d %H:%M:%S").replace(tzinfo=GATEWAY_TIME_ZONE)
    except ValueError:
        return None


def receipt_items(payload) -> list[dict]:
    """Both gateways post a JSON array of objects, one per message."""
    if not isinstance(payload, list) or not all(isinstance(item, dict) for item in payload):
        raise ValueError("a receipt body is a JSON array of objects")
    return payload
