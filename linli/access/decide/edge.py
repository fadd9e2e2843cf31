"""The edge of POST /api/v1/access/decide, shared by the Ninja route and the ASGI fast path
(linli.access.decide.asgi): check the input against the terminal, decide, shape the answer."""

import base64
import binascii
import time

from django.utils.translation import gettext_lazy as _

from linli.access import services
from linli.access.models import Terminal
from linli.access.schemas import DecideIn, DecisionOut
from linli.core.errors import ServiceError


def image_bytes(data: DecideIn) -> bytes:
    if not data.image:
        return b""
    try:
        return base64.b64decode(data.image, validate=True)
    except (binascii.Error, ValueError):
        raise ServiceError("invalid_image", _("图片数据不是有效的 base64"), fields={"image": ""}) from None


def decide(terminal: Terminal, data: DecideIn) -> tuple[DecisionOut, float]:
    """The answer and the decision's own time in ms (sent as Server-Timing)."""
    started = time.perf_counter()
    if data.point is not None and data.point != terminal.point_id:
        raise ServiceError(
            "wrong_point", _("终端只能为自己的门禁点请求判定"), fields={"point": data.point}, status=403
        )
    decision = services.do_decide(
        terminal=terminal,
        method=data.method,
        card=data.card,
        pin=data.pin,
        house_id=data.house,
        qr=data.qr,
        image=image_bytes(data),
        embedding=data.embedding,
        event_uuid=data.event_id,
    )
    return DecisionOut.of(decision), (time.perf_counter() - started) * 1000
