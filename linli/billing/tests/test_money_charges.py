"""One-off charges and deposits (装修押金) issued by staff; a deposit refunded in full or less
deductions, back through the channel it was paid in."""

from datetime import timedelta

import pytest
from django.utils import timezone

from linli.billing.choices import BillStatus, Channel, FeeKind, RefundStatus
from linli.billing.models import (
    Bill,
    FeeStandard,
    LedgerEntry,
    LedgerTransaction,
    Payment,
    Refund,
    SandboxTrade,
)
from linli.billing.services import charges, ledger
from linli.billing.services.refunds import query_pending_refunds
from linli.billing.tests.pay_support import (
    merchant,
    paid_by_wechat,
    post_notification,
    wechat_notification,
    wechat_server,
)
from linli.testing import billing_money as m

__all__ = ["merchant", "wechat_server"]  # fixtures


def assert_ledger_ok():
    report = ledger.verify()
    assert report.ok, report.problems


@pytest.fixture
def deposit_item(world):
    return m.fee_item(world.a, FeeKind.DEPOSIT, "装修押金", price="300000")


def issue(api, user, house, item, **body):
    return api(user).post(f"/billing/houses/{house.pk}/charges", {"fee_item_id": item.pk, **body})


def balances() -> dict:
    rows = LedgerEntry.objects.values_list("account", "debit_fen", "credit_fen")
    out: dict = {}
    for account, d, c in rows:
        out[account] = out.get(account, 0) + d - c
    return {k: v for k, v in out.items() if v}


def test_a_deposit_is_issued_at_the_standard_amount_and_held_as_a_deposit(world, api, deposit_item):
    r = issue(api, world.front_desk, world.house, deposit_item, note="301 装修押金")
    assert r.status_code == 201, r.json()
    bill = r.json()
    assert (bill["amount_fen"], bill["kind"], bill["note"], bill["deposit_held_fen"]) == (
        300000,
        "deposit",
        "301 装修押金",
        0,
    )
    assert Bill.objects.get(pk=bill["id"]).payer == world.owner_person
    assert balances() == {"receivable": 300000, "deposits": -300000}
    assert_ledger_ok()


def test_a_charge_is_posted_as_every_bill_is_issued(world, api, deposit_item):
    """One way into the ledger (runs.write_bills): Dr receivable naming the bill and its house,
    Cr deposits by fee kind, here also naming the bill whose deposit it holds; the note is the
    memo and the issuer the actor."""
    bill = issue(api, world.front_desk, world.house, deposit_item, note="301 装修押金").json()
    txn = LedgerTransaction.objects.get(kind="bill_issued")
    assert (txn.bill_id, txn.memo, txn.actor) == (bill["id"], "301 装修押金", world.front_desk)
    legs = sorted(txn.entries.values_list("account", "debit_fen", "credit_fen", "sub", "bill_id", "house_id"))
    assert legs == [
        ("deposits", 0, 300000, "deposit", bill["id"], world.house.pk),
        ("receivable", 300000, 0, "", bill["id"], world.house.pk),
    ]
    assert_ledger_ok()


def test_a_one_off_charge_is_revenue_and_staff_may_give_the_amount(world, api):
    item = m.fee_item(world.a, FeeKind.ONE_OFF, "门禁卡补办", price="2000")
    r = issue(api, world.front_desk, world.house, item, note="补办两张", amount_fen=4000)
    assert (r.status_code, r.json()["amount_fen"]) == (201, 4000)
    assert balances() == {"receivable": 4000, "revenue": -4000}
    again = issue(api, world.front_desk, world.house, item, note="再补一张")
    assert (again.status_code, again.json()["code"]) == (409, "charge_already_issued")
    listed = api(world.staff).get(f"/billing/communities/{world.a.pk}/charges").json()
    assert [c["note"] for c in listed] == ["补办两张"]
    assert_ledger_ok()


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"note": "x", "amount_fen": -1}, "invalid_amount"),
        ({"note": "x", "amount_fen": 0.5}, "invalid_amount"),
        ({"note": "x", "amount_fen": 10**12}, "invalid_amount"),
        ({"note": " "}, "note_required"),
    ],
)
def test_bad_charges_are_refused(world, api, deposit_item, body, code):
    r = issue(api, world.front_desk, world.house, deposit_item, **body)
    assert (r.status_code, r.json()["code"]) == (400, code)
    assert not Bill.objects.exists()


