"""Refunds: requested by staff, approved by a manager, back through the original channel; the
bill is owed again by what was refunded; never more than was paid; the ledger verifies."""

from datetime import timedelta

import pytest
from django.utils import timezone

from linli.billing.choices import Account, BillStatus, Channel, PaymentStatus, RefundStatus
from linli.billing.models import Bill, HouseAccount, LedgerEntry, Payment, PaymentAllocation, Refund
from linli.billing.services import ledger
from linli.billing.services.refunds import query_pending_refunds, refund_online
from linli.billing.services.settle import new_trade_no, settle
from linli.billing.tests.pay_support import (
    assert_ledger_ok,
    make_bill,
    merchant,
    paid_by_wechat,
    post_notification,
    wechat_notification,
    wechat_server,
)

__all__ = ["merchant", "wechat_server"]  # fixtures


def paid(bills, channel=Channel.SANDBOX, extra_fen=0):
    """A payment for `bills` (plus `extra_fen` that goes to the prepayment), settled."""
    house = bills[0].house
    p = Payment.objects.create(
        community_id=house.community_id,
        house=house,
        channel=channel,
        amount_fen=sum(b.owed_fen for b in bills) + extra_fen,
        out_trade_no=new_trade_no(),
    )
    for b in bills:
        PaymentAllocation.objects.create(payment=p, bill=b, amount_fen=b.owed_fen)
    if channel == Channel.SANDBOX:  # the sandbox's books know what it collected
        from linli.billing.services.sandbox import record_sandbox_payment

        record_sandbox_payment(p.out_trade_no, p.amount_fen)
    settle(p.pk)
    return Payment.objects.get(pk=p.pk)


def request(api, user, payment, fen, reason="多缴退还"):
    return api(user).post("/billing/refunds", {"payment": payment.pk, "amount_fen": fen, "reason": reason})


def approve(api, user, refund_id):
    return api(user).post(f"/billing/refunds/{refund_id}/approve")


@pytest.mark.parametrize(
    ("bills", "refund", "owed_after", "status_after"),
    [
        ([22375], 22375, [22375], [BillStatus.UNPAID]),  # full
        ([22375], 10000, [10000], [BillStatus.PARTLY_PAID]),  # partial
        ([10000, 5000], 7000, None, None),  # newest bill first: 5000, then 2000 of the older
    ],
)
def test_an_approved_refund_makes_the_bill_owed_again(world, api, bills, refund, owed_after, status_after):
    made = [make_bill(world.house, fen, month=10 + i) for i, fen in enumerate(bills)]
    payment = paid(made)
    r = request(api, world.front_desk, payment, refund)
    assert r.status_code == 201, r.content
    assert r.json()["status"] == "requested"
    assert Bill.objects.get(pk=made[0].pk).owed_fen == 0  # nothing moves before approval
    r = approve(api, world.staff, r.json()["id"])
    assert r.status_code == 200, r.content
    assert r.json()["status"] == "done"
    owed = [Bill.objects.get(pk=b.pk).owed_fen for b in made]
    if len(made) == 2:
        assert owed == [2000, 5000]  # the newer bill is reopened whole, then 2000 of the older
    else:
        assert owed == owed_after
        assert [Bill.objects.get(pk=b.pk).status for b in made] == status_after
    assert Payment.objects.get(pk=payment.pk).refunded_fen == refund
    legs = LedgerEntry.objects.filter(transaction__kind="refund")
    assert sum(legs.filter(account=Account.RECEIVABLE).values_list("debit_fen", flat=True)) == refund
    assert legs.get(account=Account.CLEARING).credit_fen == refund
    assert_ledger_ok()


def test_a_refund_larger_than_what_is_left_is_refused(world, api):
    payment = paid([make_bill(world.house, 22375)])
    assert request(api, world.front_desk, payment, 22376).json()["code"] == "refund_too_large"
    first = request(api, world.front_desk, payment, 20000).json()["id"]
    second = request(api, world.front_desk, payment, 5000).json()["id"]  # each fits alone
    assert approve(api, world.staff, first).json()["status"] == "done"
    r = approve(api, world.staff, second)
    assert (r.status_code, r.json()["code"]) == (400, "refund_too_large")
    assert Refund.objects.get(pk=second).status == RefundStatus.REQUESTED  # nothing half-done
    assert request(api, world.front_desk, payment, 2376).json()["code"] == "refund_too_large"
    assert request(api, world.front_desk, payment, 2375).status_code == 201
    assert_ledger_ok()


