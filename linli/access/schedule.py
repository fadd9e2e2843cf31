"""Weekly schedules on grants, e.g. a nanny (保姆) on weekdays 08:00–18:00, in local time.

Format (JSON on the grant, and in terminal snapshots as is):
    [{"days": [1, 2, 3, 4, 5], "start": "08:00", "end": "18:00"}, ...]
ISO weekdays (1 = Monday), start inclusive, end exclusive, start < end (a night shift is two
windows). No schedule (null) means any time within the grant's validity.
"""

import re
from datetime import datetime, time

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from linli.core.errors import ServiceError

_HHMM = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$|^24:00$")
MAX_WINDOWS = 14


def _bad(message) -> ServiceError:
    return ServiceError("invalid_schedule", message, fields={"schedule": message})


def _minutes(text) -> int:
    if not isinstance(text, str) or not _HHMM.match(text):
        raise _bad(_("时间格式应为 HH:MM，例如 08:00"))
    hours, minutes = text.split(":")
    return int(hours) * 60 + int(minutes)


def clean_schedule(raw) -> list[dict] | None:
    """Validates and normalises a schedule, or raises ServiceError(invalid_schedule)."""
    if raw is None or raw == []:
        return None
    if not isinstance(raw, list) or len(raw) > MAX_WINDOWS:
        raise _bad(_("时段设置不正确"))
    windows = []
    for item in raw:
        if not isinstance(item, dict):
            raise _bad(_("时段设置不正确"))
        days = item.get("days")
        if (
            not isinstance(days, list)
            or not days
            or any(not isinstance(d, int) or isinstance(d, bool) or not 1 <= d <= 7 for d in days)
        ):
            raise _bad(_("星期应为 1（周一）到 7（周日）"))
        start, end = _minutes(item.get("start")), _minutes(item.get("end"))
        if start >= end:
            raise _bad(_("结束时间应晚于开始时间"))
        windows.append({"days": sorted(set(days)), "start": item["start"], "end": item["end"]})
    return windows


def allows(schedule: list[dict] | None, at: datetime) -> bool:
    if not schedule:
        return True
    local = timezone.localtime(at)
    day = local.isoweekday()
    minute = local.hour * 60 + local.minute
    return any(
        day in window["days"] and _minutes(window["start"]) <= minute < _minutes(window["end"])
        for window in schedule
    )


def describe(schedule: list[dict] | None) -> str:
    """For screens: 周一至周五 08:00–18:00."""
    if not schedule:
        return str(_("全天"))
    names = "一二三四五六日"
    parts = []
    for window in schedule:
        days = window["days"]
        if days == list(range(days[0], days[-1] + 1)) and len(days) > 2:
            label = f"周{names[days[0] - 1]}至周{names[days[-1] - 1]}"
        else:
            label = "、".join(f"周{names[d - 1]}" for d in days)
        parts.append(f"{label} {window['start']}–{window['end']}")
    return "；".join(parts)


def day_start(day) -> datetime:
    """Aware start of a local calendar day (00:00 Asia/Shanghai by default)."""
    return timezone.make_aware(datetime.combine(day, time.min))