def test_only_one_off_and_deposit_items_with_a_standard(world, api, deposit_item):
    r = issue(api, world.front_desk, world.house, m.fee_item(world.a), note="x")
    assert r.json()["code"] == "not_a_charge_item"
    FeeStandard.objects.filter(fee_item=deposit_item).update(effective_to="2020-12-31")
    assert (
        issue(api, world.front_desk, world.house, deposit_item, note="x").json()["code"] == "no_fee_standard"
    )
    assert issue(api, world.owner, world.house, deposit_item, note="x").status_code == 403


def paid_deposit(world, item, channel=Channel.CASH, fen=300000) -> Bill:
    bill = charges.do_issue_charge(actor=world.front_desk, house=world.house, fee_item=item, note="装修押金")
    m.pay(bill, fen, channel)
    return Bill.objects.get(pk=bill.pk)


def refund(api, user, bill, **body):
    return api(user).post(f"/billing/bills/{bill.pk}/deposit-refund", body)


def test_a_partial_refund_keeps_deductions_as_revenue_and_pays_the_rest_back_in_cash(
    world, api, deposit_item
):
    bill = paid_deposit(world, deposit_item)
    r = refund(api, world.staff, bill, refund_fen=250000, deduct_fen=50000, reason="损坏公共墙面")
    assert r.status_code == 200, r.json()
    assert r.json()["bill"]["deposit_held_fen"] == 0
    [done] = r.json()["refunds"]
    assert (done["amount_fen"], done["status"]) == (250000, "done")
    assert Payment.objects.get(pk=done["payment_id"]).refunded_fen == 250000
    # In 300000 cash, out 250000 cash; the deposit is gone; 50000 became revenue.
    assert balances() == {"cash": 50000, "revenue": -50000}
    again = refund(api, world.staff, bill, refund_fen=1)
    assert (again.status_code, again.json()["code"]) == (400, "deposit_refund_exceeds_held")
    assert_ledger_ok()


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"refund_fen": 300001}, "deposit_refund_exceeds_held"),
        ({"refund_fen": 200000, "deduct_fen": 100001, "reason": "x"}, "deposit_refund_exceeds_held"),
        ({"refund_fen": 100000, "deduct_fen": 1000}, "reason_required"),
        ({"refund_fen": -5}, "invalid_amount"),
        ({"refund_fen": 10.5}, "invalid_amount"),
        ({"refund_fen": 0}, "invalid_amount"),
    ],
)
def test_bad_refunds_write_nothing(world, api, deposit_item, body, code):
    bill = paid_deposit(world, deposit_item)
    before = balances()
    r = refund(api, world.staff, bill, **body)
    assert (r.status_code, r.json()["code"]) == (400, code)
    assert Bill.objects.get(pk=bill.pk).deposit_released_fen == 0
    assert not Refund.objects.exists()
    assert balances() == before


def test_only_managers_refund_and_only_deposits(world, api, deposit_item):
    bill = paid_deposit(world, deposit_item)
    assert refund(api, world.front_desk, bill, refund_fen=100).status_code == 403
    fee = m.bill(world.house, m.fee_item(world.a), 1000)
    m.pay(fee, 1000)
    assert refund(api, world.staff, fee, refund_fen=100).json()["code"] == "not_a_deposit"
    assert_ledger_ok()


