"""GET /events/stream: live updates as server-sent events, fed from the outbox (core.OutboxEvent).

Who gets what: every user gets the events addressed to them; staff also get the events
addressed to a whole community they hold a role in. One poller per server process reads the
outbox for all open streams and hands each its rows (linli/notify/feed.py; no Redis). A stream
sends `id:`/`event:`/`data:` frames, a comment line as heartbeat, and ends after a while so that
the browser reconnects with Last-Event-ID and a revoked session or token stops streaming.
The protocol is in docs/notifications.md.
"""

from asgiref.sync import sync_to_async
from django.http import JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from linli.core import queries as core_queries
from linli.notify.audience import Audience
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
