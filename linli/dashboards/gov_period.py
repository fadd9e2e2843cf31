"""The government view's period selector for flows (requests, alarms): this month, the last 30
days, or one past month. Stocks are always read as of the latest computed day."""

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta

from django.utils.translation import gettext_lazy as _

from linli.core.errors import ServiceError

MONTH = re.compile(r"^(\d{4})-(\d{2})$")
DEFAULT = "month"


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
    found = MONTH.match(key)
    if found:
        year, month = int(found[1]), int(found[2])
        if 2000 <= year and 1 <= month <= 12 and date(year, month, 1) <= today:
            last = date(year, month, calendar.monthrange(year, month)[1])
            return Period(key, date(year, month, 1), min(last, today))
    raise ServiceError(
        "bad_period",
        _("统计周期应为本月（month）、近30天（30d）或某个已开始的月份（如 2026-11）"),
        fields={"period": _("无效的统计周期")},
    )


def choices(today: date, months: int = 12) -> list[tuple[str, str]]:
    """The selector's options: this month, the last 30 days, then the past months."""
    options = [("month", str(_("本月"))), ("30d", str(_("近30天")))]
    first = today.replace(day=1)
    for _n in range(months):
        first = (first - timedelta(days=1)).replace(day=1)
        options.append((f"{first:%Y-%m}", f"{first:%Y年%m月}"))
    return options
