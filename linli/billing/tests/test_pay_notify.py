"""Notifications through POST /api/v1/billing/notify/<provider>, as the providers send them:
paid once however often or concurrently told, refused when forged or altered, flagged when the
amount differs or the order is unknown; the ledger verifies after each."""

import threading

import pytest
from django.db import connection

from linli.billing.choices import BillStatus, PaymentStatus
from linli.billing.models import Bill, LedgerTransaction, Payment, ProviderNotification, Receipt
from linli.billing.tests.pay_support import (
    alipay_notification,
    alipay_server,
    assert_ledger_ok,
    make_bill,
    merchant,
    post_notification,
    wechat_notification,
    wechat_server,
)
from linli.core.models import OutboxEvent

__all__ = ["alipay_server", "merchant", "wechat_server"]  # fixtures


def open_order(api, world, bills, channel="wechat"):
    r = api(world.owner).post(
        "/billing/my/orders", {"house": world.house.pk, "channel": channel, "bills": [b.pk for b in bills]}
    )
    assert r.status_code == 201, r.content
    return r.json()


@pytest.fixture
def order(merchant, wechat_server, world, api):
    bill = make_bill(world.house, 22375)
    return open_order(api, world, [bill]), bill


def test_a_wechat_notification_pays_the_bill_and_is_acknowledged(order):
    placed, bill = order
    r = post_notification("wechat", *wechat_notification(placed["out_trade_no"], 22375))
    assert r.status_code == 204
    bill.refresh_from_db()
    assert (bill.status, bill.paid_fen) == (BillStatus.PAID, 22375)
    payment = Payment.objects.get(out_trade_no=placed["out_trade_no"])
    assert payment.status == PaymentStatus.PAID and payment.provider_txn_id.startswith("4200000")
    assert Receipt.objects.filter(payment=payment).exists()
    assert OutboxEvent.objects.filter(topic="billing.paid").exists()  # the resident's page hears it
    assert_ledger_ok()


def test_the_same_notification_five_times_pays_once_and_posts_once(order):
    placed, bill = order
    headers, body = wechat_notification(placed["out_trade_no"], 22375)
    answers = [post_notification("wechat", headers, body).status_code for _ in range(5)]
    assert answers == [204] * 5
    assert LedgerTransaction.objects.filter(kind="payment").count() == 1
    assert list(ProviderNotification.objects.order_by("id").values_list("outcome", flat=True)) == ["paid"]
    assert Bill.objects.get(pk=bill.pk).paid_fen == 22375
    assert_ledger_ok()


def test_two_different_notices_of_one_payment_post_once(order):
    placed, _bill = order
    for _ in range(2):
        assert (
            post_notification("wechat", *wechat_notification(placed["out_trade_no"], 22375)).status_code
            == 204
        )
    assert LedgerTransaction.objects.filter(kind="payment").count() == 1
    assert sorted(ProviderNotification.objects.values_list("outcome", flat=True)) == ["already_paid", "paid"]
    assert_ledger_ok()


@pytest.mark.django_db(transaction=True)
def test_concurrent_deliveries_pay_once(merchant, wechat_server, world, api):
    bill = make_bill(world.house, 22375)
    placed = open_order(api, world, [bill])
    same = wechat_notification(placed["out_trade_no"], 22375)
    deliveries = [same] * 4 + [wechat_notification(placed["out_trade_no"], 22375) for _ in range(2)]
    statuses = []

    def deliver(notification):
        statuses.append(post_notification("wechat", *notification).status_code)
        connection.close()

    threads = [threading.Thread(target=deliver, args=(n,)) for n in deliveries]
    [t.start() for t in threads]
    [t.join() for t in threads]
    assert statuses == [204] * 6
    assert LedgerTransaction.objects.filter(kind="payment").count() == 1
    assert Bill.objects.get(pk=bill.pk).paid_fen == 22375
    assert Receipt.objects.count() == 1
    assert_ledger_ok()


