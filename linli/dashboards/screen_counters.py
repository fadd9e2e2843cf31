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
        today = timezone.localdate(now)
        with self._lock(community_id):
            state = self._days.get(community_id)
            if state is None or state.day != today:
                state = self._days[community_id] = self._start(community_id, today)
            else:
                self._count_on(community_id, state)
            return [dict(h) for h in state.hours]

    def _start(self, community_id: int, today: date) -> _Day:
        midnight = timezone.make_aware(datetime.combine(today, time.min))
        top = access_queries.latest_event_id(community_id)
        bounds = [midnight + timedelta(hours=h) for h in range(HOURS + 1)]
        state = _Day(today, midnight, top, access_queries.flows_by_hour(community_id, bounds, upto_id=top))
        state.recent = {
            i for i, _at, _key in access_queries.passages_after(community_id, top - OVERLAP, midnight)
        }
        state.recent = {i for i in state.recent if i <= top}
        return state

    def _count_on(self, community_id: int, state: _Day) -> None:
        for event_id, at, key in access_queries.passages_after(
            community_id, state.watermark - OVERLAP, state.midnight
        ):
            if event_id in state.recent:
                continue
            state.recent.add(event_id)
            state.watermark = max(state.watermark, event_id)
            hour = int((at - state.midnight).total_seconds() // 3600)
            if 0 <= hour < HOURS:
                state.hours[hour][key] += 1
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
