"""Today's passages per hour for the big screen, counted incrementally: the first read of a
community's day counts the day so far (one indexed range count, up to the newest event id), and
every later read only adds the passages that arrived since (an indexed read by id), so that a
screen refreshed every few seconds never re-reads a day of events (issue 14: ≤ 200 ms for a
10,000-household community, whose gates let through 100,000 passages a day).

Reading by id, not by time, also counts an offline terminal's late upload of this morning's
passages. Ids are not always committed in order (two PostgreSQL transactions), so each read looks
OVERLAP ids back and skips the ids it has counted already. The counters live in the process (each
server process counts its own; a new process or a new day starts with one full count), behind a
lock per community: the views run on a pool of threads."""

import threading
from collections.abc import Iterable
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from time import monotonic as time_monotonic

from django.utils import timezone

from linli.access import queries as access_queries

FLOW_KEYS = access_queries.FLOW_KEYS
HOURS = 24
OVERLAP = 1000  # ids looked back at each read, for transactions that committed out of id order


@dataclass
class _Day:
    day: date
    midnight: datetime
    watermark: int  # every passage with an id up to here is counted
    hours: list[dict[str, int]]
    recent: set[int] = field(default_factory=set)  # counted ids above watermark − OVERLAP


class TodayPassages:
    def __init__(self):
        self._days: dict[int, _Day] = {}
        self._locks: dict[int, threading.Lock] = {}
        self._guard = threading.Lock()

    def _lock(self, community_id: int) -> threading.Lock:
        with self._guard:
            return self._locks.setdefault(community_id, threading.Lock())

    def hours(self, community_id: int, now: datetime) -> list[dict[str, int]]:
        """Today's passages of the community per hour (24 of them; hours to come count 0)."""
        return self.hours_of([community_id], now)[community_id]

    def hours_of(self, community_ids: Iterable[int], now: datetime) -> dict[int, list[dict[str, int]]]:
        """hours() of several communities (a street's), in the same few reads whatever their
        number: the communities whose day starts are counted together, and so are the others."""
        today = timezone.localdate(now)
        ids = sorted(set(community_ids))
        with ExitStack() as held:
            for community_id in ids:  # in id order: two streets sharing a community cannot deadlock
                held.enter_context(self._lock(community_id))
            starting = [c for c in ids if c not in self._days or self._days[c].day != today]
            self._days.update(self._start(starting, today))
            self._count_on({c: self._days[c] for c in ids if c not in starting})
            return {c: [dict(h) for h in self._days[c].hours] for c in ids}

    def _start(self, community_ids: list[int], today: date) -> dict[int, _Day]:
        if not community_ids:
            return {}
        midnight = timezone.make_aware(datetime.combine(today, time.min))
        tops = access_queries.latest_event_ids(community_ids)
        bounds = [midnight + timedelta(hours=h) for h in range(HOURS + 1)]
        counted = access_queries.flows_by_hour(tops, bounds)
        days = {c: _Day(today, midnight, tops[c], counted[c]) for c in community_ids}
        after = {c: top - OVERLAP for c, top in tops.items()}
        for c, event_id, _at, _key in access_queries.passages_after(after, midnight):
            if event_id <= tops[c]:
                days[c].recent.add(event_id)
        return days

    def _count_on(self, days: dict[int, _Day]) -> None:
        if not days:
            return
        midnight = next(iter(days.values())).midnight  # all of today
        after = {c: state.watermark - OVERLAP for c, state in days.items()}
        for c, event_id, at, key in access_queries.passages_after(after, midnight):
            state = days[c]
            if event_id in state.recent:
                continue
            state.recent.add(event_id)
            state.watermark = max(state.watermark, event_id)
            hour = int((at - state.midnight).total_seconds() // 3600)
            if 0 <= hour < HOURS:
                state.hours[hour][key] += 1
        for state in days.values():
            floor = state.watermark - OVERLAP
            state.recent = {i for i in state.recent if i > floor}


today_passages = TodayPassages()


class Recent:
    """Values computed in the last `seconds`, by key (the big screen's slow charts: 30 days, 12
    months and the survey years move slowly; every screen of a community shares one computation).
    At most `size` keys are kept; the oldest go first."""

    def __init__(self, seconds: float, size: int = 256):
        self.seconds, self.size = seconds, size
        self._values: dict = {}
        self._lock = threading.Lock()

    def get(self, key, compute):
        now = time_monotonic()
        with self._lock:
            found = self._values.get(key)
        if found is not None and found[0] > now:
            return found[1]
        value = compute()
        with self._lock:
            self._values[key] = (now + self.seconds, value)
            while len(self._values) > self.size:
                del self._values[next(iter(self._values))]
        return value


SLOW_CHARTS_SECONDS = 300
slow_charts = Recent(SLOW_CHARTS_SECONDS)
