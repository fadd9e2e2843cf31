"""Test support for the counter: issued bills (posted to the ledger as a billing run would), a
counter payment with its receipt, and the probe ids the outsider and narrowed-staff walks need
so that they reach the counter's operations with real objects."""

from datetime import date
from decimal import Decimal

import pytest

from linli.billing.choices import Account, FeeKind
from linli.billing.models import Bill, FeeItem, FeeStandard, Receipt
from linli.billing.services import ledger
from linli.billing.services.counter import do_take_counter_payment


def fee_item(community, name: str = "物业费", kind: str = FeeKind.PROPERTY) -> tuple[FeeItem, FeeStandard]:
    item, _ = FeeItem.objects.get_or_create(community=community, name=name, defaults={"kind": kind})
    standard, _ = FeeStandard.objects.get_or_create(
        fee_item=item,
        version=1,
        defaults={
            "community": community,
            "effective_from": date(2020, 1, 1),
            "unit_price_fen": Decimal("250"),
        },
    )
    return item, standard


def issue_bill(house, amount_fen: int, month: date, *, name: str = "物业费", payer=None) -> Bill:
    """One monthly bill of `house` for the month starting `month`, posted like a run posts it."""
    item, standard = fee_item(house.community, name)
    end = date(month.year + month.month // 12, month.month % 12 + 1, 1)
    bill = Bill.objects.create(
        community_id=house.community_id,
        building_id=house.building_id,
        house=house,
        payer=payer,
        fee_item=item,
        standard=standard,
        period_start=month,
        period_end=date.fromordinal(end.toordinal() - 1),
        quantity=Decimal("1"),
        amount_fen=amount_fen,
        due_on=month,
    )
    ledger.post(
        community_id=house.community_id,
        kind="bill_issued",
        bill=bill,
        legs=[
            ledger.debit(Account.RECEIVABLE, amount_fen, bill_id=bill.pk),
            ledger.credit(Account.REVENUE, amount_fen, sub=item.kind),
        ],
    )
    return bill


def void_bill(bill: Bill) -> None:
    """Void an unpaid bill and post its reversal, as the void service does."""
    Bill.objects.filter(pk=bill.pk).update(status="void")
    ledger.post(
        community_id=bill.community_id,
        kind="void",
        bill=bill,
        legs=[
            ledger.debit(Account.REVENUE, bill.amount_fen, sub=bill.fee_item.kind),
            ledger.credit(Account.RECEIVABLE, bill.amount_fen, bill_id=bill.pk),
        ],
    )


@pytest.fixture(autouse=True)
def ledger_proved(db):
    """Imported into a test module, proves the ledger after each of its tests (every test that
    posts must leave it balanced, each bill and each prepaid balance in step)."""
    yield
    report = ledger.verify()
    assert report.ok, report.problems


def paid_receipt(actor, house, fen: int = 10000, key: str = "probe-receipt-1") -> Receipt:
    bill = issue_bill(house, fen, date(2026, 1, 1))
    result = do_take_counter_payment(
        actor=actor, house=house, channel="cash", amount_fen=fen, idempotency_key=key, bill_ids=[bill.pk]
    )
    return result.payment.receipt


def outsider_probe_ids(world) -> dict:
    """A receipt of community A (world.house), for linli/core/tests/test_outsider_everywhere.py."""
    return {"receipt_id": paid_receipt(world.front_desk, world.house).pk, "verify_code": "x"}


def narrowed_probe_ids(world, narrowed) -> dict:
    """A receipt of 2号楼, for linli/core/tests/test_narrowed_staff_everywhere.py. The public
    verification page takes a code, not an id: a wrong one (it shows a receipt to anyone who
    holds the right one, by design)."""
    receipt = paid_receipt(world.front_desk, narrowed.other_house, key="probe-receipt-2")
    return {"receipt_id": receipt.pk, "verify_code": "x"}
