"""Prepayment (预存) spent on a house's open bills: oldest due date first, then oldest bill."""

import threading
from datetime import date

import pytest
from django.db import connection

from linli.billing.choices import BillStatus, Channel, FeeKind
from linli.billing.models import Bill, HouseAccount, LedgerTransaction
from linli.billing.periodic import apply_prepayments
from linli.billing.services import ledger
from linli.billing.services.prepayment import apply_prepayment, apply_prepayment_to_houses
from linli.testing import billing_money as m


def balance(house) -> int:
    return HouseAccount.objects.get(house=house).prepaid_fen


def assert_ledger_ok():
    report = ledger.verify()
    assert report.ok, report.problems


# (bills as (due date, amount, fen already paid), prepaid fen) → fen each bill holds after, balance left.
# Bills are created in list order, so a later row has a larger id.
ORDER_CASES = [
    # oldest due first, whatever the creation order
    ([(date(2026, 3, 31), 5000, 0), (date(2026, 1, 31), 5000, 0)], 7000, [2000, 5000], 0),
    # the same due date: the older bill (lower id) first
    ([(date(2026, 2, 28), 3000, 0), (date(2026, 2, 28), 3000, 0)], 4000, [3000, 1000], 0),
    # more than is owed: the rest stays prepaid
    ([(date(2026, 1, 31), 3000, 0)], 5000, [3000], 2000),
    # a partly paid bill takes only what it still owes
    ([(date(2026, 1, 31), 5000, 4000), (date(2026, 2, 28), 5000, 0)], 3000, [5000, 2000], 0),
    # not enough for the first: all of it goes there, none to the later one
    ([(date(2026, 1, 31), 8000, 0), (date(2026, 2, 28), 1000, 0)], 5000, [5000, 0], 0),
]


@pytest.mark.parametrize(("bills", "prepaid", "paid_after", "left"), ORDER_CASES)
def test_it_pays_oldest_due_first(world, bills, prepaid, paid_after, left):
    item = m.fee_item(world.a)
    created = []
    for n, (due_on, amount, paid) in enumerate(bills, start=1):
        b = m.bill(world.house, item, amount, due_on=due_on, period_start=date(2025, n, 1))
        if paid:
            m.pay(b, paid)
        created.append(b)
    m.prepay(world.house, prepaid)
    apply_prepayment(world.house.pk)
    assert [Bill.objects.get(pk=b.pk).paid_fen for b in created] == paid_after
    assert balance(world.house) == left
    for b, paid in zip(created, paid_after, strict=True):
        status = Bill.objects.get(pk=b.pk).status
        assert status == (
            BillStatus.PAID if paid == b.amount_fen else BillStatus.PARTLY_PAID if paid else BillStatus.UNPAID
        )
    assert_ledger_ok()


def test_deposits_and_other_houses_are_left_alone(world):
    deposit = m.bill(world.house, m.fee_item(world.a, FeeKind.DEPOSIT, "装修押金"), 300000)
    neighbours = m.bill(world.neighbour_house, m.fee_item(world.a), 5000)
    m.prepay(world.house, 10000)
    assert apply_prepayment(world.house.pk) == 0
    assert Bill.objects.get(pk=deposit.pk).paid_fen == 0
    assert Bill.objects.get(pk=neighbours.pk).paid_fen == 0
    assert balance(world.house) == 10000
    assert_ledger_ok()


def test_the_periodic_job_settles_after_a_prepay_and_the_run_hook_for_billed_houses(world):
    item = m.fee_item(world.a)
    first = m.bill(world.house, item, 4000)
    m.prepay(world.house, 10000)
    apply_prepayments(None)
    assert Bill.objects.get(pk=first.pk).status == BillStatus.PAID
    second = m.bill(world.house, item, 4000, due_on=date(2027, 1, 31))
    assert apply_prepayment_to_houses([world.house.pk, world.neighbour_house.pk]) == {world.house.pk: 4000}
    assert Bill.objects.get(pk=second.pk).status == BillStatus.PAID
    assert balance(world.house) == 2000
    kinds = list(LedgerTransaction.objects.filter(kind="prepay_applied").values_list("bill_id", flat=True))
    assert kinds == [first.pk, second.pk]
    assert_ledger_ok()


def test_an_applied_prepayment_is_posted_prepayment_to_receivable(world):
    b = m.bill(world.house, m.fee_item(world.a), 2500)
    m.prepay(world.house, 2500, Channel.CASH)
    apply_prepayment(world.house.pk)
    txn = LedgerTransaction.objects.get(kind="prepay_applied")
    legs = sorted(txn.entries.values_list("account", "debit_fen", "credit_fen", "bill_id", "house_id"))
    assert legs == [("prepayment", 2500, 0, None, world.house.pk), ("receivable", 0, 2500, b.pk, None)]
    assert_ledger_ok()


@pytest.mark.django_db(transaction=True)
def test_two_applies_at_once_never_spend_the_same_fen(world):
    item = m.fee_item(world.a)
    bills = [m.bill(world.house, item, 3000, due_on=date(2026, month, 28)) for month in (1, 2, 3)]
    m.prepay(world.house, 7000)
    results = []

    def run():
        results.append(apply_prepayment(world.house.pk))
        connection.close()

    threads = [threading.Thread(target=run) for _ in range(4)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    assert sum(results) == 7000
    assert [Bill.objects.get(pk=b.pk).paid_fen for b in bills] == [3000, 3000, 1000]
    assert balance(world.house) == 0
    assert_ledger_ok()


def test_staff_apply_through_the_api_and_residents_see_their_balance_and_ledger(world, api):
    b = m.bill(world.house, m.fee_item(world.a), 1500)
    m.prepay(world.house, 4000)
    assert api(world.owner).post(f"/billing/houses/{world.house.pk}/prepaid/apply").status_code == 403
    r = api(world.front_desk).post(f"/billing/houses/{world.house.pk}/prepaid/apply")
    assert (r.status_code, r.json()) == (200, {"applied_fen": 1500})
    mine = api(world.owner).get("/billing/me/prepaid").json()
    assert mine == [{"house_id": world.house.pk, "house": world.house.label, "prepaid_fen": 2500}]
    r = api(world.tenant).get(f"/billing/houses/{world.house.pk}/ledger")
    kinds = [(row["kind"], row["account"], row["bill_id"]) for row in r.json()["items"]]
    assert ("prepay_applied", "receivable", b.pk) in kinds
    assert ("payment", "prepayment", None) in kinds
    assert api(world.neighbour).get(f"/billing/houses/{world.house.pk}/ledger").status_code == 404
    assert api(world.neighbour).get(f"/billing/houses/{world.house.pk}/prepaid").status_code == 404
    assert_ledger_ok()
