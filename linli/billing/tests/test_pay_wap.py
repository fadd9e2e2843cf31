"""Alipay's mobile web pay (手机网站支付, alipay.trade.wap.pay): a phone's browser is sent to
Alipay's cashier with a request signed RSA2 by our app key; the cashier sends the payer back
to return_url with parameters Alipay signs, which are checked but never mark anything paid —
the asynchronous notification does. The fake Alipay plays the cashier with its own key."""

import json
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest

from linli.billing import providers
from linli.billing.choices import BillStatus, PaymentStatus
from linli.billing.models import Bill, LedgerTransaction, Payment
from linli.billing.providers import rsa
from linli.billing.providers.alipay import signing_string
from linli.billing.providers.base import Order
from linli.billing.tests.pay_support import (
    ALIPAY_APP,
    alipay_notification,
    alipay_server,
    assert_ledger_ok,
    keys,
    make_bill,
    merchant,
    post_notification,
)

__all__ = ["alipay_server", "merchant"]  # fixtures

GATEWAY = "https://openapi.alipay.com/gateway.do"
IPHONE = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148"
DESKTOP = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/131.0 Safari/537.36"


def cashier_request(url: str) -> dict[str, str]:
    """What Alipay's cashier does first with the URL it is opened at: check our app's signature."""
    assert url.startswith(GATEWAY + "?")
    params = dict(parse_qsl(urlsplit(url).query))
    rsa.verify(keys()["app"].public_key(), signing_string(params), params["sign"])  # raises: fails
    assert (params["app_id"], params["sign_type"], params["charset"]) == (ALIPAY_APP, "RSA2", "utf-8")
    return params


def cashier_pays(server, url: str, *, key=None) -> str:
    """The payer pays at the cashier: the trade is paid at Alipay, and the payer is sent back to
    return_url with the parameters Alipay signs (the URL returned)."""
    params = cashier_request(url)
    biz = json.loads(params["biz_content"])
    server.trades[biz["out_trade_no"]] = {"total": biz["total_amount"], "status": "TRADE_SUCCESS"}
    back = {
        "charset": "utf-8",
        "out_trade_no": biz["out_trade_no"],
        "method": "alipay.trade.wap.pay.return",
        "total_amount": biz["total_amount"],
        "trade_no": "2026120522001400000001",
        "auth_app_id": ALIPAY_APP,
        "version": "1.0",
        "app_id": ALIPAY_APP,
        "sign_type": "RSA2",
        "seller_id": "2088000000000000",
        "timestamp": "2026-12-05 10:00:02",
    }
    back["sign"] = rsa.sign(key or keys()["alipay"], signing_string(back))
    return f"{params['return_url']}?{urlencode(back)}"


def test_wap_pay_is_a_signed_redirect_to_the_gateway_with_its_urls(merchant, alipay_server):
    start = providers.get("alipay").start(
        Order(
            out_trade_no="LLW1",
            amount_fen=22375,
            description="物业缴费",
            notify_url="https://linli.example/api/v1/billing/notify/alipay",
            scene="wap",
            return_url="https://linli.example/billing/alipay/return/",
            quit_url="https://linli.example/billing/",
        )
    )
    assert start.kind == "wap" and not alipay_server.seen  # the browser goes there, not us
    params = cashier_request(start.redirect_url)
    assert params["method"] == "alipay.trade.wap.pay"
    assert params["notify_url"] == "https://linli.example/api/v1/billing/notify/alipay"
    assert params["return_url"] == "https://linli.example/billing/alipay/return/"
    biz = json.loads(params["biz_content"])
    assert biz == {
        "out_trade_no": "LLW1",
        "total_amount": "223.75",
        "subject": "物业缴费",
        "product_code": "QUICK_WAP_WAY",
        "quit_url": "https://linli.example/billing/",
    }


