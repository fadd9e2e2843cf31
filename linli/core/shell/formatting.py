"""How numbers and times read on screen (ux.md): ¥1,234.50, 11月21日 周六 14:30, 89.50 ㎡."""

from datetime import date, datetime
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

WEEKDAYS = (
    gettext_lazy("周一"),
    gettext_lazy("周二"),
    gettext_lazy("周三"),
    gettext_lazy("周四"),
    gettext_lazy("周五"),
    gettext_lazy("周六"),
    gettext_lazy("周日"),
)
# Month names rather than numbers, so that English reads "Sat, Nov 21" and not an ambiguous 11/21.
MONTHS = (
    gettext_lazy("1月"),
    gettext_lazy("2月"),
    gettext_lazy("3月"),
    gettext_lazy("4月"),
    gettext_lazy("5月"),
    gettext_lazy("6月"),
    gettext_lazy("7月"),
    gettext_lazy("8月"),
    gettext_lazy("9月"),
    gettext_lazy("10月"),
    gettext_lazy("11月"),
    gettext_lazy("12月"),
)


def day_label(value: date | datetime | None, *, with_year: bool = False) -> str:
    """11月21日 周六 (the year only when asked, or when it is not this year)."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = timezone.localtime(value).date()
    parts = {"month": MONTHS[value.month - 1], "day": value.day, "weekday": WEEKDAYS[value.weekday()]}
    if with_year or value.year != timezone.localdate().year:
        return _("%(year)s年%(month)s%(day)s日 %(weekday)s") % {**parts, "year": value.year}
    return _("%(month)s%(day)s日 %(weekday)s") % parts


def moment_label(value: datetime | None) -> str:
    """11月21日 周六 14:30, in the community's time zone (Asia/Shanghai)."""
    if value is None:
        return ""
    local = timezone.localtime(value)
    return f"{day_label(local)} {local:%H:%M}"


def yuan(fen: int | None) -> str:
    """Integer fen to ¥1,234.50 (on pages, receipts, messages); money is never a float."""
    if fen is None:
        return ""
    sign = "-" if fen < 0 else ""
    whole, cents = divmod(abs(int(fen)), 100)
    return f"{sign}¥{whole:,}.{cents:02d}"


def yuan_to_type(fen: int) -> str:
    """Integer fen to 1234.50: what an amount field is filled with, as a person would type it."""
    return yuan(fen).replace("¥", "").replace(",", "")


def area(value: Decimal | None) -> str:
    return "" if value is None else f"{value:.2f} ㎡"
