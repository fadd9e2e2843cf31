"""Months, parsed and stepped in one place (gov_period) for the government view's periods and
the reports' months: the same text is the same month to both, and refused alike."""

from datetime import date

import pytest

from linli.core.errors import ServiceError
from linli.dashboards import gov_period

TODAY = date(2026, 12, 7)


@pytest.mark.parametrize(
    "text, month",
    [
        ("2026-11", date(2026, 11, 1)),
        ("2026-12", date(2026, 12, 1)),  # under way
        ("2000-01", date(2000, 1, 1)),
        ("2027-01", None),  # not begun
        ("1999-12", None),
        ("2026-13", None),
        ("2026-00", None),
        ("2026-1", None),
        (" 2026-11", None),
        ("2026-11-01", None),
        ("last", None),
        ("", None),
    ],
)
def test_the_government_view_and_the_reports_take_the_same_months(text, month):
    if month is None:
        with pytest.raises(ServiceError) as refused:
            gov_period.begun_month(text, TODAY)
        assert refused.value.code == "invalid_month"
        with pytest.raises(ServiceError) as refused:
            gov_period.period_of(text or "x", TODAY)
        assert refused.value.code == "bad_period"
        return
    assert gov_period.begun_month(text, TODAY) == month
    period = gov_period.period_of(text, TODAY)
    assert period.since == month and period.until == min(gov_period.last_day(month), TODAY)


def test_a_month_not_begun_is_told_apart_from_a_malformed_one():
    with pytest.raises(ServiceError) as early:
        gov_period.begun_month("2027-01", TODAY)
    with pytest.raises(ServiceError) as malformed:
        gov_period.begun_month("2027-1", TODAY)
    assert str(early.value.message) == "该月份还没有数据"
    assert str(malformed.value.message).startswith("月份格式应为")


@pytest.mark.parametrize(
    "month, n, before",
    [
        (date(2026, 12, 7), 0, date(2026, 12, 1)),
        (date(2026, 12, 1), 1, date(2026, 11, 1)),
        (date(2026, 1, 31), 1, date(2025, 12, 1)),
        (date(2026, 3, 31), 13, date(2025, 2, 1)),
    ],
)
def test_months_before(month, n, before):
    assert gov_period.months_before(month, n) == before


def test_last_days_and_the_selectors_months():
    assert [gov_period.last_day(date(y, m, 1)) for y, m in ((2024, 2), (2026, 2), (2026, 12))] == [
        date(2024, 2, 29),
        date(2026, 2, 28),
        date(2026, 12, 31),
    ]
    keys = [key for key, _label in gov_period.choices(date(2026, 1, 15), months=3)]
    assert keys == ["month", "30d", "2025-12", "2025-11", "2025-10"]
