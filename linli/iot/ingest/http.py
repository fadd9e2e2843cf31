"""HTTP ingest (docs/devices.md, "HTTP"): for devices that cannot speak MQTT, the same payloads
into the same pipeline. A web process holds no device in memory between requests (several
processes may serve one device): each message adopts the device and its rule state from the
database and writes everything back before it answers."""

import threading

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from linli.iot.ingest.messages import Refused
from linli.iot.ingest.pipeline import Ingest
from linli.iot.services import commands

_ingest = Ingest()
_lock = threading.Lock()

STATUS = {"ok": 202, "bad_token": 401, "unknown_device": 404, "rate_limited": 429}
REFUSALS = {
    "malformed": _("消息格式错误"),
    "unknown_device": _("设备不存在或已停用"),
    "bad_token": _("设备凭证错误"),
    "bad_value": _("读数无效"),
    "bad_time": _("时间戳超出范围"),
    "rate_limited": _("消息过于频繁"),
}


def bearer(header: str) -> str | None:
    scheme, _sep, token = header.partition(" ")
    return token if scheme.lower() == "bearer" and token else None


def accept(community: str, code: str, channel: str, body: bytes, token: str | None) -> tuple[int, str]:
    with _lock:
        try:
            result = _ingest.handle(community, code, channel, body, token)
            _ingest.close()
        finally:
            _ingest.fleet.forget_devices()
    return STATUS.get(result, 400), result


def pending_commands(community: str, code: str, token: str | None) -> list[dict]:
    with _lock:
        try:
            entry = _ingest.fleet.find(community, code)
            if entry is None or not entry.active:
                raise Refused("unknown_device")
            _ingest.authenticate(entry, token)
        finally:
            _ingest.fleet.forget_devices()
    return commands.for_http_device(entry.id, timezone.now())
