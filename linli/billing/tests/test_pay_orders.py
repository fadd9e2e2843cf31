"""A resident's order through the API: own houses and open bills only, what is owed now, one
open order per bill; a prepayment; the order-query fallback when no notification comes."""

from datetime import timedelta

import pytest
from django.utils import timezone

from linli.billing.choices import BillStatus, PaymentStatus
from linli.billing.models import Bill, HouseAccount, Payment
from linli.billing.services.pay import query_pending_orders
from linli.billing.tests.pay_support import assert_ledger_ok, make_bill, merchant, wechat_server

__all__ = ["merchant", "wechat_server"]  # fixtures


def order(api, user, house, bills, channel="sandbox", **extra):
    return api(user).post(
        "/billing/my/orders", {"house": house.pk, "channel": channel, "bills": [b.pk for b in bills], **extra}
    )


def test_my_bills_are_grouped_by_house_with_what_is_owed(world, api):
    make_bill(world.house, 22375, month=11)
    make_bill(world.house, 22375, month=12)
    make_bill(world.neighbour_house, 30000)
    r = api(world.owner).get("/billing/my/bills")
    assert r.status_code == 200
    (house,) = r.json()
    assert (house["house"], house["owed_fen"], len(house["bills"])) == (world.house.pk, 44750, 2)
    assert house["bills"][0]["lines"][0]["amount_fen"] == 22375


def test_an_order_asks_for_what_is_owed_now(world, api):
    bill = make_bill(world.house, 22375)
    Bill.objects.filter(pk=bill.pk).update(discount_fen=375)  # as an approved waiver would leave it
    r = order(api, world.owner, world.house, [bill])
    assert r.status_code == 201, r.content
    body = r.json()
    assert (body["amount_fen"], body["kind"]) == (22000, "redirect")
    assert body["redirect_url"] == f"/billing/sandbox/pay/{body['out_trade_no']}"


@pytest.mark.parametrize(
    ("prepare", "code", "status"),
    [
        (lambda b: Bill.objects.filter(pk=b.pk).update(status=BillStatus.VOID), "bill_void", 400),
        (
            lambda b: Bill.objects.filter(pk=b.pk).update(paid_fen=22375, status=BillStatus.PAID),
            "bill_already_paid",
            400,
        ),
    ],
)
def test_a_void_or_paid_bill_is_refused(world, api, prepare, code, status):
    bill = make_bill(world.house, 22375)
    prepare(bill)
    r = order(api, world.owner, world.house, [bill])
    assert (r.status_code, r.json()["code"]) == (status, code)


def test_someone_elses_bill_or_house_is_not_found(world, api):
    mine, theirs = make_bill(world.house, 100), make_bill(world.neighbour_house, 200)
    r = order(api, world.owner, world.house, [mine, theirs])
    assert (r.status_code, r.json()["code"]) == (404, "bill_not_found")
    r = order(api, world.owner, world.neighbour_house, [theirs])
    assert r.status_code == 404
    assert order(api, world.outsider, world.house, [mine]).status_code == 404
    assert not Payment.objects.exists()


def test_no_bills_or_a_disabled_channel_is_refused(world, api):
    bill = make_bill(world.house, 100)
    assert order(api, world.owner, world.house, []).json()["code"] == "no_bills"
    assert (
        order(api, world.owner, world.house, [bill], channel="wechat").json()["code"] == "channel_unavailable"
    )


def test_asking_again_reuses_the_open_order_and_a_new_selection_closes_it(world, api):
    first, second = make_bill(world.house, 100, month=11), make_bill(world.house, 200, month=12)
    a = order(api, world.owner, world.house, [first]).json()
    assert order(api, world.owner, world.house, [first]).json()["out_trade_no"] == a["out_trade_no"]
    b = order(api, world.owner, world.house, [first, second]).json()
    assert b["out_trade_no"] != a["out_trade_no"] and b["amount_fen"] == 300
    assert Payment.objects.get(out_trade_no=a["out_trade_no"]).status == PaymentStatus.CLOSED
    assert api(world.owner).get(f"/billing/my/orders/{b['out_trade_no']}").json()["status"] == "pending"
    assert api(world.neighbour).get(f"/billing/my/orders/{b['out_trade_no']}").status_code == 404


@pytest.mark.parametrize("amount", [0, -100, 1.5, "12.5", 1_000_000_001, True])
def test_a_prepayment_must_be_whole_positive_fen(world, api, amount):
    r = api(world.owner).post(
        "/billing/my/orders",
        {"house": world.house.pk, "channel": "sandbox", "purpose": "prepay", "amount_fen": amount},
    )
    assert (r.status_code, r.json()["code"]) == (400, "invalid_amount")
    assert not Payment.objects.exists()


def test_a_prepayment_paid_through_the_sandbox_credits_the_house(world, api, browser):
    r = api(world.owner).post(
        "/billing/my/orders",
        {"house": world.house.pk, "channel": "sandbox", "purpose": "prepay", "amount_fen": 50000},
    )
    assert r.status_code == 201
    browser(world.owner).post(r.json()["redirect_url"])
    assert HouseAccount.objects.get(house=world.house).prepaid_fen == 50000
    assert_ledger_ok()


def test_the_order_query_settles_a_payment_whose_notification_never_came(merchant, wechat_server, world, api):
    bill = make_bill(world.house, 22375)
    paid = order(api, world.owner, world.house, [bill], channel="wechat").json()["out_trade_no"]
    other = make_bill(world.neighbour_house, 500)
    unpaid = order(api, world.neighbour, world.neighbour_house, [other], channel="wechat").json()[
        "out_trade_no"
    ]
    wechat_server.pay(paid)
    assert query_pending_orders() == {"settled": 0, "closed": 0, "waiting": 0}  # too fresh to ask
    later = timezone.now() + timedelta(minutes=4)
    assert query_pending_orders(later) == {"settled": 1, "closed": 0, "waiting": 1}
    assert Bill.objects.get(pk=bill.pk).status == BillStatus.PAID
    assert query_pending_orders(timezone.now() + timedelta(minutes=31)) == {
        "settled": 0,
        "closed": 1,
        "waiting": 0,
    }
    assert Payment.objects.get(out_trade_no=unpaid).status == PaymentStatus.CLOSED
    assert wechat_server.orders[unpaid]["state"] == "CLOSED"
    assert_ledger_ok()


def test_an_order_query_reporting_another_amount_settles_nothing(merchant, wechat_server, world, api):
    bill = make_bill(world.house, 22375)
    no = order(api, world.owner, world.house, [bill], channel="wechat").json()["out_trade_no"]
    wechat_server.pay(no)
    wechat_server.orders[no]["total"] = 1
    counts = query_pending_orders(timezone.now() + timedelta(hours=1))
    assert counts["mismatch"] == 1 and counts["settled"] == counts["closed"] == 0
    assert Payment.objects.get(out_trade_no=no).status == PaymentStatus.PENDING
