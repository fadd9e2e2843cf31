"""Each provider against its published spec: our requests carry signatures the fake servers
verify with our public key; what the providers send is accepted only when it verifies."""

import json
from datetime import date

import pytest

from linli.billing import providers
from linli.billing.providers import rsa
from linli.billing.providers.amounts import fen_of
from linli.billing.providers.base import BadNotification, Order, ProviderUnavailable
from linli.billing.providers.wechatpay import decrypt_resource, encrypt_resource
from linli.billing.tests.pay_support import (
    APIV3,
    PLATFORM_ID,
    alipay_notification,
    alipay_server,
    alipay_trade_bill,
    keys,
    merchant,
    wechat_notification,
    wechat_server,
    wechat_trade_bill,
)

__all__ = ["alipay_server", "merchant", "wechat_server"]  # fixtures


def order(no="LL2026120510000000000001", fen=22375, openid=""):
    return Order(
        out_trade_no=no,
        amount_fen=fen,
        description="物业缴费",
        notify_url="https://x.example/n",
        payer_openid=openid,
    )


def test_wechat_native_and_jsapi_orders_are_signed_by_the_merchant(merchant, wechat_server):
    wechat = providers.get("wechat")
    start = wechat.start(order())
    assert start.kind == "qr" and start.code_url.startswith("weixin://wxpay/bizpayurl")
    sent = json.loads(wechat_server.seen[-1].body)
    assert sent["amount"] == {"total": 22375, "currency": "CNY"} and sent["mchid"] == "1900000109"

    js = wechat.start(order("LL2026120510000000000002", openid="oUpF8uMuAJO_M2pxb1Q9zNjWeS6o")).jsapi
    assert js["package"] == "prepay_id=wx2016LL2026120510000000000002" and js["signType"] == "RSA"
    message = f"{js['appId']}\n{js['timeStamp']}\n{js['nonceStr']}\n{js['package']}\n".encode()
    rsa.verify(keys()["merchant"].public_key(), message, js["paySign"])  # what WeChat's client checks


def test_an_unsigned_wechat_answer_is_not_believed(merchant, wechat_server):
    wechat_server.sign_answers = False
    with pytest.raises(ProviderUnavailable):
        providers.get("wechat").start(order())


@pytest.mark.parametrize(
    ("tamper", "reason"),
    [
        (lambda h, b: (h, b.replace(b'"TRANSACTION.SUCCESS"', b'"TRANSACTION.SUCCES_"')), "bad_signature"),
        (lambda h, b: ({**h, "Wechatpay-Serial": "OTHER"}, b), "unknown_serial"),
        (lambda h, b: ({**h, "Wechatpay-Nonce": "x" + h["Wechatpay-Nonce"]}, b), "bad_signature"),
        (lambda h, b: ({k: v for k, v in h.items() if k != "Wechatpay-Signature"}, b), "missing_signature"),
    ],
)
def test_a_tampered_wechat_notification_is_refused(merchant, tamper, reason):
    headers, body = wechat_notification("LL1", 100)
    with pytest.raises(BadNotification, match=reason):
        providers.get("wechat").verify_notification(*tamper(headers, body))


def test_a_wechat_notification_signed_by_another_key_or_too_old_is_refused(merchant):
    wechat = providers.get("wechat")
    with pytest.raises(BadNotification, match="bad_signature"):
        wechat.verify_notification(*wechat_notification("LL1", 100, key=keys()["app"]))
    import time

    with pytest.raises(BadNotification, match="stale_timestamp"):
        wechat.verify_notification(*wechat_notification("LL1", 100, at=int(time.time()) - 301))
    with pytest.raises(BadNotification, match="bad_ciphertext"):  # signed right, encrypted with another key
        wechat.verify_notification(*wechat_notification("LL1", 100, apiv3="b" * 32))


def test_a_wechat_notification_is_decrypted_to_its_transaction(merchant):
    notice = providers.get("wechat").verify_notification(
        *wechat_notification("LL9", 22375, notification_id="EV-1")
    )
    assert (notice.notification_id, notice.out_trade_no, notice.amount_fen, notice.paid) == (
        "EV-1",
        "LL9",
        22375,
        True,
    )
    refund = providers.get("wechat").verify_notification(
        *wechat_notification(
            "LL9", 500, event="REFUND.SUCCESS", extra={"out_refund_no": "RF9", "refund_status": "SUCCESS"}
        )
    )
    assert (refund.paid, refund.out_refund_no, refund.refund_status, refund.amount_fen) == (
        False,
        "RF9",
        "done",
        500,
    )


def test_aes_gcm_resource_round_trip_and_associated_data_is_bound():
    resource = encrypt_resource(APIV3.encode(), b'{"a":1}', "transaction")
    assert decrypt_resource(APIV3.encode(), resource) == b'{"a":1}'
    with pytest.raises(BadNotification):
        decrypt_resource(APIV3.encode(), {**resource, "associated_data": "refund"})