def test_a_deposit_paid_through_a_channel_no_longer_offered_is_refused_whole(world, api, deposit_item):
    bill = paid_deposit(world, deposit_item, Channel.WECHAT)  # WeChat Pay is not configured here
    r = refund(api, world.staff, bill, refund_fen=250000, deduct_fen=50000, reason="损坏公共墙面")
    assert (r.status_code, r.json()["code"]) == (400, "channel_unavailable")
    assert not Refund.objects.exists() and Bill.objects.get(pk=bill.pk).deposit_released_fen == 0
    assert balances() == {"clearing": 300000, "deposits": -300000}  # no deduction either
    assert_ledger_ok()


# --- online deposits go back through the provider (the sandbox, a fake WeChat Pay server) ------


def ordered(api, world, bill, channel) -> str:
    """The owner orders the deposit bill online, as in the app: our order number."""
    r = api(world.owner).post(
        "/billing/my/orders", {"house": bill.house_id, "channel": channel, "bills": [bill.pk]}
    )
    assert r.status_code in (200, 201), r.content
    return r.json()["out_trade_no"]


def issued_deposit(world, item) -> Bill:
    return charges.do_issue_charge(actor=world.front_desk, house=world.house, fee_item=item, note="装修押金")


def deposit_refunds() -> list:
    rows = LedgerEntry.objects.filter(transaction__kind="deposit_refund").order_by("account")
    return list(rows.values_list("account", "debit_fen", "credit_fen", "bill_id", "sub"))


def test_a_sandbox_deposit_is_refunded_at_once_and_its_bill_stays_paid(world, api, browser, deposit_item):
    bill = issued_deposit(world, deposit_item)
    no = ordered(api, world, bill, "sandbox")
    assert browser(world.owner).post(f"/billing/sandbox/pay/{no}").status_code == 302  # 确认支付
    r = refund(api, world.staff, bill, refund_fen=250000, deduct_fen=50000, reason="损坏公共墙面")
    assert r.status_code == 200, r.json()
    [done] = r.json()["refunds"]
    assert (done["amount_fen"], done["status"]) == (250000, "done")
    assert SandboxTrade.objects.get(kind="refund").out_refund_no == Refund.objects.get().out_refund_no
    bill = Bill.objects.get(pk=bill.pk)
    assert (bill.status, bill.owed_fen, charges.held_fen(bill)) == (BillStatus.PAID, 0, 0)
    assert deposit_refunds() == [
        ("clearing", 0, 250000, None, "sandbox"),
        ("deposits", 250000, 0, bill.pk, "deposit"),
    ]
    assert balances() == {"revenue": -50000, "clearing": 50000}
    listed = browser(world.staff).get(f"/billing/c/{world.a.pk}/refunds/").content.decode()
    assert "押金</span> 损坏公共墙面" in listed and "已退款" in listed
    assert_ledger_ok()


def test_a_sandbox_refusal_holds_the_deposit_again(world, api, deposit_item):
    # Paid through the sandbox channel, but the sandbox's books never collected it: it refuses.
    bill = paid_deposit(world, deposit_item, Channel.SANDBOX)
    r = refund(api, world.staff, bill, refund_fen=300000)
    assert r.status_code == 200, r.json()
    assert r.json()["refunds"][0]["status"] == "failed"
    assert r.json()["bill"]["deposit_held_fen"] == 300000
    assert Payment.objects.get().refunded_fen == 0
    assert not deposit_refunds()
    assert balances() == {"clearing": 300000, "deposits": -300000}
    assert_ledger_ok()


@pytest.fixture
def wechat_deposit(merchant, wechat_server, world, api, deposit_item) -> Bill:
    bill = issued_deposit(world, deposit_item)
    paid_by_wechat(api, world.owner, bill)
    return Bill.objects.get(pk=bill.pk)


def refund_notice(refund_row: Refund, state: str):
    return wechat_notification(
        refund_row.payment.out_trade_no,
        refund_row.amount_fen,
        event=f"REFUND.{state}",
        extra={"out_refund_no": refund_row.out_refund_no, "refund_status": state},
    )


