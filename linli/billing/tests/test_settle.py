"""The one path that marks a payment paid: applied and posted once, whoever reports it."""

import threading
from datetime import date
from decimal import Decimal

import pytest
from django.db import connection

from linli.billing.choices import Account, BillStatus, Channel, FeeKind, PaymentStatus
from linli.billing.models import Bill, FeeItem, FeeStandard, HouseAccount, Payment, PaymentAllocation
from linli.billing.services import ledger
from linli.billing.services.settle import new_trade_no, settle
from linli.testing import factories as f


@pytest.fixture
def bill(db):
    c = f.community()
    h = f.house(f.unit(f.building(c)))
    item = FeeItem.objects.create(community=c, name="物业费", kind=FeeKind.PROPERTY)
    std = FeeStandard.objects.create(
        fee_item=item, community=c, version=1, effective_from=date(2026, 1, 1), unit_price_fen=Decimal("250")
    )
    b = Bill.objects.create(
        community=c,
        building=h.building,
        house=h,
        fee_item=item,
        standard=std,
        period_start=date(2026, 12, 1),
        period_end=date(2026, 12, 31),
        quantity=Decimal("89.5"),
        amount_fen=22375,
        due_on=date(2026, 12, 31),
    )
    ledger.post(
        community_id=c.pk,
        kind="bill_issued",
        legs=[ledger.debit(Account.RECEIVABLE, 22375, bill_id=b.pk), ledger.credit(Account.REVENUE, 22375)],
    )
    return b


def order(bill, fen, channel=Channel.SANDBOX):
    p = Payment.objects.create(
        community_id=bill.community_id,
        house=bill.house,
        channel=channel,
        amount_fen=fen,
        out_trade_no=new_trade_no(),
    )
    PaymentAllocation.objects.create(payment=p, bill=bill, amount_fen=fen)
    return p


def test_it_marks_the_bill_paid_once_however_often_it_is_told(bill):
    p = order(bill, 22375)
    first = settle(p.pk, provider_txn_id="4200001")
    again = settle(p.pk, provider_txn_id="4200001")
    assert first.newly_paid and not again.newly_paid
    bill.refresh_from_db()
    assert (bill.status, bill.paid_fen) == (BillStatus.PAID, 22375)
    assert Payment.objects.get(pk=p.pk).status == PaymentStatus.PAID
    assert ledger.verify().ok, ledger.verify().problems


def test_money_for_a_bill_paid_meanwhile_goes_to_the_prepayment(bill):
    online, counter = order(bill, 22375), order(bill, 22375, Channel.CASH)
    settle(counter.pk)
    outcome = settle(online.pk)
    assert outcome.to_prepayment_fen == 22375
    assert HouseAccount.objects.get(house=bill.house).prepaid_fen == 22375
    assert Bill.objects.get(pk=bill.pk).paid_fen == 22375
    report = ledger.verify()
    assert report.ok, report.problems


def test_a_partial_payment_leaves_the_bill_partly_paid(bill):
    settle(order(bill, 10000).pk)
    bill.refresh_from_db()
    assert (bill.status, bill.owed_fen) == (BillStatus.PARTLY_PAID, 12375)
    assert ledger.verify().ok


def test_verify_finds_a_bill_changed_behind_the_ledger(bill):
    Bill.objects.filter(pk=bill.pk).update(paid_fen=100)
    assert not ledger.verify().ok


@pytest.mark.django_db(transaction=True)
def test_concurrent_reports_settle_once(bill):
    p = order(bill, 22375)
    results = []

    def report():
        results.append(settle(p.pk).newly_paid)
        connection.close()

    threads = [threading.Thread(target=report) for _ in range(5)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    assert sorted(results) == [False, False, False, False, True]
    assert ledger.verify().ok
