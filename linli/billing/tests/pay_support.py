"""Test support for online payment: merchant keys generated here, and fake WeChat Pay and
Alipay servers at the transport boundary (the only fake) that check our signatures and sign
their answers and notifications to each provider's published spec."""

import hashlib
import io
import json
import secrets
import zipfile
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest
from django.test import Client

from linli.billing.models import Payment
from linli.billing.providers import rsa, transport
from linli.billing.providers.alipay import signing_string
from linli.billing.providers.amounts import yuan_of
from linli.billing.providers.wechatpay import encrypt_resource, signed_headers
from linli.billing.services import ledger
from linli.testing.billing_pay import make_bill

MCHID, APPID, SERIAL, PLATFORM_ID = (
    "1900000109",
    "wxd678efh567hg6787",
    "5157F09EFDC096DE15EBE81A47057A72",
    "PUB_KEY_ID_0114232134912410000",
)
APIV3 = "a7cde1ZJB1kG2e7VfTs3jQzaWizur8Gb"
ALIPAY_APP = "2021000000000001"

_keys: dict = {}


def keys():
    """Generated once per test process (RSA-2048 generation is slow); never written to the repo."""
    if not _keys:
        _keys.update(merchant=rsa.new_key(), platform=rsa.new_key(), app=rsa.new_key(), alipay=rsa.new_key())
    return _keys


@pytest.fixture
def merchant(settings, tmp_path):
    """This installation with WeChat Pay, Alipay and the sandbox, configured as docs/billing.md says."""
    k = keys()
    for name, pem in (
        ("apiclient_key.pem", rsa.private_pem(k["merchant"])),
        ("pub_key.pem", rsa.public_pem(k["platform"])),
        ("app_private.pem", rsa.private_pem(k["app"])),
        ("alipay_public.pem", rsa.public_pem(k["alipay"])),
    ):
        (tmp_path / name).write_text(pem)
    settings.LINLI_PAY_PROVIDERS = ["wechat", "alipay", "sandbox"]
    settings.LINLI_WECHATPAY_MCHID = MCHID
    settings.LINLI_WECHATPAY_APPID = APPID
    settings.LINLI_WECHATPAY_SERIAL = SERIAL
    settings.LINLI_WECHATPAY_KEY_FILE = str(tmp_path / "apiclient_key.pem")
    settings.LINLI_WECHATPAY_APIV3_KEY = APIV3
    settings.LINLI_WECHATPAY_PLATFORM_KEYS = [f"{PLATFORM_ID}={tmp_path / 'pub_key.pem'}"]
    settings.LINLI_ALIPAY_APP_ID = ALIPAY_APP
    settings.LINLI_ALIPAY_KEY_FILE = str(tmp_path / "app_private.pem")
    settings.LINLI_ALIPAY_PUBLIC_KEY_FILE = str(tmp_path / "alipay_public.pem")
    return k


# --- what WeChat's servers send ---------------------------------------------------------------


def wechat_notification(
    out_trade_no: str,
    total: int,
    *,
    event="TRANSACTION.SUCCESS",
    state="SUCCESS",
    notification_id: str | None = None,
    extra: dict | None = None,
    key=None,
    apiv3: str = APIV3,
    serial: str = PLATFORM_ID,
    at: int | None = None,
) -> tuple[dict, bytes]:
    """A payment (or refund) notification built to WeChat Pay APIv3's published format."""
    refund = event.startswith("REFUND.")
    payload = {
        "mchid": MCHID,
        "appid": APPID,
        "out_trade_no": out_trade_no,
        "transaction_id": "4200000" + secrets.token_hex(8),
        "trade_type": "NATIVE",
        "trade_state": state,
        "success_time": "2026-12-05T10:00:00+08:00",
        "amount": {"refund": total, "total": total}
        if refund
        else {"total": total, "payer_total": total, "currency": "CNY"},
        **(extra or {}),
    }
    body = json.dumps(
        {
            "id": notification_id or secrets.token_hex(18),
            "create_time": "2026-12-05T10:00:01+08:00",
            "event_type": event,
            "resource_type": "encrypt-resource",
            "summary": "支付成功",
            "resource": encrypt_resource(
                apiv3.encode(), json.dumps(payload).encode(), "refund" if refund else "transaction"
            )
            | {"original_type": "refund" if refund else "transaction"},
        }
    ).encode()
    return signed_headers(key or keys()["platform"], serial, body, now=at), body


