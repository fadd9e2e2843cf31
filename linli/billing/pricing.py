"""What a bill comes to: pure functions over dates, quantities and prices, no database.

Rules (docs/billing.md repeats them for staff; each bill's `lines` show them to the resident):

- **Money** is integer fen. Unit prices are Decimal fen with 4 places (250.0000 fen/㎡·month is
  2.50 元). Every intermediate amount is exact (a `Fraction`), and a bill is rounded ONCE, half
  up, to a whole fen: rounding per line or per month would make the months of a quarter differ
  from the quarter by a fen.
- **Months and part months.** A period is cut at calendar months; each month counts as the share
  of its days that are billed: a move-in on 17 March bills March as 15/31 of a month (17th to
  31st inclusive, 15 days of 31), a whole month counts 1. Quarterly and yearly cycles are the sum
  of their months, so a part month inside a quarter is pro-rated the same way.
- **Tiers** (阶梯价) apply to the period's usage: `[[up_to, price], …, [None, price]]`, each
  `up_to` the cumulative quantity where the tier ends; the last tier is open.
- **A meter change** counts the old meter from the previous reading to its final value, plus the
  new meter from zero to its reading.
- **Shared area** (公摊): a total is split by area with the largest-remainder method, so the
  parts are whole fen and add up exactly to the total.
- **Temporary parking**: a stay within the free minutes costs nothing; a longer one is charged
  from entry, per started period; the periods are counted on the calendar day (local time) on
  which they start, and each day's charge is capped at the daily cap; a stay over several days
  is the sum of its days.
- **Who pays, day by day** (`payer_segments`): on each day the owner is the first owning
  occupancy that covers it, and the payer is the first lease covering it whose tenant pays the
  fees, or else the owner. A day nobody owns has no payer, lease or not. The period is cut where
  the payer changes, so a sale on the 15th makes two stretches: the seller's 1st–14th and the
  buyer's 15th to the end.
"""

import calendar
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from itertools import pairwise

from django.utils import timezone

FOUR_PLACES = Decimal("0.0001")


def round_fen(amount: Fraction | Decimal | int) -> int:
    """Half up to a whole fen: 0.5 fen is 1 fen (amounts are never negative)."""
    value = Fraction(amount)
    whole, rest = divmod(value.numerator, value.denominator)
    return whole + (1 if 2 * rest >= value.denominator else 0)


def show(amount: Fraction | Decimal) -> str:
    """An exact amount as a resident reads it in the lines: 4 decimal places."""
    value = Fraction(amount)
    return str((Decimal(value.numerator) / Decimal(value.denominator)).quantize(FOUR_PLACES, ROUND_HALF_UP))


def fraction_text(value: Fraction) -> str:
    return str(value.numerator) if value.denominator == 1 else f"{value.numerator}/{value.denominator}"


@dataclass(frozen=True)
class MonthPart:
    """The billed days of one calendar month: `first` to `last`, inclusive."""

    first: date
    last: date

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    @property
    def days_in_month(self) -> int:
        return calendar.monthrange(self.first.year, self.first.month)[1]

    @property
    def share(self) -> Fraction:
        return Fraction(self.days, self.days_in_month)


def month_parts(start: date, end: date) -> list[MonthPart]:
    """[start, end] (inclusive) cut at calendar months."""
    parts = []
    day = start
    while day <= end:
        month_end = day.replace(day=calendar.monthrange(day.year, day.month)[1])
        parts.append(MonthPart(day, min(month_end, end)))
        day = month_end + timedelta(days=1)
    return parts


def cycle_end(start: date, months: int) -> date:
    """The last day of a cycle of `months` whole months starting on the 1st of `start`'s month."""
    index = start.year * 12 + start.month - 1 + months - 1
    year, month = divmod(index, 12)
    return date(year, month + 1, calendar.monthrange(year, month + 1)[1])


