"""Deadlines in working time (WO-4).

A deadline of N minutes counts only working hours on working days unless the SLA runs round the
clock. Working days are the national calendar's, from `chinese-calendar` (so a 调休 Saturday is a
working day and the Spring Festival is not), corrected by the community's own extra holidays and
workdays; a year the package does not know yet falls back to Monday to Friday.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import chinese_calendar
from django.utils import timezone


@dataclass(frozen=True)
class WorkCalendar:
    start: time = time(8, 30)
    end: time = time(17, 30)
    extra_holidays: frozenset[date] = frozenset()
    extra_workdays: frozenset[date] = frozenset()

    @classmethod
    def of(cls, settings) -> "WorkCalendar":
        return cls(
            start=settings.work_start,
            end=settings.work_end,
            extra_holidays=frozenset(date.fromisoformat(d) for d in settings.extra_holidays),
            extra_workdays=frozenset(date.fromisoformat(d) for d in settings.extra_workdays),
        )

    def is_workday(self, day: date) -> bool:
        if day in self.extra_holidays:
            return False
        if day in self.extra_workdays:
            return True
        try:
            return chinese_calendar.is_workday(day)
        except NotImplementedError:  # a year beyond the package's data
            return day.weekday() < 5


def deadline(start: datetime, minutes: int, calendar: WorkCalendar, *, working_time_only: bool) -> datetime:
    """`start` plus `minutes` of (working) time, in the current time zone."""
    if not working_time_only:
        return start + timedelta(minutes=minutes)
    tz = timezone.get_current_timezone()
    moment = timezone.localtime(start, tz)
    left = timedelta(minutes=minutes)
    for _day in range(3660):  # ten years of days: a bound, never reached by a real SLA
        day = moment.date()
        if calendar.is_workday(day):
            opens = datetime.combine(day, calendar.start, tz)
            closes = datetime.combine(day, calendar.end, tz)
            begin = max(moment, opens)
            if begin < closes:
                if begin + left <= closes:
                    return begin + left
                left -= closes - begin
        moment = datetime.combine(day + timedelta(days=1), time(0), tz)
    raise ValueError("no working time in ten years: check the community's working hours")