def post_notification(provider: str, headers: dict, body: bytes, client: Client | None = None):
    client = client or Client()
    meta = {"HTTP_" + k.upper().replace("-", "_"): v for k, v in headers.items()}
    content_type = "application/x-www-form-urlencoded" if provider == "alipay" else "application/json"
    return client.post(f"/api/v1/billing/notify/{provider}", data=body, content_type=content_type, **meta)


def alipay_notification(
    out_trade_no: str, total: int, *, status="TRADE_SUCCESS", key=None, extra: dict | None = None
) -> bytes:
    params = {
        "notify_time": "2026-12-05 10:00:01",
        "notify_type": "trade_status_sync",
        "notify_id": secrets.token_hex(16),
        "app_id": ALIPAY_APP,
        "charset": "utf-8",
        "version": "1.0",
        "sign_type": "RSA2",
        "trade_no": "2026120522001" + secrets.token_hex(6),
        "out_trade_no": out_trade_no,
        "trade_status": status,
        "total_amount": yuan_of(total),
        "gmt_payment": "2026-12-05 10:00:00",
        **(extra or {}),
    }
    params["sign"] = rsa.sign(key or keys()["alipay"], signing_string(params))
    return urlencode(params).encode()


# --- the fake servers -------------------------------------------------------------------------


@dataclass
class FakeWeChat:
    """WeChat Pay's API as documented: it refuses a request whose Authorization does not verify
    with the merchant's public key, and signs every answer with the platform key."""

    orders: dict = field(default_factory=dict)  # out_trade_no -> {"total", "state", "txn"}
    refunds: dict = field(default_factory=dict)
    bill: bytes = b""
    seen: list = field(default_factory=list)
    sign_answers: bool = True

    def __call__(self, request: transport.Request) -> transport.Response:
        self.seen.append(request)
        url = urlsplit(request.url)
        path = url.path + (f"?{url.query}" if url.query else "")
        if url.netloc == "download.example":
            return self._answer(200, self.bill, raw=True)
        auth = request.headers.get("Authorization", "")
        fields = dict(
            part.split("=", 1) for part in auth.removeprefix("WECHATPAY2-SHA256-RSA2048 ").split(",")
        )
        fields = {k: v.strip('"') for k, v in fields.items()}
        message = (
            f"{request.method}\n{path}\n{fields['timestamp']}\n{fields['nonce_str']}\n".encode()
            + request.body
            + b"\n"
        )
        rsa.verify(keys()["merchant"].public_key(), message, fields["signature"])  # raises: a test fails
        assert fields["mchid"] == MCHID and fields["serial_no"] == SERIAL
        body = json.loads(request.body) if request.body else {}
        if url.path in ("/v3/pay/transactions/native", "/v3/pay/transactions/jsapi"):
            self.orders[body["out_trade_no"]] = {
                "total": body["amount"]["total"],
                "state": "NOTPAY",
                "txn": "",
            }
            if "jsapi" in url.path:
                return self._answer(200, {"prepay_id": "wx2016" + body["out_trade_no"]})
            return self._answer(200, {"code_url": f"weixin://wxpay/bizpayurl?pr={body['out_trade_no'][-8:]}"})
        if url.path.startswith("/v3/pay/transactions/out-trade-no/") and url.path.endswith("/close"):
            order = self.orders.get(url.path.split("/")[5])
            if order and order["state"] == "NOTPAY":
                order["state"] = "CLOSED"
            return self._answer(204, b"", raw=True)
        if url.path.startswith("/v3/pay/transactions/out-trade-no/"):
            no = url.path.rsplit("/", 1)[1]
            order = self.orders.get(no)
            if order is None:
                return self._answer(404, {"code": "ORDER_NOT_EXIST", "message": "订单不存在"})
            return self._answer(
                200,
                {
                    "out_trade_no": no,
                    "trade_state": order["state"],
                    "transaction_id": order["txn"],
                    "success_time": "2026-12-05T10:00:00+08:00",
                    "amount": {"total": order["total"]},
                },
            )
        if url.path == "/v3/refund/domestic/refunds":
            self.refunds[body["out_refund_no"]] = body
            return self._answer(
                200,
                {
                    "refund_id": "5030" + secrets.token_hex(6),
                    "out_refund_no": body["out_refund_no"],
                    "status": "PROCESSING",
                },
            )
        if url.path.startswith("/v3/refund/domestic/refunds/"):
            return self._answer(200, {"status": "SUCCESS"})
        if url.path == "/v3/bill/tradebill":
            return self._answer(
                200,
                {
                    "download_url": "https://download.example/bill",
                    "hash_type": "SHA1",
                    "hash_value": hashlib.sha1(self.bill).hexdigest(),
                },
            )
        return self._answer(404, {"code": "NOT_FOUND", "message": path})

    def pay(self, no: str) -> None:
        self.orders[no].update(state="SUCCESS", txn="4200000" + secrets.token_hex(8))

    def _answer(self, status: int, data, raw: bool = False) -> transport.Response:
        body = data if raw else json.dumps(data).encode()
        headers = {k.lower(): v for k, v in signed_headers(keys()["platform"], PLATFORM_ID, body).items()}
        return transport.Response(status, headers if self.sign_answers else {}, body)


