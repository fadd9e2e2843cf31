"""Interval arithmetic of recurring windows, table-driven (no database)."""

from datetime import datetime, time, timedelta

import pytest

from linli.parking.windows import (
    TZ,
    WEEKDAYS,
    WEEKENDS,
    Window,
    covering,
    inside,
    mask_of,
    merge,
    occurrences,
    overlaps,
    started_hours,
    weekdays_from_mask,
    windows_overlap,
)

NIGHTS = Window(WEEKDAYS, time(19), time(8))  # Monday–Friday 19:00 → next morning 08:00
WEEKEND_DAYS = Window(WEEKENDS, time(0), time(0))  # Saturday and Sunday, all day
OFFICE = Window(WEEKDAYS, time(8), time(18))
SUNDAY_NIGHT = Window(frozenset({6}), time(22), time(6))


def at(y, mo, d, h=0, mi=0) -> datetime:
    return datetime(y, mo, d, h, mi, tzinfo=TZ)


# 2026-12-07 is a Monday; 2026-12-31 a Thursday; 2027-01-01 a Friday; 2027-02-28 a Sunday.
@pytest.mark.parametrize(
    "windows, since, until, expected",
    [
        # a night window runs into the next morning
        ([NIGHTS], at(2026, 12, 7), at(2026, 12, 8), [(at(2026, 12, 7, 19), at(2026, 12, 8, 8))]),
        # the one that started the evening before is still open after midnight
        ([NIGHTS], at(2026, 12, 8, 3), at(2026, 12, 8, 4), [(at(2026, 12, 7, 19), at(2026, 12, 8, 8))]),
        # from Saturday 08:00 to Monday: no weekday evening opens
        ([NIGHTS], at(2026, 12, 12, 8), at(2026, 12, 14), []),
        # weekly recurrence: a week holds five nights
        (
            [NIGHTS],
            at(2026, 12, 7),
            at(2026, 12, 14),
            [(at(2026, 12, d, 19), at(2026, 12, d + 1, 8)) for d in range(7, 12)],
        ),
        # Sunday night into Monday
        (
            [SUNDAY_NIGHT],
            at(2026, 12, 14),
            at(2026, 12, 14, 12),
            [(at(2026, 12, 13, 22), at(2026, 12, 14, 6))],
        ),
        # Friday night touches the weekend: merged into one span until Monday 00:00
        (
            [NIGHTS, WEEKEND_DAYS],
            at(2026, 12, 11, 12),
            at(2026, 12, 13, 12),
            [(at(2026, 12, 11, 19), at(2026, 12, 14))],
        ),
        # year end: Thursday 31 December night runs into New Year's Day
        ([NIGHTS], at(2026, 12, 31, 20), at(2027, 1, 1, 1), [(at(2026, 12, 31, 19), at(2027, 1, 1, 8))]),
        # month end: Sunday 28 February all day, closing at Monday 1 March 00:00
        ([WEEKEND_DAYS], at(2027, 2, 28, 10), at(2027, 2, 28, 11), [(at(2027, 2, 28), at(2027, 3, 1))]),
        # empty range
        ([NIGHTS], at(2026, 12, 8), at(2026, 12, 8), []),
    ],
)
def test_occurrences(windows, since, until, expected):
    assert occurrences(windows, since, until) == expected


@pytest.mark.parametrize(
    "interval, ok",
    [
        ((at(2026, 12, 7, 19), at(2026, 12, 8, 8)), True),  # exactly one night
        ((at(2026, 12, 7, 22), at(2026, 12, 8, 7)), True),  # across midnight
        ((at(2026, 12, 7, 18, 59), at(2026, 12, 7, 22)), False),  # starts a minute early
        ((at(2026, 12, 8, 7), at(2026, 12, 8, 9)), False),  # runs past the morning
        ((at(2026, 12, 7, 20), at(2026, 12, 8, 20)), False),  # through the working day
        ((at(2026, 12, 11, 20), at(2026, 12, 13, 10)), True),  # Friday night into the weekend
        ((at(2026, 12, 13, 20), at(2026, 12, 14, 7)), False),  # Sunday night: Monday 00–08 is closed
        ((at(2026, 12, 8, 0), at(2026, 12, 8, 0)), False),  # empty
        ((at(2026, 12, 8, 2), at(2026, 12, 8, 1)), False),  # reversed
    ],
)
def test_inside(interval, ok):
    assert inside(interval, [NIGHTS, WEEKEND_DAYS]) is ok


@pytest.mark.parametrize(
    "windows, clash",
    [
        ([NIGHTS, WEEKEND_DAYS], True),  # Friday 19:00–Saturday 08:00 overlaps Saturday
        ([NIGHTS, OFFICE], False),  # 08:00 closes one, opens the other
        ([Window(frozenset({0, 1, 2, 3}), time(19), time(8)), WEEKEND_DAYS], False),
        ([SUNDAY_NIGHT, Window(frozenset({0}), time(5), time(9))], True),  # Sunday night into Monday
        ([SUNDAY_NIGHT, Window(frozenset({0}), time(6), time(9))], False),
        ([WEEKEND_DAYS], False),  # Saturday and Sunday touch at midnight
    ],
)
def test_windows_overlap(windows, clash):
    assert windows_overlap(windows) is clash


def test_covering():
    assert covering(at(2026, 12, 8, 7, 59), [NIGHTS]) == (at(2026, 12, 7, 19), at(2026, 12, 8, 8))
    assert covering(at(2026, 12, 8, 8), [NIGHTS]) is None  # half-open: 08:00 is closed


@pytest.mark.parametrize(
    "a, b, result",
    [
        ((1, 3), (2, 4), True),
        ((1, 2), (2, 3), False),
        ((1, 5), (2, 3), True),
        ((3, 4), (1, 2), False),
    ],
)
def test_overlaps(a, b, result):
    assert overlaps(a, b) is result


def test_merge_and_masks():
    assert merge([(3, 4), (1, 2), (2, 3), (6, 7)]) == [(1, 4), (6, 7)]
    assert mask_of({0, 6}) == 65
    assert weekdays_from_mask(mask_of(WEEKENDS)) == WEEKENDS


@pytest.mark.parametrize("minutes, hours", [(0, 0), (1, 1), (60, 1), (61, 2), (24 * 60, 24), (-5, 0)])
def test_started_hours(minutes, hours):
    start = at(2026, 12, 7, 19)
    assert started_hours(start, start + timedelta(minutes=minutes)) == hours
