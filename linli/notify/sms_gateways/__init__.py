"""Real SMS gateways behind `linli.notify.sms.SmsProvider`: Alibaba Cloud SMS (`aliyun`) and
Tencent Cloud SMS (`tencent`) through their official SDKs, tried in the order of
`settings.LINLI_SMS_GATEWAYS` by `failover.FailoverSmsProvider`, and their delivery receipts
(docs/channels.md).
"""

from django.conf import settings

from linli.notify.sms_gateways.aliyun import AliyunGateway
from linli.notify.sms_gateways.base import Gateway
from linli.notify.sms_gateways.tencent import TencentGateway

GATEWAYS: dict[str, type[Gateway]] = {gateway.name: gateway for gateway in (AliyunGateway, TencentGateway)}


def check_configuration() -> list[dict]:
    """Per gateway named in LINLI_SMS_GATEWAYS, in order: its name, label and the settings it still
    lacks (the environment variables' names, never their values). The receipt secret is listed
    too: without it the gateway sends, but no delivery receipt is taken."""
    checks = []
    for name in settings.LINLI_SMS_GATEWAYS:
        gateway = GATEWAYS.get(name)
        if gateway is None:
            checks.append(
                {
                    "name": name,
                    "label": name,
                    "missing": [f"LINLI_SMS_GATEWAYS: a known name ({', '.join(GATEWAYS)})"],
                }
            )
            continue
        receipts = [] if gateway.setting("RECEIPT_SECRET") else [gateway.setting_name("RECEIPT_SECRET")]
        checks.append({"name": name, "label": gateway.label, "missing": gateway.missing() + receipts})
    return checks