@dataclass(frozen=True)
class Span:
    """The days one person holds a house, as owner or as a tenant who pays the fees: `first` to
    `last` inclusive, `last` None while it lasts."""

    person_id: int
    first: date
    last: date | None = None

    def covers(self, day: date) -> bool:
        return self.first <= day and (self.last is None or day <= self.last)


@dataclass(frozen=True)
class Segment:
    """Consecutive days with one payer, `first` to `last` inclusive; `payer_id` None: nobody
    owned the house on them."""

    payer_id: int | None
    first: date
    last: date


def payer_segments(
    start: date, end: date, owners: Sequence[Span], tenants: Sequence[Span] = ()
) -> list[Segment]:
    """[start, end] cut where who pays changes (the rule is in the module docstring); `owners` and
    `tenants` come in occupancy order, the first that covers a day decides it."""
    after = end + timedelta(days=1)
    cuts = {start, after}
    for span in (*owners, *tenants):
        cuts.add(span.first)
        if span.last is not None:
            cuts.add(span.last + timedelta(days=1))
    segments: list[Segment] = []
    # Between two cuts nobody's span begins or ends, so the stretch's first day decides it all.
    for first, next_cut in pairwise(sorted(cut for cut in cuts if start <= cut <= after)):
        owner = next((span for span in owners if span.covers(first)), None)
        tenant = next((span for span in tenants if span.covers(first)), None)
        payer = None if owner is None else (tenant or owner).person_id
        last = next_cut - timedelta(days=1)
        if segments and segments[-1].payer_id == payer:
            segments[-1] = Segment(payer, segments[-1].first, last)
        else:
            segments.append(Segment(payer, first, last))
    return segments


@dataclass(frozen=True)
class Priced:
    """A computed charge: the amount in fen (rounded once) and the lines that show how."""

    amount_fen: int
    quantity: Decimal
    lines: list[dict]


def _total(lines: list[dict], exact: Fraction, quantity: Decimal) -> Priced:
    amount = round_fen(exact)
    lines.append({"label": "合计（四舍五入到分）", "exact_fen": show(exact), "amount_fen": amount})
    return Priced(amount, quantity, lines)


def per_month(
    *, start: date, end: date, price_fen: Decimal, quantity: Decimal = Decimal(1), unit: str = ""
) -> Priced:
    """quantity × price × months over [start, end], part months pro-rated by days: the property
    fee (quantity = area in ㎡) and monthly passes (quantity 1)."""
    lines, exact = [], Fraction(0)
    for part in month_parts(start, end):
        amount = Fraction(quantity) * Fraction(price_fen) * part.share
        exact += amount
        lines.append(
            {
                "label": f"{part.first:%Y-%m}（{part.first.day}日至{part.last.day}日）",
                "quantity": str(quantity),
                "unit": unit,
                "price_fen": str(price_fen),
                "months": fraction_text(part.share),
                "exact_fen": show(amount),
            }
        )
    return _total(lines, exact, quantity)


def tiered(*, usage: Decimal, tiers: Sequence[Sequence], price_fen: Decimal, unit: str = "") -> Priced:
    """Metered usage at tiered prices for one period (one flat tier when `tiers` is empty)."""
    bands = [(None if up_to is None else Decimal(str(up_to)), Decimal(str(p))) for up_to, p in tiers] or [
        (None, price_fen)
    ]
    lines, exact, floor = [], Fraction(0), Decimal(0)
    for up_to, price in bands:
        top = usage if up_to is None else min(usage, up_to)
        if top <= floor:
            break
        amount = Fraction(top - floor) * Fraction(price)
        exact += amount
        lines.append(
            {
                "label": f"{floor}–{'' if up_to is None else up_to}{unit}",
                "quantity": str(top - floor),
                "unit": unit,
                "price_fen": str(price),
                "exact_fen": show(amount),
            }
        )
        floor = top
    return _total(lines, exact, usage)