@dataclass
class FakeAlipay:
    """Alipay's gateway: checks the RSA2 signature of our request, answers signed."""

    trades: dict = field(default_factory=dict)
    bill: bytes = b""
    seen: list = field(default_factory=list)

    def __call__(self, request: transport.Request) -> transport.Response:
        self.seen.append(request)
        if request.url.startswith("https://bill.example"):
            return transport.Response(200, {}, self.bill)
        params = dict(parse_qsl(request.body.decode()))
        rsa.verify(keys()["app"].public_key(), signing_string(params), params["sign"])
        assert params["app_id"] == ALIPAY_APP and params["sign_type"] == "RSA2"
        biz = json.loads(params["biz_content"])
        method = params["method"]
        if method == "alipay.trade.precreate":
            self.trades[biz["out_trade_no"]] = {"total": biz["total_amount"], "status": "WAIT_BUYER_PAY"}
            content = {
                "code": "10000",
                "msg": "Success",
                "out_trade_no": biz["out_trade_no"],
                "qr_code": "https://qr.alipay.com/bax0" + biz["out_trade_no"][-6:],
            }
        elif method == "alipay.trade.query":
            t = self.trades.get(biz["out_trade_no"])
            content = (
                {"code": "40004", "msg": "Business Failed", "sub_code": "ACQ.TRADE_NOT_EXIST"}
                if t is None
                else {
                    "code": "10000",
                    "msg": "Success",
                    "trade_status": t["status"],
                    "total_amount": t["total"],
                    "trade_no": "2026x",
                    "send_pay_date": "2026-12-05 10:00:00",
                }
            )
        elif method == "alipay.trade.refund":
            content = {
                "code": "10000",
                "msg": "Success",
                "fund_change": "Y",
                "refund_fee": biz["refund_amount"],
            }
        elif method == "alipay.trade.close":
            content = {"code": "10000", "msg": "Success"}
        elif method == "alipay.data.dataservice.bill.downloadurl.query":
            content = {"code": "10000", "msg": "Success", "bill_download_url": "https://bill.example/x.zip"}
        else:
            content = {"code": "40004", "msg": "Business Failed"}
        node = method.replace(".", "_") + "_response"
        text = json.dumps(content, ensure_ascii=False)
        body = '{"' + node + '":' + text + ',"sign":"' + rsa.sign(keys()["alipay"], text.encode()) + '"}'
        return transport.Response(200, {"content-type": "application/json"}, body.encode())


@pytest.fixture
def wechat_server():
    fake = FakeWeChat()
    previous = transport.use(fake)
    yield fake
    transport.use(previous)


@pytest.fixture
def alipay_server():
    fake = FakeAlipay()
    previous = transport.use(fake)
    yield fake
    transport.use(previous)


# --- bills ------------------------------------------------------------------------------------


def paid_by_wechat(api, user, bill):
    """The resident orders `bill` through WeChat Pay and WeChat notifies that it was paid."""
    answer = api(user).post(
        "/billing/my/orders", {"house": bill.house_id, "channel": "wechat", "bills": [bill.pk]}
    )
    no = answer.json()["out_trade_no"]
    post_notification("wechat", *wechat_notification(no, bill.owed_fen))
    return Payment.objects.get(out_trade_no=no)


