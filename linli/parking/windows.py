"""Recurring time windows and their concrete occurrences, in Asia/Shanghai (no DST).

A window is a set of weekdays, a start time and an end time: it opens on each of those weekdays
at `start` and closes at `end` the same day, or the next day when `end <= start` (weekdays
19:00–08:00 runs into the next morning; 00:00–00:00 is the whole day). An occurrence belongs to
the weekday it *starts* on, so Sunday 19:00–08:00 ends on Monday morning.

Pure functions on plain values: the services and queries hand in a few windows of one offer and
get back aware datetime intervals, half-open `[start, end)`. Occurrences that touch (Friday
19:00–24:00 and Saturday all day) are merged, so a booking may run from one into the next.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

TZ = ZoneInfo("Asia/Shanghai")
ALL_WEEK = frozenset(range(7))
WEEKDAYS = frozenset(range(5))  # Monday 0 … Friday 4
WEEKENDS = frozenset({5, 6})

Interval = tuple[datetime, datetime]


@dataclass(frozen=True)
class Window:
    weekdays: frozenset[int]  # 0 = Monday … 6 = Sunday: the day an occurrence starts
    start: time
    end: time

    @property
    def crosses_midnight(self) -> bool:
        return self.end <= self.start

    def on(self, day: date) -> Interval | None:
        """The occurrence that starts on `day`, if the window opens that weekday."""
        if day.weekday() not in self.weekdays:
            return None
        opens = datetime.combine(day, self.start, tzinfo=TZ)
        closes_on = day + timedelta(days=1) if self.crosses_midnight else day
        return opens, datetime.combine(closes_on, self.end, tzinfo=TZ)


def weekdays_from_mask(mask: int) -> frozenset[int]:
    """The database keeps the weekdays as bits (1 = Monday … 64 = Sunday)."""
    return frozenset(d for d in range(7) if mask & (1 << d))


def mask_of(weekdays: Iterable[int]) -> int:
    return sum(1 << d for d in set(weekdays))


def local_day(moment: datetime) -> date:
    return moment.astimezone(TZ).date()


def occurrences(windows: Iterable[Window], since: datetime, until: datetime) -> list[Interval]:
    """Every occurrence that overlaps `[since, until)`, merged where they touch or overlap,
    sorted. An occurrence starting the day before `since` may still be open at `since` (a night
    window), so the scan begins a day early."""
    if until <= since:
        return []
    windows = list(windows)
    found: list[Interval] = []
    day = local_day(since) - timedelta(days=1)
    last = local_day(until)
    while day <= last:
        for window in windows:
            occurrence = window.on(day)
            if occurrence and occurrence[0] < until and occurrence[1] > since:
                found.append(occurrence)
        day += timedelta(days=1)
    return merge(found)


def merge(intervals: Iterable[Interval]) -> list[Interval]:
    merged: list[Interval] = []
    for start, end in sorted(intervals):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def overlaps(a: Interval, b: Interval) -> bool:
    """Half-open intervals: [8, 10) and [10, 12) do not overlap."""
    return a[0] < b[1] and b[0] < a[1]


def inside(interval: Interval, windows: Iterable[Window]) -> bool:
    """Whether `[start, end)` lies wholly inside one (merged) occurrence of the windows."""
    start, end = interval
    if end <= start:
        return False
    return any(o[0] <= start and end <= o[1] for o in occurrences(windows, start, end))


def covering(moment: datetime, windows: Iterable[Window]) -> Interval | None:
    """The (merged) occurrence open at `moment`, if any."""
    for occurrence in occurrences(windows, moment, moment + timedelta(microseconds=1)):
        if occurrence[0] <= moment < occurrence[1]:
            return occurrence
    return None


def windows_overlap(windows: list[Window]) -> bool:
    """Whether two of the windows are ever open at once (or one overlaps itself, which a window
    cannot: it lasts at most a day and opens at most once a day). Every pattern repeats weekly,
    so two weeks of occurrences, unmerged, show every clash including Sunday night into Monday."""
    since = datetime(2024, 1, 1, tzinfo=TZ)  # a Monday
    days = [since.date() + timedelta(days=n) for n in range(15)]
    spans = sorted(o for w in windows for d in days if (o := w.on(d)) is not None)
    return any(spans[i][1] > spans[i + 1][0] for i in range(len(spans) - 1))


def started_hours(start: datetime, end: datetime) -> int:
    """Hours begun in `[start, end)`: 61 minutes are 2 hours, 0 minutes are 0."""
    seconds = max(0, int((end - start).total_seconds()))
    return -(-seconds // 3600)