@pytest.mark.parametrize(
    "forge",
    [
        lambda h, b: (h, b[:-2] + b" }"),  # body altered after signing
        lambda h, b: ({**h, "Wechatpay-Timestamp": str(int(h["Wechatpay-Timestamp"]) - 1)}, b),
        lambda h, b: ({**h, "Wechatpay-Signature": h["Wechatpay-Signature"][::-1]}, b),
    ],
)
def test_a_forged_or_altered_notification_is_refused_and_pays_nothing(order, forge):
    placed, bill = order
    r = post_notification("wechat", *forge(*wechat_notification(placed["out_trade_no"], 22375)))
    assert r.status_code == 400 and r.json()["code"] == "FAIL"
    assert Bill.objects.get(pk=bill.pk).paid_fen == 0
    note = ProviderNotification.objects.get()
    assert (note.verified, note.flagged, note.outcome) == (False, True, "bad_signature")
    assert_ledger_ok()


def test_a_notification_signed_with_another_key_is_refused(order, merchant):
    placed, _bill = order
    r = post_notification("wechat", *wechat_notification(placed["out_trade_no"], 22375, key=merchant["app"]))
    assert r.status_code == 400
    assert Payment.objects.get(out_trade_no=placed["out_trade_no"]).status == PaymentStatus.PENDING


def test_a_different_amount_is_refused_and_flagged_not_paid(order):
    placed, bill = order
    r = post_notification("wechat", *wechat_notification(placed["out_trade_no"], 1))
    assert r.status_code == 400
    note = ProviderNotification.objects.get()
    assert (note.outcome, note.flagged) == ("amount_mismatch", True)
    assert Payment.objects.get(out_trade_no=placed["out_trade_no"]).status == PaymentStatus.PENDING
    assert Bill.objects.get(pk=bill.pk).paid_fen == 0
    assert_ledger_ok()


def test_an_unknown_order_is_flagged(merchant, db):
    r = post_notification("wechat", *wechat_notification("LL20261205000000999999999999", 500))
    assert r.status_code == 204  # received (WeChat stops resending); staff look at the flag
    note = ProviderNotification.objects.get()
    assert (note.outcome, note.flagged) == ("unknown_order", True)


def test_a_closed_notice_before_paid_changes_nothing_then_paid_pays(order):
    placed, bill = order
    no = placed["out_trade_no"]
    assert post_notification("wechat", *wechat_notification(no, 22375, state="CLOSED")).status_code == 204
    assert Payment.objects.get(out_trade_no=no).status == PaymentStatus.PENDING
    assert post_notification("wechat", *wechat_notification(no, 22375)).status_code == 204
    assert Bill.objects.get(pk=bill.pk).status == BillStatus.PAID
    assert_ledger_ok()


def test_an_order_paid_after_we_closed_it_is_kept_and_flagged(order, world, api):
    placed, bill = order
    second = open_order(api, world, [bill], channel="sandbox")  # the payer switched: the first closes
    assert Payment.objects.get(out_trade_no=placed["out_trade_no"]).status == PaymentStatus.CLOSED
    post_notification(
        "wechat", *wechat_notification(second["out_trade_no"], 22375)
    )  # wrong provider: unknown
    assert post_notification("wechat", *wechat_notification(placed["out_trade_no"], 22375)).status_code == 204
    payment = Payment.objects.get(out_trade_no=placed["out_trade_no"])
    assert payment.status == PaymentStatus.PAID
    assert ProviderNotification.objects.filter(outcome="paid_after_close", flagged=True).exists()
    assert Bill.objects.get(pk=bill.pk).status == BillStatus.PAID
    assert_ledger_ok()


def test_alipay_notifications_pay_once_and_are_acknowledged_with_success(merchant, alipay_server, world, api):
    bill = make_bill(world.house, 22375)
    placed = open_order(api, world, [bill], channel="alipay")
    assert placed["kind"] == "qr" and placed["code_url"].startswith("https://qr.alipay.com/")
    body = alipay_notification(placed["out_trade_no"], 22375)
    for _ in range(3):
        r = post_notification("alipay", {}, body)
        assert (r.status_code, r.content) == (200, b"success")
    assert LedgerTransaction.objects.filter(kind="payment").count() == 1
    forged = alipay_notification(placed["out_trade_no"], 22375).replace(b"TRADE_SUCCESS", b"TRADE_FINISHED")
    assert post_notification("alipay", {}, forged).content == b"fail"
    assert Bill.objects.get(pk=bill.pk).status == BillStatus.PAID
    assert_ledger_ok()


def test_a_disabled_provider_has_no_endpoint(world, db):
    r = post_notification("wechat", *wechat_notification("LL1", 1))  # this installation: sandbox only
    assert r.status_code == 400 and r.json()["code"] == "channel_unavailable"
