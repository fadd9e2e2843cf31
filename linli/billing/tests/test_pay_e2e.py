"""In a real browser (Debian's chromium via Playwright) against a live server: a resident pays a
bill through the sandbox — 缴费 on 我的账单, 去支付, 确认支付 — and, on a second phone that shows
the order's QR, the order turns to 支付成功 by itself; a phone pays with Alipay in its mobile
cashier and comes back to an order that turns paid when Alipay notifies.

    .venv/bin/python -m pytest linli/billing/tests/test_pay_e2e.py -m e2e
"""

import os

import pytest

from linli.access.tests.test_e2e_access import browser, chromium, signed_in
from linli.billing.choices import BillStatus
from linli.billing.models import Bill, Payment
from linli.billing.tests.pay_support import (
    alipay_notification,
    alipay_server,
    assert_ledger_ok,
    make_bill,
    merchant,
    post_notification,
)
from linli.billing.tests.test_pay_wap import GATEWAY, IPHONE, cashier_pays

__all__ = ["alipay_server", "browser", "chromium", "merchant"]  # fixtures
pytestmark = pytest.mark.e2e
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def test_a_resident_pays_a_bill_through_the_sandbox_in_three_taps(
    transactional_db, live_server, world, chromium
):
    bill = make_bill(world.house, 22375)
    page = signed_in(chromium, live_server, world.owner)
    page.goto(f"{live_server.url}/services/")
    page.locator('[data-tile="pay"]').click()
    card = page.locator(f'form[data-house="{world.house.pk}"]')
    assert "¥223.75" in card.inner_text() and "物业费" in card.inner_text()

    card.get_by_role("button", name="缴费 ¥223.75").click()  # tap 1
    page.get_by_text("等待支付").wait_for()
    order_url = page.url
    watcher = signed_in(chromium, live_server, world.owner)  # the same order open on another screen
    watcher.goto(order_url)
    watcher.get_by_text("等待支付").wait_for()

    page.get_by_role("link", name="去支付").click()  # tap 2
    assert page.locator("h1").inner_text() == "沙箱收银台"
    page.get_by_role("button", name="确认支付").click()  # tap 3
    page.locator("#paid").wait_for()
    assert "支付成功" in page.locator("#paid").inner_text()

    watcher.locator("#paid").wait_for()  # no reload: the order's live status turned by itself
    assert Bill.objects.get(pk=bill.pk).status == BillStatus.PAID
    page.goto(f"{live_server.url}/billing/")
    assert "没有待缴账单" in page.locator("main").inner_text()
    assert_ledger_ok()


def test_a_phone_pays_with_alipay_in_its_cashier_and_the_order_turns_paid(
    transactional_db, live_server, world, chromium, merchant, alipay_server
):
    """Alipay's mobile cashier (a third party's page) is played by the fake Alipay: it checks
    our signed request and sends the phone back to return_url with Alipay's signed parameters."""
    bill = make_bill(world.house, 22375)
    page = signed_in(chromium, live_server, world.owner)
    page.context.set_extra_http_headers({"User-Agent": IPHONE})
    page.context.route(
        f"{GATEWAY}**",
        lambda route: route.fulfill(
            status=302, headers={"Location": cashier_pays(alipay_server, route.request.url)}
        ),
    )
    page.goto(f"{live_server.url}/billing/")
    card = page.locator(f'form[data-house="{world.house.pk}"]')
    card.get_by_label("支付宝").check()
    card.get_by_role("button", name="缴费 ¥223.75").click()  # to the cashier, and back
    page.get_by_text("等待支付").wait_for()  # back from the cashier: not paid by coming back
    payment = Payment.objects.get()
    assert page.url == f"{live_server.url}/billing/orders/{payment.out_trade_no}/"
    assert Bill.objects.get(pk=bill.pk).status == BillStatus.UNPAID

    post_notification("alipay", {}, alipay_notification(payment.out_trade_no, 22375))
    page.locator("#paid").wait_for()  # no reload: the order page turned by itself
    assert Bill.objects.get(pk=bill.pk).status == BillStatus.PAID
    assert_ledger_ok()
