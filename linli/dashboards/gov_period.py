"""The periods dashboards read flows (requests, alarms) over: the government view's selector
(this month, the last 30 days, or one month that has begun) and the reports' months. Months are
parsed and stepped here only. Stocks are always read as of the latest computed day."""

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta

from django.utils.translation import gettext_lazy as _

from linli.core.errors import ServiceError

MONTH = re.compile(r"^(\d{4})-(\d{2})$")
DEFAULT = "month"
FIRST_YEAR = 2000  # nothing the platform counts is older


@dataclass(frozen=True)
class Period:
    key: str  # "month", "30d" or "YYYY-MM": what the selector and the API accept
    since: date
    until: date  # inclusive

    @property
    def label(self) -> str:
        return f"{self.since:%Y-%m-%d} – {self.until:%Y-%m-%d}"


def period_of(raw: str | None, today: date) -> Period:
    key = raw or DEFAULT
    if key == "month":
        return Period(key, today.replace(day=1), today)
    if key == "30d":
        return Period(key, today - timedelta(days=29), today)
    first = month_of(key)
    if first is not None and first <= today:
        return Period(key, first, min(last_day(first), today))
    raise ServiceError(
        "bad_period",
        _("统计周期应为本月（month）、近30天（30d）或某个已开始的月份（如 2026-11）"),
        fields={"period": _("无效的统计周期")},
    )


def month_of(text: str) -> date | None:
    """ "2026-11" → 2026-11-01; None for anything else (whether it has begun is the caller's)."""
    found = MONTH.match(text)
    if not found:
        return None
    year, month = int(found[1]), int(found[2])
    return date(year, month, 1) if year >= FIRST_YEAR and 1 <= month <= 12 else None


def begun_month(text: str, today: date) -> date:
    """A month that has begun, as the reports take it ("2026-11" → 2026-11-01); refused with
    `invalid_month` when malformed or still to come."""
    first = month_of(text)
    if first is None:
        raise ServiceError(
            "invalid_month", _("月份格式应为 YYYY-MM，如 2026-11"), fields={"month": text[:20]}
        )
    if first > today:
        raise ServiceError("invalid_month", _("该月份还没有数据"), fields={"month": text[:20]})
    return first


def last_day(month: date) -> date:
    return month.replace(day=calendar.monthrange(month.year, month.month)[1])


def months_before(month: date, n: int) -> date:
    """The first of the month n months before `month`'s."""
    months = month.year * 12 + month.month - 1 - n
    return date(months // 12, months % 12 + 1, 1)


def previous_month(today: date) -> date:
    return months_before(today, 1)


def choices(today: date, months: int = 12) -> list[tuple[str, str]]:
    """The selector's options: this month, the last 30 days, then the past months."""
    options = [("month", str(_("本月"))), ("30d", str(_("近30天")))]
    for n in range(1, months + 1):
        first = months_before(today, n)
        options.append((f"{first:%Y-%m}", f"{first:%Y年%m月}"))
    return options
