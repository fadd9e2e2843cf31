"""Shapes the billing API shares across its areas."""

from datetime import date

from ninja import Schema


class BillOut(Schema):
    id: int
    fee_item: str
    period_start: date
    period_end: date
    due_on: date
    amount_fen: int
    paid_fen: int
    owed_fen: int
    status: str
    lines: list  # the computation a resident can check (area × price × months, tiers)


def bill_out(bill) -> dict:
    return {
        "id": bill.pk,
        "fee_item": bill.fee_item.name,
        "period_start": bill.period_start,
        "period_end": bill.period_end,
        "due_on": bill.due_on,
        "amount_fen": bill.amount_fen,
        "paid_fen": bill.paid_fen,
        "owed_fen": bill.owed_fen,
        "status": bill.status,
        "lines": bill.lines,
    }
