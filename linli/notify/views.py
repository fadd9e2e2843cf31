"""GET /events/stream: live updates as server-sent events, fed from the outbox (core.OutboxEvent).

Who gets what: every user gets the events addressed to them; staff also get the events
addressed to a whole community they hold a role in. One poller per server process reads the
outbox for all open streams and hands each its rows (linli/notify/feed.py; no Redis). A stream
sends `id:`/`event:`/`data:` frames, a comment line as heartbeat, and ends after a while so that
the browser reconnects with Last-Event-ID and a revoked session or token stops streaming.
The protocol is in docs/notifications.md.
"""

import time

from asgiref.sync import sync_to_async
from django.conf import settings
from django.db import connection
from django.http import JsonResponse, StreamingHttpResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from linli.core import queries as core_queries
from linli.notify import feed, queries
from linli.notify.audience import Audience
from linli.notify.streams import StreamSlots, frame, releasing

RETRY_MS = 3000
BUSY_RETRY_SECONDS = 30


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


def _close_connection() -> None:
    connection.close()  # the connection of the thread this runs on


def _resume_from(request) -> int | None:
    """The browser sends Last-Event-ID when it reconnects; a client may pass ?last_event_id=
    on its first connection to resume from an id it saved."""
    raw = request.headers.get("Last-Event-ID") or request.GET.get("last_event_id", "")
    return int(raw) if raw.isdigit() else None


def frames(audience: Audience, after: int, release=None):
    """The stream body: a `ready` frame carrying the resume point, then events as they come.
    `release` frees the user's stream slot however the stream ends."""
    return releasing(_frames(audience, after), release)


async def _frames(audience: Audience, after: int):
    heartbeat = settings.LINLI_SSE_HEARTBEAT_SECONDS
    ends = time.monotonic() + settings.LINLI_SSE_MAX_SECONDS
    yield f"retry: {RETRY_MS}\n\n"
    yield frame(after, "ready", {"last_event_id": after})
    with feed.subscribe(audience, after) as events:
        last_sent = time.monotonic()
        while (now := time.monotonic()) < ends:
            batch = await events.next(timeout=min(last_sent + heartbeat, ends) - now)
            for event_id, topic, payload in batch:
                yield frame(event_id, topic, payload)
            now = time.monotonic()
            if batch:
                last_sent = now
            elif now - last_sent >= heartbeat:
                yield ": keep-alive\n\n"
                last_sent = now


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
    release = slots.take(user.pk)
    if release is None:
        response = JsonResponse(
            {
                "code": "too_many_streams",
                "message": _("打开的实时连接过多，请关闭其他页面后重试"),
                "fields": {},
            },
            status=429,
            json_dumps_params={"ensure_ascii": False},
        )
        response["Retry-After"] = str(BUSY_RETRY_SECONDS)
        return response
    try:
        community_ids = await sync_to_async(core_queries.staff_community_ids)(user)
        after = _resume_from(request)
        if after is None:
            after = await sync_to_async(queries.latest_event_id)()
        # The request's own thread is done with the database for the stream's whole life: its
        # connection would otherwise stay open, one per stream (the feed reads on its own threads).
        await sync_to_async(_close_connection)()
    except BaseException:
        release()
        raise
    response = StreamingHttpResponse(
        frames(Audience(user.pk, community_ids), after, release),
        content_type="text/event-stream; charset=utf-8",
    )
    # A stream never iterated (the client left before the first byte) is still closed by Django.
    response._resource_closers.append(release)
    response["Cache-Control"] = "no-cache"
    response["X-Accel-Buffering"] = "no"  # tell a proxy in front not to buffer the stream
    return response
