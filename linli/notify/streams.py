"""What every server-sent event stream shares (notify's /events/stream, the big screen's
ticker): opening one (its holder's slot, its resume point, its response), the loop that turns the
shared feed into frames, the frame format and a per-process cap on the streams one holder keeps
open."""

import json
import threading
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Hashable

from asgiref.sync import sync_to_async
from django.conf import settings
from django.db import connection
from django.http import HttpResponse, JsonResponse, StreamingHttpResponse
from django.utils.translation import gettext as _

from linli.notify import feed, queries
from linli.notify.audience import Audience

RETRY_MS = 3000  # the browser reconnects after 3 s
BUSY_RETRY_SECONDS = 30
RECHECK_SECONDS = 10.0  # how soon a stream that may no longer be shown closes

Shown = tuple[str, object] | None  # (event name, data), or None: the event is not for this stream


async def releasing(body, release=None):
    """A stream's body that frees its slot (`release`) however the stream ends: its lifetime,
    the client hanging up, an error."""
    try:
        async for chunk in body:
            yield chunk
    finally:
        if release is not None:
            release()


def frame(event_id: int, name: str, data) -> str:
    payload = json.dumps(data, ensure_ascii=False, separators=(",", ":"), default=str)
    return f"id: {event_id}\nevent: {name}\ndata: {payload}\n\n"


class StreamSlots:
    """How many streams each holder (a user, a kiosk token) keeps open in this process. Each open
    stream holds a socket and a request in the server (about 140 KB; once 430 KB, when one
    resident held 500). Beyond LINLI_SSE_MAX_STREAMS_PER_USER a new stream is refused (429
    `too_many_streams`); the browser's EventSource retries later, by when a closed tab has freed
    its slot."""

    def __init__(self):
        self._open: dict[Hashable, int] = {}
        self._lock = threading.Lock()

    def take(self, holder: Hashable):
        """A release callable, or None when the holder is at the cap. Releasing twice is harmless."""
        with self._lock:
            if self._open.get(holder, 0) >= settings.LINLI_SSE_MAX_STREAMS_PER_USER:
                return None
            self._open[holder] = self._open.get(holder, 0) + 1
        released = False

        def release():
            nonlocal released
            with self._lock:
                if released:
                    return
                released = True
                left = self._open.get(holder, 1) - 1
                if left > 0:
                    self._open[holder] = left
                else:
                    self._open.pop(holder, None)

        return release


def resume_from(request) -> int | None:
    """The browser sends Last-Event-ID when it reconnects; a client may pass ?last_event_id=
    on its first connection to resume from an id it saved."""
    raw = request.headers.get("Last-Event-ID") or request.GET.get("last_event_id", "")
    return int(raw) if raw.isdigit() else None


def _close_connection() -> None:
    connection.close()  # the connection of the thread this runs on


async def open_stream(
    request, slots: StreamSlots, holder: Hashable, body: Callable[[int], AsyncIterator[str]]
) -> HttpResponse:
    """The response of a stream whose frames `body(after)` yields from the resume point on; 429
    `too_many_streams` when the holder is at its cap."""
    release = slots.take(holder)
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
        after = resume_from(request)
        if after is None:
            after = await sync_to_async(queries.latest_event_id)()
        # The request's own thread is done with the database for the stream's whole life: its
        # connection would otherwise stay open, one per stream (the feed reads on its own threads).
        await sync_to_async(_close_connection)()
    except BaseException:
        release()
        raise
    response = StreamingHttpResponse(
        releasing(body(after), release), content_type="text/event-stream; charset=utf-8"
    )
    # A stream never iterated (the client left before the first byte) is still closed by Django.
    response._resource_closers.append(release)
    response["Cache-Control"] = "no-cache"
    response["X-Accel-Buffering"] = "no"  # tell a proxy in front not to buffer the stream
    return response


async def event_frames(
    audience: Audience,
    after: int,
    show: Callable[[str, object], Awaitable[Shown]] | None = None,
    may_go_on: Callable[[], Awaitable[bool]] | None = None,
    closed_message: str = "",
) -> AsyncIterator[str]:
    """A `ready` frame carrying the resume point, then the audience's events as they come (each
    as `show` turns it, or as written), a heartbeat comment when quiet, until the stream's
    lifetime ends (the browser reconnects with Last-Event-ID) or, asked every RECHECK_SECONDS,
    `may_go_on` says no: then a `closed` event with `closed_message`."""
    heartbeat = settings.LINLI_SSE_HEARTBEAT_SECONDS
    ends = time.monotonic() + settings.LINLI_SSE_MAX_SECONDS
    yield f"retry: {RETRY_MS}\n\n"
    yield frame(after, "ready", {"last_event_id": after})
    with feed.subscribe(audience, after) as events:
        last_sent = time.monotonic()
        next_check = last_sent + RECHECK_SECONDS if may_go_on is not None else float("inf")
        while (now := time.monotonic()) < ends:
            batch = await events.next(timeout=max(0.0, min(last_sent + heartbeat, ends, next_check) - now))
            for event_id, topic, payload in batch:
                shown = await show(topic, payload) if show is not None else (topic, payload)
                if shown is None:
                    # Moves the browser's Last-Event-ID past it without an event (the SSE spec
                    # sets the id before it drops a frame without data).
                    yield f"id: {event_id}\n\n"
                else:
                    yield frame(event_id, *shown)
            now = time.monotonic()
            if batch:
                last_sent = now
            elif now - last_sent >= heartbeat:
                yield ": keep-alive\n\n"
                last_sent = now
            if now >= next_check:
                if not await may_go_on():
                    message = json.dumps({"message": closed_message}, ensure_ascii=False)
                    yield f"event: closed\ndata: {message}\n\n"
                    return
                next_check = now + RECHECK_SECONDS