def test_a_wechat_deposit_refund_is_pending_until_its_notification_then_posted_once(
    world, api, wechat_server, wechat_deposit
):
    r = refund(api, world.staff, wechat_deposit, refund_fen=300000)
    assert r.status_code == 200, r.json()
    assert r.json()["refunds"][0]["status"] == "pending"  # WeChat answered PROCESSING
    row = Refund.objects.get()
    assert row.deposit_bill_id == wechat_deposit.pk
    assert wechat_server.refunds[row.out_refund_no]["amount"] == {
        "refund": 300000,
        "total": 300000,
        "currency": "CNY",
    }
    assert r.json()["bill"]["deposit_held_fen"] == 0  # released: nobody can refund it twice
    assert balances() == {"clearing": 300000, "deposits": -300000}  # nothing moved yet
    for _ in range(3):
        assert post_notification("wechat", *refund_notice(row, "SUCCESS")).status_code == 204
    assert Refund.objects.get().status == RefundStatus.DONE
    assert len(deposit_refunds()) == 2
    assert Bill.objects.get(pk=wechat_deposit.pk).status == BillStatus.PAID  # not owed again
    assert balances() == {}
    assert_ledger_ok()


def test_a_wechat_deposit_refund_without_notification_finishes_by_the_periodic_query(
    world, browser, wechat_deposit
):
    # On the deposits page: the manager is told the refund is on its way, not that it is done.
    page = browser(world.staff).post(
        f"/billing/c/{world.a.pk}/deposits/{wechat_deposit.pk}/refund/", {"refund": "1000"}, follow=True
    )
    assert "已提交原路退款" in page.content.decode()
    assert Refund.objects.get().status == RefundStatus.PENDING
    assert query_pending_refunds(timezone.now() + timedelta(minutes=2)) == 1
    assert Refund.objects.get().status == RefundStatus.DONE
    assert balances() == {"clearing": 200000, "deposits": -200000}
    assert charges.held_fen(Bill.objects.get(pk=wechat_deposit.pk)) == 200000
    assert_ledger_ok()


def test_a_failed_wechat_deposit_refund_gives_the_deposit_back_and_may_be_tried_again(
    world, api, wechat_deposit
):
    refund(api, world.staff, wechat_deposit, refund_fen=300000)
    row = Refund.objects.get()
    assert post_notification("wechat", *refund_notice(row, "ABNORMAL")).status_code == 204
    assert Refund.objects.get().status == RefundStatus.FAILED
    assert charges.held_fen(Bill.objects.get(pk=wechat_deposit.pk)) == 300000
    assert Payment.objects.get().refunded_fen == 0
    assert balances() == {"clearing": 300000, "deposits": -300000}
    again = refund(api, world.staff, wechat_deposit, refund_fen=300000)
    assert again.json()["refunds"][0]["status"] == "pending"
    assert_ledger_ok()


def test_deposits_list_shows_what_is_held(world, api, deposit_item):
    bill = paid_deposit(world, deposit_item, fen=100000)  # partly paid
    listed = api(world.front_desk).get(f"/billing/communities/{world.a.pk}/deposits").json()
    assert [(d["id"], d["deposit_held_fen"], d["owed_fen"]) for d in listed] == [(bill.pk, 100000, 200000)]
    assert api(world.outsider).get(f"/billing/communities/{world.a.pk}/deposits").status_code == 404
    assert_ledger_ok()


def test_a_charge_uses_only_a_published_standard(world, api, deposit_item):
    # Owners hear of a price before a bill carries it: an unpublished version bills no one.
    FeeStandard.objects.filter(fee_item=deposit_item).update(published_at=None)
    r = issue(api, world.front_desk, world.house, deposit_item, note="301 装修押金")
    assert (r.status_code, r.json()["code"]) == (400, "no_fee_standard")
    assert not Bill.objects.exists()
