"""What every server-sent event stream shares (notify's /events/stream, the big screen's
ticker): the frame format and a per-process cap on the streams one holder keeps open."""

import json
import threading
from collections.abc import Hashable

from django.conf import settings


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

    def held(self, holder: Hashable) -> int:
        return self._open.get(holder, 0)
