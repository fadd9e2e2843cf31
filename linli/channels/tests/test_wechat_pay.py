"""JSAPI pay: inside WeChat, the resident's order carries the openid they bound, so WeChat Pay
opens in place; elsewhere it stays a QR code. WeChat Pay is billing's fake at its transport."""

import json

from linli.channels.tests.conftest import OWNER_OPENID
from linli.channels.tests.fake_wechat import OFFICIAL_APPID
from linli.testing.billing_pay import make_bill

IN_WECHAT = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Mobile/15E148 MicroMessenger/8.0.47(0x18002f2c) NetType/WIFI Language/zh_CN"
)


def pay(client, world, bill, **headers):
    return client.post(
        "/billing/pay/", {"house": world.house.pk, "bill": [bill.pk], "channel": "wechat"}, **headers
    )


def test_inside_wechat_the_order_carries_the_bound_openid(world, bound, merchant, wechat_server, settings):
    settings.LINLI_WECHATPAY_APPID = OFFICIAL_APPID  # JSAPI pays under the official account's AppID
    bill = make_bill(world.house, 22375)
    started = pay(bound, world, bill, HTTP_USER_AGENT=IN_WECHAT)
    assert started.status_code == 302
    [order] = [r for r in wechat_server.seen if r.url.endswith("/v3/pay/transactions/jsapi")]
    assert json.loads(order.body)["payer"] == {"openid": OWNER_OPENID}
    page = bound.get(started["Location"]).content.decode()
    assert 'data-wechat-pay="wechat-pay-params"' in page and "prepay_id=wx2016" in page


def test_outside_wechat_or_unbound_it_stays_a_qr_code(
    world, bound, browser, merchant, wechat_server, settings
):
    settings.LINLI_WECHATPAY_APPID = OFFICIAL_APPID
    bill = make_bill(world.house, 22375)
    pay(bound, world, bill, HTTP_USER_AGENT="Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0")
    # The tenant of the same house, inside WeChat, never bound theirs.
    pay(browser(world.tenant), world, bill, HTTP_USER_AGENT=IN_WECHAT)
    paths = [r.url.rsplit("/", 1)[1] for r in wechat_server.seen if "/v3/pay/transactions/" in r.url]
    assert "jsapi" not in paths and paths.count("native") == 2
    assert all(OWNER_OPENID.encode() not in r.body for r in wechat_server.seen)
