"""GET /events/stream: live updates as server-sent events, fed from the outbox (core.OutboxEvent).

Who gets what: every user gets the events addressed to them; staff also get the events
addressed to a whole community they hold a role in. One poller per server process reads the
outbox for all open streams and hands each its rows (linli/notify/feed.py; no Redis). A stream
sends `id:`/`event:`/`data:` frames, a comment line as heartbeat, and ends after a while so that
the browser reconnects with Last-Event-ID and a revoked session or token stops streaming.
The protocol is in docs/notifications.md.

POST /hooks/sms/<gateway>/<secret>: the SMS gateways' delivery receipts (docs/channels.md).
"""

import json

from asgiref.sync import sync_to_async
from django.http import Http404, JsonResponse
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from linli.core import queries as core_queries
from linli.notify.audience import Audience
from linli.notify.services.sms_deliveries import apply_receipts
from linli.notify.sms_gateways import GATEWAYS
from linli.notify.streams import StreamSlots, event_frames, open_stream

slots = StreamSlots()


async def _user(request, bearer_user):
    header = request.headers.get("Authorization", "")
    if header:
        scheme, _sep, raw = header.partition(" ")
        if scheme.lower() != "bearer":
            return None
        return await sync_to_async(bearer_user)(raw.strip())
    user = await request.auser()
    return user if user.is_authenticated else None


@require_GET
async def stream(request, bearer_user):
    """`bearer_user(raw token) -> user | None` is handed in by linli.urls: API tokens are
    linli.accounts's, a layer above this app."""
    user = await _user(request, bearer_user)
    if user is None:
        return JsonResponse(
            {"code": "not_authenticated", "message": _("请先登录"), "fields": {}},
            status=401,
            json_dumps_params={"ensure_ascii": False},
        )
    audience = Audience(user.pk, await sync_to_async(core_queries.staff_community_ids)(user))
    return await open_stream(request, slots, user.pk, lambda after: event_frames(audience, after))


@csrf_exempt  # the gateway's servers post here; the secret in the path is the authentication
@require_POST
def sms_receipts(request, gateway: str, secret: str):
    """Receipts as the gateway posts them, answered in its format. Without a configured secret,
    or with another one, the URL does not exist (404), so it cannot be probed."""
    provider = GATEWAYS.get(gateway)
    expected = provider.setting("RECEIPT_SECRET") if provider else ""
    if not (provider and expected and constant_time_compare(secret, expected)):
        raise Http404
    try:
        receipts = provider.receipts(json.loads(request.body))
    except ValueError:  # not JSON, or not the gateway's shape: posting it again will not help
        return JsonResponse(
            provider.receipt_answer(False), status=400, json_dumps_params={"ensure_ascii": False}
        )
    apply_receipts(provider=provider.name, receipts=receipts)
    return JsonResponse(provider.receipt_answer(True), json_dumps_params={"ensure_ascii": False})