def test_a_phone_pays_through_the_cashier_and_only_the_notification_marks_it_paid(
    merchant, alipay_server, world, browser
):
    bill = make_bill(world.house, 22375)
    phone = browser(world.owner)
    shown = phone.get("/billing/", HTTP_USER_AGENT=IPHONE)
    assert 'name="scene" value="wap"' in shown.content.decode()
    # The browser follows the form's redirect only to an origin the page's form-action allows.
    for page in (shown, phone.get("/billing/prepay/")):
        assert "form-action https://openapi.alipay.com 'self'" in page["Content-Security-Policy"]
    r = phone.post(
        "/billing/pay/", {"house": world.house.pk, "bill": [bill.pk], "channel": "alipay", "scene": "wap"}
    )
    assert r.status_code == 302
    payment = Payment.objects.get()
    back = cashier_pays(alipay_server, r["Location"])
    assert urlsplit(back).path == "/billing/alipay/return/"

    returned = phone.get(back.removeprefix("http://testserver"))
    assert returned["Location"] == f"/billing/orders/{payment.out_trade_no}/"
    assert "等待支付" in phone.get(returned["Location"]).content.decode()  # back, but not paid by that
    assert Payment.objects.get().status == PaymentStatus.PENDING
    assert not LedgerTransaction.objects.filter(kind="payment").exists()

    notified = post_notification("alipay", {}, alipay_notification(payment.out_trade_no, 22375))
    assert notified.content == b"success"
    assert Bill.objects.get(pk=bill.pk).status == BillStatus.PAID
    assert "支付成功" in phone.get(returned["Location"]).content.decode()
    assert_ledger_ok()


def test_a_forged_return_is_refused_and_another_households_order_is_not_found(
    merchant, alipay_server, world, browser
):
    bill = make_bill(world.house, 22375)
    owner = browser(world.owner)
    go = owner.post(
        "/billing/pay/", {"house": world.house.pk, "bill": [bill.pk], "channel": "alipay", "scene": "wap"}
    )["Location"]
    forged = cashier_pays(alipay_server, go, key=keys()["app"]).removeprefix("http://testserver")
    r = owner.get(forged, follow=True)
    assert r.redirect_chain[-1][0] == "/billing/" and "无法确认支付结果" in r.content.decode()
    altered = cashier_pays(alipay_server, go).replace("total_amount=223.75", "total_amount=0.01")
    assert owner.get(altered.removeprefix("http://testserver"))["Location"] == "/billing/"
    genuine = cashier_pays(alipay_server, go).removeprefix("http://testserver")
    assert browser(world.neighbour).get(genuine).status_code == 404
    assert Payment.objects.get().status == PaymentStatus.PENDING


def test_without_alipay_the_pay_pages_keep_the_sites_policy(world, browser, settings):
    assert browser(world.owner).get("/billing/")["Content-Security-Policy"] == (
        settings.LINLI_CONTENT_SECURITY_POLICY
    )


@pytest.mark.parametrize(
    ("agent", "scene", "wap"),
    [(IPHONE, "", True), (DESKTOP, "", False), (IPHONE, "qr", False), (DESKTOP, "wap", True)],
)
def test_the_pages_scene_decides_and_the_user_agent_is_the_default(
    merchant, alipay_server, world, browser, agent, scene, wap
):
    bill = make_bill(world.house, 22375)
    form = {"house": world.house.pk, "bill": [bill.pk], "channel": "alipay"} | (
        {"scene": scene} if scene else {}
    )
    r = browser(world.owner).post("/billing/pay/", form, HTTP_USER_AGENT=agent)
    assert r["Location"].startswith(GATEWAY) is wap
    if not wap:  # the order page with the precreate QR
        assert "支付二维码" in browser(world.owner).get(r["Location"]).content.decode()


def test_the_api_takes_a_scene(merchant, alipay_server, world, api):
    bill = make_bill(world.house, 22375)
    order = {"house": world.house.pk, "channel": "alipay", "bills": [bill.pk]}
    wap = api(world.owner).post("/billing/my/orders", order | {"scene": "wap"}).json()
    assert wap["kind"] == "wap" and cashier_request(wap["redirect_url"])["method"] == "alipay.trade.wap.pay"
    by_agent = api(world.owner).post(
        "/billing/my/orders", order, HTTP_USER_AGENT="Mozilla/5.0 (Linux; Android 14)"
    )
    assert by_agent.json()["kind"] == "wap"
    qr = api(world.owner).post("/billing/my/orders", order | {"scene": "qr"}).json()
    assert qr["kind"] == "qr" and qr["code_url"].startswith("https://qr.alipay.com/")
    assert api(world.owner).post("/billing/my/orders", order | {"scene": "app"}).status_code in (400, 422)