def assert_ledger_ok():
    report = ledger.verify()
    assert report.ok, report.problems


def wechat_trade_bill(rows: list[tuple[str, str, int, str]]) -> bytes:
    """A trade bill (交易账单) as WeChat's download sends it: (time, out_trade_no, fen, SUCCESS|REFUND)."""
    head = "交易时间,公众账号ID,商户号,特约商户号,设备号,微信订单号,商户订单号,用户标识,交易类型,交易状态,付款银行,货币种类,应结订单金额,代金券金额,微信退款单号,商户退款单号,退款金额,充值券退款金额,退款类型,退款状态,商品名称,商户数据包,手续费,费率,订单金额,申请退款金额,费率备注"
    lines = [head]
    for at, no, fen, state in rows:
        refund = state == "REFUND"
        cells = [
            at,
            APPID,
            MCHID,
            "0",
            "",
            "4200000" + no[-6:],
            no,
            "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o",
            "NATIVE",
            state,
            "OTHERS",
            "CNY",
            "0.00" if refund else yuan_of(fen),
            "0.00",
            "5030" if refund else "0",
            ("RF" + no[2:]) if refund else "0",
            yuan_of(fen) if refund else "0.00",
            "0.00",
            "ORIGINAL" if refund else "",
            "SUCCESS" if refund else "",
            "物业缴费",
            "",
            "0.00",
            "0.60%",
            yuan_of(fen),
            "0.00",
            "",
        ]
        lines.append(",".join("`" + c for c in cells))
    lines.append(
        "总交易单数,应结订单总金额,退款总金额,充值券退款总金额,手续费总金额,订单总金额,申请退款总金额"
    )
    lines.append(f"`{len(rows)},`0.00,`0.00,`0.00,`0.00,`0.00,`0.00")
    return ("\n".join(lines) + "\n").encode()


def alipay_trade_bill(rows: list[tuple[str, str, int, str]]) -> bytes:
    """Alipay's bill zip: a GBK detail CSV (…_业务明细.csv) with its # comment block."""
    head = "支付宝交易号,商户订单号,业务类型,商品名称,创建时间,完成时间,门店编号,门店名称,操作员,终端号,对方账户,订单金额（元）,商家实收（元）,支付宝红包（元）,集分宝（元）,支付宝优惠（元）,商家优惠（元）,券核销金额（元）,券名称,商家红包消费金额（元）,卡消费金额（元）,退款批次号/请求号,服务费（元）,分润（元）,备注"
    out = [
        "#支付宝业务明细查询",
        "#账号：[20880000000000000156]",
        "#起始日期：[2026年12月05日 00:00:00]   终止日期：[2026年12月06日 00:00:00]",
        "#-----------------------------------------业务明细列表----------------------------------------",
        head,
    ]
    for at, no, fen, kind in rows:
        refund = kind == "退款"
        amount = ("-" if refund else "") + yuan_of(fen)
        out.append(
            ",".join(
                [
                    "2026120522001" + no[-6:],
                    no,
                    kind,
                    "物业缴费",
                    at,
                    at,
                    "",
                    "",
                    "",
                    "",
                    "buyer@example.cn",
                    amount,
                    amount,
                    "0.00",
                    "0.00",
                    "0.00",
                    "0.00",
                    "0.00",
                    "",
                    "0.00",
                    "0.00",
                    ("RF" + no[2:]) if refund else "",
                    "0.00",
                    "0.00",
                    "",
                ]
            )
        )
    out += [
        "#-----------------------------------------业务明细列表结束------------------------------------",
        "#交易合计：1笔，退款合计：0笔",
    ]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("20880000000000000156_20261205_业务明细.csv", "\n".join(out).encode("gbk"))
        archive.writestr("20880000000000000156_20261205_业务明细(汇总).csv", "#汇总".encode("gbk"))
    return buffer.getvalue()


__all__ = [
    "alipay_notification",
    "alipay_server",
    "alipay_trade_bill",
    "assert_ledger_ok",
    "keys",
    "make_bill",
    "merchant",
    "post_notification",
    "wechat_notification",
    "wechat_server",
    "wechat_trade_bill",
]
