"""The big screen's ticker over server-sent events, on the platform's one mechanism: the outbox
read by notify's shared poller (linli/notify/feed.py, decision 0001), frames as
linli/notify/streams.py writes them, resumed from Last-Event-ID after a reconnect.

What differs from the inbox stream: a screen is nobody's inbox, so it hears only the events
addressed to its communities' staff; of those it forwards only what a screen may show, rebuilt
from a whitelist (an alarm's title, severity and building name; a request's kind, category and
building), never the event as written; and it asks now and then whether it may still be shown
(a revoked token or a lost role closes it at the next check)."""

from dataclasses import dataclass

from asgiref.sync import sync_to_async
from django.utils.translation import gettext as _

from linli.dashboards.screen_tokens import ScreenReach, recheck
from linli.iot import queries as iot_queries
from linli.notify.audience import Address, Audience
from linli.notify.streams import StreamSlots, event_frames
from linli.registry import queries as registry_queries
from linli.workorders import queries as workorder_queries

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


def screen_frames(reach: ScreenReach, after: int):
    """The stream body: the whitelisted ticker items of the screen's communities, until the
    screen may no longer be shown (a revoked token, a lost role)."""
    ticker = Ticker(reach.community_ids)
    to_item = sync_to_async(ticker.item, thread_sensitive=False)
    may_show = sync_to_async(recheck, thread_sensitive=False)
    return event_frames(
        audience_of(reach), after, to_item, lambda: may_show(reach), closed_message=_("此大屏已停止授权")
    )