def test_wechat_query_refund_and_trade_bill(merchant, wechat_server):
    wechat = providers.get("wechat")
    wechat.start(order("LLQ1"))
    assert not wechat.query("LLQ1").paid
    wechat_server.pay("LLQ1")
    state = wechat.query("LLQ1")
    assert state.paid and state.amount_fen == 22375 and state.provider_txn_id.startswith("4200000")
    assert wechat.query("LLNONE").paid is False
    result = wechat.refund(
        out_trade_no="LLQ1", out_refund_no="RFQ1", refund_fen=1000, total_fen=22375, reason="多缴"
    )
    assert result.accepted and not result.done
    assert wechat_server.refunds["RFQ1"]["amount"] == {"refund": 1000, "total": 22375, "currency": "CNY"}
    assert wechat.refund_query("RFQ1").done
    wechat_server.bill = wechat_trade_bill(
        [("2026-12-05 10:00:00", "LLQ1", 22375, "SUCCESS"), ("2026-12-05 11:00:00", "LLQ1", 1000, "REFUND")]
    )
    rows = wechat.statement(date(2026, 12, 5))
    assert [(r.out_trade_no, r.amount_fen, r.kind, r.out_refund_no) for r in rows] == [
        ("LLQ1", 22375, "payment", ""),
        ("LLQ1", 1000, "refund", "RFQ1"),
    ]


def test_a_wechat_platform_certificate_names_itself_by_its_serial(tmp_path):
    import datetime as dt

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.x509.oid import NameOID

    key = keys()["platform"]
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Tenpay.com Root CA")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(0x5157F09EFDC096DE15EBE81A47057A72)
        .not_valid_before(now)
        .not_valid_after(now + dt.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    path = tmp_path / "wechatpay_cert.pem"
    path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    assert list(providers.platform_keys((str(path),))) == ["5157F09EFDC096DE15EBE81A47057A72"]
    assert list(providers.platform_keys((f"{PLATFORM_ID}={path}",))) == [PLATFORM_ID]


def test_alipay_precreate_query_refund_and_bill(merchant, alipay_server):
    alipay = providers.get("alipay")
    start = alipay.start(order("LLA1"))
    assert start.kind == "qr" and start.code_url.startswith("https://qr.alipay.com/")
    assert alipay_server.trades["LLA1"]["total"] == "223.75"
    assert not alipay.query("LLA1").paid
    alipay_server.trades["LLA1"]["status"] = "TRADE_SUCCESS"
    assert alipay.query("LLA1").amount_fen == 22375
    assert alipay.refund(
        out_trade_no="LLA1", out_refund_no="RFA1", refund_fen=75, total_fen=22375, reason="x"
    ).done
    alipay_server.bill = alipay_trade_bill(
        [("2026-12-05 10:00:00", "LLA1", 22375, "交易"), ("2026-12-05 12:00:00", "LLA1", 75, "退款")]
    )
    rows = alipay.statement(date(2026, 12, 5))
    assert [(r.out_trade_no, r.amount_fen, r.kind) for r in rows] == [
        ("LLA1", 22375, "payment"),
        ("LLA1", 75, "refund"),
    ]
    page = alipay.page_pay_url(order("LLA2"))
    assert (
        page.redirect_url.startswith("https://openapi.alipay.com/gateway.do?")
        and "sign=" in page.redirect_url
    )


def test_an_alipay_answer_with_a_bad_signature_is_not_believed(merchant, alipay_server):
    from linli.billing.providers import transport

    def forged(request):
        answer = alipay_server(request)
        return transport.Response(200, {}, answer.body.replace(b"qr.alipay.com", b"qr.evil.example"))

    transport.use(forged)
    with pytest.raises(ProviderUnavailable):
        providers.get("alipay").start(order("LLA3"))


def test_alipay_notifications_verify_sorted_params_without_sign(merchant):
    alipay = providers.get("alipay")
    notice = alipay.verify_notification({}, alipay_notification("LLA9", 22375))
    assert (notice.out_trade_no, notice.amount_fen, notice.paid) == ("LLA9", 22375, True)
    altered = alipay_notification("LLA9", 22375).replace(b"total_amount=223.75", b"total_amount=1.00")
    with pytest.raises(BadNotification):
        alipay.verify_notification({}, altered)
    with pytest.raises(BadNotification):
        alipay.verify_notification({}, alipay_notification("LLA9", 22375, key=keys()["platform"]))
    with pytest.raises(BadNotification, match="other_app"):
        alipay.verify_notification({}, alipay_notification("LLA9", 22375, extra={"app_id": "2021999"}))
    assert alipay.acknowledgement(True) == (200, "text/plain", "success")


@pytest.mark.parametrize(
    ("yuan", "fen"), [("223.75", 22375), ("0.01", 1), ("-1.50", -150), ("`12.3", 1230), ("1,000.00", 100000)]
)
def test_yuan_strings_become_exact_fen(yuan, fen):
    assert fen_of(yuan) == fen


def test_a_fraction_of_a_fen_is_not_money():
    with pytest.raises(ValueError):
        fen_of("1.005")
