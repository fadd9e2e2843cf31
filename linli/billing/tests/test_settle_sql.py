"""settle()'s hand-written statements mean what the ORM's words for them mean: DUE_SQL is DUE,
adding to a bill stops at what it owes and skips a void one, claiming a payment happens once
and returns the row as a queryset would."""

import random

import pytest
from django.db import connection

from linli.billing.choices import BillStatus, Channel, PaymentStatus
from linli.billing.models import DUE, DUE_SQL, Bill, Payment
from linli.billing.services.settle import add_to_bill, new_trade_no, settle
from linli.core import rawsql
from linli.testing import factories as f
from linli.testing.billing_pay import make_bill


@pytest.fixture
def house(db):
    return f.house(f.unit(f.building(f.community())))


@pytest.mark.django_db
def test_due_sql_is_due(house):
    seed = random.randrange(10**6)  # a new one each run, in the failure message to replay
    rng = random.Random(seed)
    for month in range(1, 13):
        bill = make_bill(house, rng.randrange(1, 10**6), month=month)
        Bill.objects.filter(pk=bill.pk).update(
            discount_fen=rng.randrange(0, bill.amount_fen + 1), late_fee_fen=rng.randrange(0, 5000)
        )
    by_orm = dict(Bill.objects.annotate(due=DUE).values_list("pk", "due"))
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id, {DUE_SQL} FROM {rawsql.table(Bill)}")
        assert dict(cursor.fetchall()) == by_orm, seed


# (amount, discount, late fee, paid before, status before, fen added) → (added?, paid after, status after)
CASES = [
    ((10000, 0, 0, 0, BillStatus.UNPAID, 10000), (True, 10000, BillStatus.PAID)),
    ((10000, 0, 0, 0, BillStatus.UNPAID, 4000), (True, 4000, BillStatus.PARTLY_PAID)),
    ((10000, 0, 0, 6000, BillStatus.PARTLY_PAID, 4000), (True, 10000, BillStatus.PAID)),
    ((10000, 0, 0, 6000, BillStatus.PARTLY_PAID, 4001), (False, 6000, BillStatus.PARTLY_PAID)),
    ((10000, 2000, 0, 0, BillStatus.UNPAID, 8000), (True, 8000, BillStatus.PAID)),
    ((10000, 2000, 0, 0, BillStatus.UNPAID, 8001), (False, 0, BillStatus.UNPAID)),
    ((10000, 0, 500, 0, BillStatus.UNPAID, 10000), (True, 10000, BillStatus.PARTLY_PAID)),
    ((10000, 0, 500, 0, BillStatus.UNPAID, 10500), (True, 10500, BillStatus.PAID)),
    ((10000, 0, 0, 0, BillStatus.VOID, 1), (False, 0, BillStatus.VOID)),
    ((10000, 0, 0, 10000, BillStatus.PAID, 1), (False, 10000, BillStatus.PAID)),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("before", "after"), CASES)
def test_adding_to_a_bill(house, before, after):
    amount, discount, late_fee, paid, status, fen = before
    bill = make_bill(house, amount)
    Bill.objects.filter(pk=bill.pk).update(
        discount_fen=discount, late_fee_fen=late_fee, paid_fen=paid, status=status
    )
    version = Bill.objects.get(pk=bill.pk).version
    assert add_to_bill(bill.pk, fen) == after[0]
    bill.refresh_from_db()
    assert (bill.paid_fen, bill.status) == after[1:]
    assert (bill.paid_at is not None) == after[0]
    assert bill.version == version + after[0]


@pytest.mark.django_db
def test_a_claimed_payment_is_the_row_a_queryset_reads(house):
    bill = make_bill(house, 12345)
    payment = Payment.objects.create(
        community_id=house.community_id,
        house=house,
        channel=Channel.SANDBOX,
        amount_fen=12345,
        out_trade_no=new_trade_no(),
    )
    payment.allocations.create(bill=bill, amount_fen=12345)
    version = payment.version
    first = settle(payment.pk, provider_txn_id="TX1")
    assert first.newly_paid
    stored = Payment.objects.get(pk=payment.pk)
    fields = [field.attname for field in Payment._meta.concrete_fields]
    assert [getattr(first.payment, name) for name in fields] == [getattr(stored, name) for name in fields]
    assert (stored.status, stored.provider_txn_id, stored.version) == (PaymentStatus.PAID, "TX1", version + 1)
    again = settle(payment.pk, provider_txn_id="TX2")
    assert not again.newly_paid
    assert Payment.objects.get(pk=payment.pk).provider_txn_id == "TX1"
