"""Statements and reports built from the aggregated reads of `billing.queries`, and their .xlsx.

Money in a spreadsheet is a Decimal of 元 (fen / 100, exact), formatted 0.00: a sum in Excel
then matches the page to the fen. Rates are computed here from integer sums, never stored.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.utils.translation import gettext as _

from linli.billing import queries
from linli.billing.choices import BillStatus, Channel
from linli.billing.models import Bill, Payment
from linli.core.errors import ServiceError
from linli.core.http import get_or_404
from linli.registry.io.sheets import xlsx_bytes
from linli.registry.models import House


def yuan_decimal(fen: int | None) -> Decimal:
    return (Decimal(fen or 0) / 100).quantize(Decimal("0.01"))


def rate(paid: int, due: int) -> Decimal | None:
    """Collected share in percent, one decimal; None when nothing was due."""
    if not due:
        return None
    return (Decimal(paid) * 100 / Decimal(due)).quantize(Decimal("0.1"))


# --- household statement ------------------------------------------------------------------------


@dataclass
class Statement:
    house: House
    start: date
    end: date
    bills: list[Bill]
    payments: list[Payment]
    owed_now_fen: int
    prepaid_fen: int

    @property
    def billed_fen(self) -> int:
        return sum(b.amount_fen - b.discount_fen + b.late_fee_fen for b in self.bills if b.status != "void")

    @property
    def paid_fen(self) -> int:
        return sum(p.amount_fen for p in self.payments)


MAX_STATEMENT_DAYS = 3 * 366


def build_statement(user, house_id: int, start: date, end: date) -> Statement:
    """A house's statement over a period, for staff in scope or someone living there (404 else)."""
    if start > end or (end - start).days > MAX_STATEMENT_DAYS:
        raise ServiceError(
            "invalid_period", _("起止日期不正确（开始不晚于结束，最长三年）"), fields={"start": str(start)}
        )
    house = get_or_404(queries.billing_houses(user), pk=house_id)
    bills = queries.bills(user)
    return Statement(
        house=house,
        start=start,
        end=end,
        bills=queries.statement_bills(bills, house_id, start, end),
        payments=queries.statement_payments(queries.payments(user), house_id, start, end),
        owed_now_fen=queries.owed_now(bills, house_id),
        prepaid_fen=queries.prepaid_fen(user, house_id),
    )


def statement_xlsx(statement: Statement) -> bytes:
    header = [_("类型"), _("日期/期间"), _("项目"), _("应缴(元)"), _("实缴(元)"), _("状态/方式"), _("收据")]
    rows: list[list] = []
    for b in statement.bills:
        rows.append(
            [
                _("账单"),
                f"{b.period_start:%Y-%m-%d}~{b.period_end:%Y-%m-%d}",
                b.fee_item.name,
                yuan_decimal(b.amount_fen - b.discount_fen + b.late_fee_fen),
                yuan_decimal(b.paid_fen),
                str(BillStatus(b.status).label),
                "",
            ]
        )
    for p in statement.payments:
        receipt = getattr(p, "receipt", None)
        rows.append(
            [
                _("缴费"),
                p.paid_at.date() if p.paid_at else "",
                _("预存") if p.purpose == "prepay" else _("缴费"),
                "",
                yuan_decimal(p.amount_fen),
                str(Channel(p.channel).label),
                receipt.number if receipt else "",
            ]
        )
    rows.append([])
    rows.append([_("本期应缴"), "", "", yuan_decimal(statement.billed_fen), "", "", ""])
    rows.append([_("本期实缴"), "", "", "", yuan_decimal(statement.paid_fen), "", ""])
    rows.append([_("当前欠费"), "", "", yuan_decimal(statement.owed_now_fen), "", "", ""])
    rows.append([_("预存余额"), "", "", "", yuan_decimal(statement.prepaid_fen), "", ""])
    return xlsx_bytes(_("对账单"), header, rows)


# --- arrears ------------------------------------------------------------------------------------


def arrears_xlsx(rows: list[dict], mask) -> bytes:
    header = [_("楼栋"), _("单元"), _("房号"), _("缴费人"), _("欠费(元)"), _("欠费账单数"), _("最早欠费期间")]
    return xlsx_bytes(
        _("欠费明细"),
        header,
        (
            [
                r["house__building__name"],
                r["house__unit__name"],
                r["house__number"],
                mask(r["payer"]),
                yuan_decimal(r["owed"]),
                r["count"],
                r["oldest"],
            ]
            for r in rows
        ),
    )


# --- collection rate ----------------------------------------------------------------------------


@dataclass
class Collection:
    """Billed and collected per building and month, with the totals both ways."""

    months: list[date]
    buildings: list[tuple[int, str]]
    cells: dict[tuple[int, date], tuple[int, int]]  # (building, month) -> (due, paid)
    by_month: dict[date, tuple[int, int]] = field(default_factory=dict)
    by_building: dict[int, tuple[int, int]] = field(default_factory=dict)
    total: tuple[int, int] = (0, 0)


def collection(rows: list[dict]) -> Collection:
    cells: dict[tuple[int, date], tuple[int, int]] = {}
    months: set[date] = set()
    buildings: dict[int, str] = {}
    by_month: dict[date, list[int]] = defaultdict(lambda: [0, 0])
    by_building: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    total = [0, 0]
    for r in rows:
        month, building = r["period_start"].replace(day=1), r["building_id"]
        due, paid = r["due"] or 0, r["paid"] or 0
        before = cells.get((building, month), (0, 0))
        cells[(building, month)] = (before[0] + due, before[1] + paid)
        months.add(month)
        buildings[building] = r["building__name"] or ""
        for acc in (by_month[month], by_building[building], total):
            acc[0] += due
            acc[1] += paid
    return Collection(
        months=sorted(months),
        buildings=sorted(buildings.items(), key=lambda b: (len(b[1]), b[1])),
        cells=cells,
        by_month={m: (v[0], v[1]) for m, v in by_month.items()},
        by_building={b: (v[0], v[1]) for b, v in by_building.items()},
        total=(total[0], total[1]),
    )


def collection_xlsx(report: Collection) -> bytes:
    header = [_("楼栋"), _("月份"), _("应收(元)"), _("实收(元)"), _("收缴率(%)")]
    rows: list[list] = []
    for building, name in report.buildings:
        for month in report.months:
            if (building, month) in report.cells:
                due, paid = report.cells[(building, month)]
                rows.append([name, f"{month:%Y-%m}", yuan_decimal(due), yuan_decimal(paid), rate(paid, due)])
    for month in report.months:
        due, paid = report.by_month[month]
        rows.append([_("全小区"), f"{month:%Y-%m}", yuan_decimal(due), yuan_decimal(paid), rate(paid, due)])
    due, paid = report.total
    rows.append([_("全小区"), _("合计"), yuan_decimal(due), yuan_decimal(paid), rate(paid, due)])
    return xlsx_bytes(_("收缴率"), header, rows)
