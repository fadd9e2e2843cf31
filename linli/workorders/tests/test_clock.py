"""SLA deadlines in working time: across an evening, a weekend, the National Day holiday and its
调休 Saturday, the community's own days off, and round the clock for urgent work."""

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from linli.workorders.services.clock import WorkCalendar, deadline

TZ = ZoneInfo("Asia/Shanghai")
DAY = WorkCalendar(start=time(8, 30), end=time(17, 30))


def at(y, m, d, hh, mm=0):
    return datetime(y, m, d, hh, mm, tzinfo=TZ)


@pytest.mark.parametrize(
    ("start", "minutes", "expected"),
    [
        # Within a working day.
        (at(2026, 12, 2, 9), 60, at(2026, 12, 2, 10)),
        # Reported at night: the clock starts when work does.
        (at(2026, 12, 2, 22), 60, at(2026, 12, 3, 9, 30)),
        # Runs over the evening into the next morning.
        (at(2026, 12, 2, 17), 120, at(2026, 12, 3, 10)),
        # Friday afternoon to Monday morning (5 and 6 December 2026 are a weekend).
        (at(2026, 12, 4, 17), 60, at(2026, 12, 7, 9)),
        # Two working days of 9 hours.
        (at(2026, 12, 2, 8, 30), 2 * 9 * 60, at(2026, 12, 3, 17, 30)),
        # National Day 2026: 1–7 October off; reported on 30 September at 17:00, resumes on the 8th.
        (at(2026, 9, 30, 17), 60, at(2026, 10, 8, 9)),
        # 调休: Saturday 10 October 2026 is a working day.
        (at(2026, 10, 9, 17), 60, at(2026, 10, 10, 9)),
    ],
)
def test_deadline_in_working_time(start, minutes, expected, settings):
    settings.TIME_ZONE = "Asia/Shanghai"
    assert deadline(start, minutes, DAY, working_time_only=True) == expected


def test_the_communitys_own_days_override_the_national_calendar(settings):
    settings.TIME_ZONE = "Asia/Shanghai"
    own = WorkCalendar(
        extra_holidays=frozenset({date(2026, 12, 3)}), extra_workdays=frozenset({date(2026, 12, 5)})
    )
    # Wednesday 17:00 + 1 h: Thursday is the community's day off, Friday is not.
    assert deadline(at(2026, 12, 2, 17), 60, own, working_time_only=True) == at(2026, 12, 4, 9)
    # Friday 17:00 + 1 h: Saturday is a working day for this community.
    assert deadline(at(2026, 12, 4, 17), 60, own, working_time_only=True) == at(2026, 12, 5, 9)


def test_urgent_work_runs_round_the_clock():
    start = at(2026, 10, 1, 23)
    assert deadline(start, 4 * 60, DAY, working_time_only=False) == at(2026, 10, 2, 3)


def test_a_year_beyond_the_calendar_falls_back_to_weekdays(settings):
    settings.TIME_ZONE = "Asia/Shanghai"
    # Friday 17:00 + 1 h in 2099, which chinese-calendar does not know: Monday 09:00.
    assert deadline(at(2099, 1, 2, 17), 60, DAY, working_time_only=True) == at(2099, 1, 5, 9)