@pytest.mark.parametrize("fen", [0, -1, 1.5, "1.00", True])
def test_a_refund_amount_must_be_whole_positive_fen(world, api, fen):
    payment = paid([make_bill(world.house, 100)])
    r = request(api, world.front_desk, payment, fen)
    assert (r.status_code, r.json()["code"]) == (400, "invalid_amount")


def test_only_managers_approve_and_only_once(world, api):
    payment = paid([make_bill(world.house, 100)])
    refund_id = request(api, world.front_desk, payment, 100).json()["id"]
    assert approve(api, world.front_desk, refund_id).status_code in (403, 404)
    assert approve(api, world.outsider, refund_id).status_code == 404
    assert request(api, world.outsider, payment, 100).status_code == 404
    assert request(api, world.owner, payment, 100).status_code == 404
    assert approve(api, world.staff, refund_id).status_code == 200
    r = approve(api, world.staff, refund_id)
    assert (r.status_code, r.json()["code"]) == (409, "refund_not_requested")
    assert_ledger_ok()


def test_a_rejected_refund_moves_nothing(world, api):
    payment = paid([make_bill(world.house, 100)])
    refund_id = request(api, world.front_desk, payment, 100).json()["id"]
    assert api(world.staff).post(f"/billing/refunds/{refund_id}/reject").json()["status"] == "rejected"
    assert Payment.objects.get(pk=payment.pk).refunded_fen == 0
    assert_ledger_ok()


def test_a_cash_refund_is_handed_back_from_the_drawer(world, api):
    payment = paid([make_bill(world.house, 5000)], channel=Channel.CASH)
    refund_id = request(api, world.front_desk, payment, 5000).json()["id"]
    assert approve(api, world.staff, refund_id).json()["status"] == "done"
    assert LedgerEntry.objects.get(transaction__kind="refund", account=Account.CASH).credit_fen == 5000
    assert_ledger_ok()


def test_the_prepaid_part_of_a_payment_is_refunded_first(world, api):
    bill = make_bill(world.house, 10000)
    payment = paid([bill], extra_fen=3000)
    assert HouseAccount.objects.get(house=world.house).prepaid_fen == 3000
    approve(api, world.staff, request(api, world.front_desk, payment, 4000).json()["id"])
    assert HouseAccount.objects.get(house=world.house).prepaid_fen == 0
    assert Bill.objects.get(pk=bill.pk).owed_fen == 1000
    assert_ledger_ok()


def test_a_refund_of_a_bill_voided_since_is_an_expense_not_a_receivable(world, api):
    bill = make_bill(world.house, 10000)
    payment = paid([bill])
    Bill.objects.filter(pk=bill.pk).update(
        status=BillStatus.VOID
    )  # voided after payment: paid part stays revenue
    approve(api, world.staff, request(api, world.front_desk, payment, 10000).json()["id"])
    assert LedgerEntry.objects.get(transaction__kind="refund", account=Account.REFUND).debit_fen == 10000
    assert ledger.verify().ok


def test_a_wechat_refund_finishes_on_its_notification_once(merchant, wechat_server, world, api):
    bill = make_bill(world.house, 22375)
    payment = paid_by_wechat(api, world.owner, bill)
    refund_id = request(api, world.front_desk, payment, 375).json()["id"]
    assert approve(api, world.staff, refund_id).json()["status"] == "pending"  # WeChat: PROCESSING
    refund = Refund.objects.get(pk=refund_id)
    assert wechat_server.refunds[refund.out_refund_no]["amount"]["refund"] == 375
    notice = wechat_notification(
        payment.out_trade_no,
        375,
        event="REFUND.SUCCESS",
        extra={"out_refund_no": refund.out_refund_no, "refund_status": "SUCCESS"},
    )
    for _ in range(3):
        assert post_notification("wechat", *notice).status_code == 204
    assert Refund.objects.get(pk=refund_id).status == RefundStatus.DONE
    assert LedgerEntry.objects.filter(transaction__kind="refund").count() == 2
    assert Bill.objects.get(pk=bill.pk).owed_fen == 375
    assert_ledger_ok()


def test_a_refund_without_notification_finishes_by_query(merchant, wechat_server, world, api):
    bill = make_bill(world.house, 22375)
    payment = paid_by_wechat(api, world.owner, bill)
    refund = refund_online(payment, 22375, "退租")
    assert refund.status == RefundStatus.PENDING
    assert query_pending_refunds(timezone.now() + timedelta(minutes=2)) == 1
    assert Bill.objects.get(pk=bill.pk).status == BillStatus.UNPAID
    with pytest.raises(Exception, match="refund_too_large"):
        refund_online(Payment.objects.get(pk=payment.pk), 1, "再退")
    assert Payment.objects.get(pk=payment.pk).status == PaymentStatus.PAID
    assert_ledger_ok()
