"""A WeChat Native / Alipay precreate order's QR survives a lost session: the payer who placed
it sees it again on another device (page and API) while it can be paid; a household member,
a neighbour and an outsider never do, and a paid, closed or expired order shows none."""

from datetime import timedelta

import pytest
from django.utils import timezone

from linli.billing.choices import PaymentStatus
from linli.billing.models import Payment
from linli.billing.tests.pay_support import (
    alipay_server,
    assert_ledger_ok,
    make_bill,
    merchant,
    post_notification,
    wechat_notification,
    wechat_server,
)

__all__ = ["alipay_server", "merchant", "wechat_server"]  # fixtures


def place(api, world, bills, channel):
    r = api(world.owner).post(
        "/billing/my/orders", {"house": world.house.pk, "channel": channel, "bills": [b.pk for b in bills]}
    )
    assert r.status_code == 201, r.content
    return r.json()


QR = "支付二维码"  # the QR's label on the order page


def order_page(browser, user, no):
    """The order page as a fresh browser opens it: no session has seen the order start."""
    return browser(user).get(f"/billing/orders/{no}/")


@pytest.mark.parametrize("channel", ["wechat", "alipay"])
def test_the_payer_sees_the_qr_again_from_another_device(request, merchant, world, api, browser, channel):
    request.getfixturevalue(f"{channel}_server")
    placed = place(api, world, [make_bill(world.house, 22375)], channel)
    no, code_url = placed["out_trade_no"], placed["code_url"]
    assert code_url
    page = order_page(browser, world.owner, no)
    assert page.status_code == 200 and QR in page.content.decode()
    assert api(world.owner).get(f"/billing/my/orders/{no}").json()["code_url"] == code_url


def test_nobody_but_the_payer_gets_the_qr(merchant, wechat_server, world, api, browser):
    no = place(api, world, [make_bill(world.house, 22375)], "wechat")["out_trade_no"]
    code = Payment.objects.get(out_trade_no=no).code_url
    # The tenant lives in the house and sees the order, not the code that pays it.
    household = order_page(browser, world.tenant, no)
    assert household.status_code == 200 and QR not in household.content.decode()
    assert api(world.tenant).get(f"/billing/my/orders/{no}").json()["code_url"] == ""
    for stranger in (world.neighbour, world.outsider):
        assert order_page(browser, stranger, no).status_code == 404
        answer = api(stranger).get(f"/billing/my/orders/{no}")
        assert answer.status_code == 404 and code not in answer.content.decode()


def test_a_paid_order_shows_no_qr_and_keeps_none(merchant, wechat_server, world, api, browser):
    bill = make_bill(world.house, 22375)
    no = place(api, world, [bill], "wechat")["out_trade_no"]
    assert post_notification("wechat", *wechat_notification(no, 22375)).status_code == 204
    assert Payment.objects.get(out_trade_no=no).code_url == ""
    assert QR not in order_page(browser, world.owner, no).content.decode()
    assert api(world.owner).get(f"/billing/my/orders/{no}").json()["code_url"] == ""
    assert_ledger_ok()


def test_a_closed_or_expired_order_shows_no_qr(merchant, wechat_server, world, api, browser):
    first, second = make_bill(world.house, 100, month=11), make_bill(world.house, 200, month=12)
    closed = place(api, world, [first], "wechat")["out_trade_no"]
    expiring = place(api, world, [first, second], "wechat")["out_trade_no"]  # closes the first
    assert Payment.objects.get(out_trade_no=closed).status == PaymentStatus.CLOSED
    assert Payment.objects.get(out_trade_no=closed).code_url == ""
    assert QR not in order_page(browser, world.owner, closed).content.decode()
    assert QR in order_page(browser, world.owner, expiring).content.decode()
    # Past its expiry, before the periodic job closes it: still pending, no longer payable.
    Payment.objects.filter(out_trade_no=expiring).update(created_at=timezone.now() - timedelta(minutes=31))
    assert QR not in order_page(browser, world.owner, expiring).content.decode()
    assert api(world.owner).get(f"/billing/my/orders/{expiring}").json()["code_url"] == ""
