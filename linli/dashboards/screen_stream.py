"""The big screen's ticker over server-sent events, on the platform's one mechanism: the outbox
read by notify's shared poller (linli/notify/feed.py, decision 0001), frames as
linli/notify/views.py writes them, resumed from Last-Event-ID after a reconnect.

What differs from the inbox stream: a screen is nobody's inbox, so it hears only the events
addressed to its communities' staff; of those it forwards only what a screen may show, rebuilt
from a whitelist (an alarm's title, severity and building name; a request's kind, category and
building), never the event as written; and it asks now and then whether it may still be shown
(a revoked token or a lost role closes it at the next check)."""

import json
import time
from dataclasses import dataclass

from asgiref.sync import sync_to_async
from django.conf import settings
from django.utils.translation import gettext as _

from linli.dashboards.screen_tokens import ScreenReach, recheck
from linli.iot import queries as iot_queries
from linli.notify import feed
from linli.notify.audience import Address, Audience
from linli.notify.streams import StreamSlots, frame, releasing
from linli.registry import queries as registry_queries
from linli.workorders import queries as workorder_queries

RETRY_MS = 3000  # as notify's stream: the browser reconnects after 3 s
RECHECK_SECONDS = 10.0  # how soon a revoked token or a lost role closes an open stream

ALARM_TOPIC = "iot.alarm"
REQUEST_TOPIC = "workorders.changed"


@dataclass(frozen=True, slots=True)
class ScreenAudience(Audience):
    """The staff events of the screen's communities only: no user's own events (user_id is 0,
    nobody's), whoever is looking at the screen."""

    def addresses(self) -> set[Address]:
        return {("staff", c) for c in self.community_ids}


def audience_of(reach: ScreenReach) -> ScreenAudience:
    return ScreenAudience(0, frozenset(reach.community_ids))


# Open screens per kiosk token or viewer, capped as a user's streams are: a kiosk left open
# in many tabs cannot hold many sockets. Apart from the viewer's own inbox streams.
stream_cap = StreamSlots()


class Ticker:
    """Turns outbox events into what the screen shows: ("ticker", item) for a new alarm or request,
    ("changed", {}) for a change of the counters, None for anything else."""

    def __init__(self, community_ids):
        self.community_ids = tuple(community_ids)
        self.buildings: dict[int, str] = {}

    def _load_buildings(self) -> None:
        for c in self.community_ids:
            self.buildings.update(registry_queries.buildings_of(c))

    def building(self, building_id: int | None) -> str:
        if building_id is None:
            return ""
        if building_id not in self.buildings:
            self._load_buildings()  # a building added since the stream opened
        return self.buildings.get(building_id, "")

    def item(self, topic: str, payload) -> tuple[str, dict] | None:
        if not isinstance(payload, dict):
            return None
        if topic == ALARM_TOPIC:
            if payload.get("change") != "raised":
                return "changed", {}
            severity = str(payload.get("severity", ""))
            return "ticker", {
                "kind": "alarm",
                "title": str(payload.get("title", ""))[:100],
                "severity": severity,
                "label": iot_queries.severity_labels().get(severity, ""),
                "building": self.building(payload.get("building")),
                "at": str(payload.get("at", "")),
            }
        if topic == REQUEST_TOPIC:
            if payload.get("action") != "report":
                return "changed", {}
            facts = workorder_queries.ticker_facts(int(payload.get("request") or 0))
            if facts is None or facts["community_id"] not in self.community_ids:
                return None
            return "ticker", {
                "kind": "request",
                "title": facts["category"],
                "label": facts["kind_label"],
                "building": facts["building"],
                "at": facts["at"].isoformat(),
            }
        return None


def screen_frames(reach: ScreenReach, after: int, release=None):
    """The stream body; `release` frees the stream's slot however the stream ends."""
    return releasing(_frames(reach, after), release)


async def _frames(reach: ScreenReach, after: int):
    heartbeat = settings.LINLI_SSE_HEARTBEAT_SECONDS
    ends = time.monotonic() + settings.LINLI_SSE_MAX_SECONDS
    ticker = Ticker(reach.community_ids)
    to_item = sync_to_async(ticker.item, thread_sensitive=False)
    may_show = sync_to_async(recheck, thread_sensitive=False)
    yield f"retry: {RETRY_MS}\n\n"
    yield frame(after, "ready", {"last_event_id": after})
    with feed.subscribe(audience_of(reach), after) as events:
        last_sent = next_check = time.monotonic()
        next_check += RECHECK_SECONDS
        while (now := time.monotonic()) < ends:
            batch = await events.next(timeout=max(0.0, min(last_sent + heartbeat, ends, next_check) - now))
            for event_id, topic, payload in batch:
                shown = await to_item(topic, payload)
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
                if not await may_show(reach):
                    message = json.dumps({"message": _("此大屏已停止授权")}, ensure_ascii=False)
                    yield f"event: closed\ndata: {message}\n\n"
                    return
                next_check = now + RECHECK_SECONDS
