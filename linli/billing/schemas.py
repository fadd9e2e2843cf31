"""Shapes the billing API shares across its areas."""

from datetime import date
from typing import Annotated, Any

from ninja import Schema
from pydantic import WithJsonSchema

from linli.billing.services import amounts


def Fen(*, allow_zero: bool = False) -> Any:
    """An amount of money in fen from a client: a JSON integer or a string of digits. Passed on
    as sent: the service reads it with `amounts.fen`, so 12.5, -1, true or "abc" get
    `invalid_amount` and the message a page shows for the same mistake, not a generic 422."""
    published = {
        "anyOf": [
            {"type": "integer", "minimum": 0 if allow_zero else 1, "maximum": amounts.MAX_FEN},
            {
                "type": "string",
                "pattern": f"^[0-9]{{1,{amounts.FEN_DIGITS}}}$",
                "maxLength": amounts.FEN_DIGITS,
            },
        ]
    }
    return Annotated[Any, WithJsonSchema(published)]


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