def fixed(*, price_fen: Decimal, label: str) -> Priced:
    """One-off charges and deposits: the standard's amount, once."""
    return _total(
        [{"label": label, "price_fen": str(price_fen), "exact_fen": show(price_fen)}],
        Fraction(price_fen),
        Decimal(1),
    )


@dataclass(frozen=True)
class Reading:
    value: Decimal
    meter_replaced: bool = False
    old_meter_final: Decimal | None = None


def usage(previous: Decimal, current: Reading) -> Decimal:
    """What was used since `previous`: on a meter change, the old meter's last stretch (its final
    value − previous) plus the new meter's reading (it started at zero)."""
    if current.meter_replaced:
        if current.old_meter_final is None:
            raise ValueError("a meter change needs the old meter's final value")
        return (current.old_meter_final - previous) + current.value
    return current.value - previous


def usage_over(readings: Sequence[Reading]) -> Decimal:
    """Usage along a chain of readings, oldest first (the first is the period's starting point)."""
    return sum((usage(prev.value, cur) for prev, cur in pairwise(readings)), Decimal(0))


def allocate(total_fen: int, weights: Mapping[Hashable, Decimal]) -> dict:
    """Split `total_fen` in proportion to `weights` (areas) into whole fen that add up to the
    total exactly: everyone gets the floor of their exact share, and the fen left over go one
    each to the largest remainders (ties: in the order the weights are given)."""
    whole = sum(weights.values(), Decimal(0))
    if whole <= 0:
        raise ValueError("nothing to allocate over")
    exact = {key: Fraction(total_fen) * Fraction(w) / Fraction(whole) for key, w in weights.items()}
    parts = {key: int(share) for key, share in exact.items()}  # floor (shares are ≥ 0)
    left = total_fen - sum(parts.values())
    order = sorted(exact, key=lambda key: exact[key] - parts[key], reverse=True)  # stable for ties
    for key in order[:left]:
        parts[key] += 1
    return parts


def parking_fee_under(standard, entered_at: datetime, exited_at: datetime) -> Priced:
    """`parking_fee` under a temporary parking standard (its free minutes, period, price, cap)."""
    return parking_fee(
        entered_at=entered_at,
        exited_at=exited_at,
        free_minutes=standard.free_minutes,
        period_minutes=standard.period_minutes,
        price_fen=standard.unit_price_fen,
        daily_cap_fen=standard.daily_cap_fen,
    )


def parking_fee(
    *,
    entered_at: datetime,
    exited_at: datetime,
    free_minutes: int,
    period_minutes: int,
    price_fen: Decimal,
    daily_cap_fen: int | None,
) -> Priced:
    """A temporary parking stay (rules in the module docstring); days are local calendar days."""
    entered, exited = timezone.localtime(entered_at), timezone.localtime(exited_at)
    minutes = Fraction(int((exited - entered).total_seconds()), 60)
    if minutes <= free_minutes:
        return _total([{"label": f"停车{int(minutes)}分钟，在免费时长内"}], Fraction(0), Decimal(0))
    per_day: dict[date, int] = {}
    start, period = entered, timedelta(minutes=period_minutes)
    while start < exited:
        per_day[start.date()] = per_day.get(start.date(), 0) + 1
        start += period
    lines, exact = [], Fraction(0)
    for day, periods in per_day.items():
        amount = periods * Fraction(price_fen)
        capped = daily_cap_fen is not None and amount > daily_cap_fen
        if capped:
            amount = Fraction(daily_cap_fen or 0)
        exact += amount
        lines.append(
            {
                "label": f"{day:%Y-%m-%d}",
                "quantity": str(periods),
                "unit": f"×{period_minutes}分钟",
                "price_fen": str(price_fen),
                "capped": capped,
                "exact_fen": show(amount),
            }
        )
    return _total(lines, exact, Decimal(sum(per_day.values())))
