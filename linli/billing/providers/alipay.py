"""Alipay (支付宝开放平台) with RSA2: precreate (当面付 QR), page pay (电脑网站支付) and wap pay
(手机网站支付), asynchronous notifications and the signed return, query, refund and the trade
bill, with the `cryptography` primitives.

- A request is the common parameters plus `biz_content` (JSON), signed RSA-SHA256 with the
  app's private key over the parameters sorted by name, `k=v` joined by `&`, without `sign`
  and empty values.
- An answer is `{"<method>_response": {...}, "sign": "..."}`, signed by Alipay over the
  response object's exact text; it is verified with Alipay's public key before it is used.
- A notification is a form whose parameters, minus `sign` and `sign_type`, are signed the same
  way; it must name our app_id. The acknowledgement is the text `success`. The parameters the
  cashier appends to `return_url` when it sends the payer back are signed the same way too.
- Page and wap pay make no server call: the payer's browser opens the gateway with the signed
  request as its query string.
"""

import csv
import io
import json
import zipfile
from dataclasses import dataclass
from datetime import date, datetime
from urllib.parse import parse_qsl, urlencode
from zoneinfo import ZoneInfo

from cryptography.hazmat.primitives.asymmetric import rsa as rsa_types

from linli.billing.providers import rsa, transport
from linli.billing.providers.amounts import fen_of, yuan_of
from linli.billing.providers.base import (
    BadNotification,
    Notice,
    Order,
    OrderStart,
    OrderState,
    ProviderUnavailable,
    RefundResult,
    StatementRow,
)

CHINA = ZoneInfo("Asia/Shanghai")  # Alipay's times are Beijing time without an offset
PAID_STATES = {"TRADE_SUCCESS", "TRADE_FINISHED"}


@dataclass(frozen=True)
class AlipayConfig:
    app_id: str
    private_key: rsa_types.RSAPrivateKey  # the app's (应用私钥)
    alipay_public_key: rsa_types.RSAPublicKey  # Alipay's (支付宝公钥)
    gateway: str = "https://openapi.alipay.com/gateway.do"


def signing_string(params: dict[str, str]) -> bytes:
    return "&".join(
        f"{k}={v}"
        for k, v in sorted(params.items())
        if k not in ("sign", "sign_type") and v not in ("", None)
    ).encode()


def _china_time(value: str | None) -> datetime | None:
    return datetime.strptime(value, "%Y-%m-%d %H:%M:%S").replace(tzinfo=CHINA) if value else None


class Alipay:
    channel = "alipay"

    def __init__(self, config: AlipayConfig):
        self.config = config

    def signed_params(
        self, method: str, biz: dict, notify_url: str = "", return_url: str = ""
    ) -> dict[str, str]:
        params = {
            "app_id": self.config.app_id,
            "method": method,
            "format": "JSON",
            "charset": "utf-8",
            "sign_type": "RSA2",
            "timestamp": datetime.now(CHINA).strftime("%Y-%m-%d %H:%M:%S"),
            "version": "1.0",
            "notify_url": notify_url,
            "return_url": return_url,
            "biz_content": json.dumps(biz, ensure_ascii=False, separators=(",", ":")),
        }
        params = {k: v for k, v in params.items() if v}
        params["sign"] = rsa.sign(self.config.private_key, signing_string(params))
        return params

    def call(self, method: str, biz: dict, notify_url: str = "") -> dict:
        body = urlencode(self.signed_params(method, biz, notify_url)).encode()
        answer = transport.send(
            transport.Request(
                "POST",
                self.config.gateway,
                {"Content-Type": "application/x-www-form-urlencoded;charset=utf-8"},
                body,
            )
        )
        if answer.status != 200:
            raise ProviderUnavailable(f"alipay {answer.status}")
        return self.verify_answer(method, answer.body.decode())

    def verify_answer(self, method: str, text: str) -> dict:
        """The response object, once its signature over its exact text is verified."""
        node = method.replace(".", "_") + "_response"
        try:
            data = json.loads(text)
            start = text.index(f'"{node}"')
            start = text.index("{", start)
            _, end = json.JSONDecoder().raw_decode(text, start)
            content = data[node]
        except (ValueError, KeyError) as error:
            raise ProviderUnavailable(f"alipay answer unreadable: {text[:200]}") from error
        if content.get("code") != "10000" and "sign" not in data:
            return content  # gateway-level errors (bad app id …) carry no signature
        try:
            rsa.verify(self.config.alipay_public_key, text[start:end].encode(), data.get("sign", ""))
        except BadNotification as error:
            raise ProviderUnavailable("alipay answer not signed") from error
        return content

    def _biz(self, order: Order) -> dict:
        biz = {
            "out_trade_no": order.out_trade_no,
            "total_amount": yuan_of(order.amount_fen),
            "subject": order.description[:256],
        }
        if order.expires_at:
            biz["time_expire"] = order.expires_at.astimezone(CHINA).strftime("%Y-%m-%d %H:%M:%S")
        return biz

    def start(self, order: Order) -> OrderStart:
        if order.scene == "wap":
            return self.wap_pay_url(order)
        answer = self.call("alipay.trade.precreate", self._biz(order), order.notify_url)
        if answer.get("code") != "10000":
            raise ProviderUnavailable(f"alipay precreate: {answer.get('sub_msg') or answer.get('msg')}")
        return OrderStart(kind="qr", code_url=answer["qr_code"])

    def page_pay_url(self, order: Order) -> OrderStart:
        """Page pay (电脑网站支付): a computer's browser opens Alipay's cashier."""
        biz = self._biz(order) | {"product_code": "FAST_INSTANT_TRADE_PAY"}
        return OrderStart(
            kind="redirect", redirect_url=self._cashier_url("alipay.trade.page.pay", biz, order)
        )

    def wap_pay_url(self, order: Order) -> OrderStart:
        """Wap pay (手机网站支付): the phone's browser goes to Alipay's mobile cashier, which opens
        the Alipay app when it is installed; `quit_url` is where a payer who gives up goes."""
        biz = self._biz(order) | {"product_code": "QUICK_WAP_WAY"}
        if order.quit_url:
            biz["quit_url"] = order.quit_url
        return OrderStart(kind="wap", redirect_url=self._cashier_url("alipay.trade.wap.pay", biz, order))

    def _cashier_url(self, method: str, biz: dict, order: Order) -> str:
        params = self.signed_params(method, biz, order.notify_url, order.return_url)
        return f"{self.config.gateway}?{urlencode(params)}"

    def _verified(self, params: dict[str, str]) -> dict[str, str]:
        """Parameters Alipay signed (a notification, a return), once they verify and name our app."""
        if params.get("sign_type", "RSA2") != "RSA2":
            raise BadNotification("bad_sign_type")
        rsa.verify(self.config.alipay_public_key, signing_string(params), params.get("sign", ""))
        if params.get("app_id") != self.config.app_id:
            raise BadNotification("other_app")
        return params

    def verify_return(self, params: dict[str, str]) -> str:
        """The order a payer comes back from (the cashier's redirect to `return_url`). Only the
        signature is checked: a return says where the payer went, never that they paid."""
        return self._verified(params).get("out_trade_no", "")

    def verify_notification(self, headers: dict[str, str], body: bytes) -> Notice:
        try:
            params = dict(parse_qsl(body.decode(), keep_blank_values=True, strict_parsing=True))
        except (UnicodeDecodeError, ValueError) as error:
            raise BadNotification("bad_body") from error
        self._verified(params)
        if not params.get("notify_id"):  # it is what a replay is recognised by
            raise BadNotification("bad_body")
        try:
            amount = fen_of(params.get("total_amount", "0"))
        except ValueError as error:
            raise BadNotification("bad_amount") from error
        try:
            paid_at = _china_time(params.get("gmt_payment"))
        except ValueError as error:
            raise BadNotification("bad_body") from error
        raw = {k: v for k, v in params.items() if k != "sign"}
        return Notice(
            notification_id=params["notify_id"],
            out_trade_no=params.get("out_trade_no", ""),
            provider_txn_id=params.get("trade_no", ""),
            amount_fen=amount,
            # A refund also notifies (refund_fee set, TRADE_SUCCESS or TRADE_CLOSED): not a payment.
            paid=params.get("trade_status") in PAID_STATES and not params.get("refund_fee"),
            paid_at=paid_at,
            raw=json.dumps(raw, ensure_ascii=False),
            out_refund_no=params.get("out_biz_no", ""),
            refund_status="done" if params.get("refund_fee") else "",
        )

    def acknowledgement(self, ok: bool) -> tuple[int, str, str]:
        return 200, "text/plain", "success" if ok else "fail"

    def query(self, out_trade_no: str) -> OrderState:
        answer = self.call("alipay.trade.query", {"out_trade_no": out_trade_no})
        if answer.get("code") != "10000":
            return OrderState(out_trade_no=out_trade_no, paid=False, amount_fen=0)
        return OrderState(
            out_trade_no=out_trade_no,
            paid=answer.get("trade_status") in PAID_STATES,
            amount_fen=fen_of(answer.get("total_amount", "0")),
            provider_txn_id=answer.get("trade_no", ""),
            paid_at=_china_time(answer.get("send_pay_date")),
        )

    def close(self, out_trade_no: str) -> None:
        self.call("alipay.trade.close", {"out_trade_no": out_trade_no})

    def refund(
        self, *, out_trade_no: str, out_refund_no: str, refund_fen: int, total_fen: int, reason: str
    ) -> RefundResult:
        biz = {
            "out_trade_no": out_trade_no,
            "refund_amount": yuan_of(refund_fen),
            "out_request_no": out_refund_no,
            "refund_reason": reason[:256],
        }
        answer = self.call("alipay.trade.refund", biz)
        ok = answer.get("code") == "10000"
        # Alipay refunds synchronously: fund_change "Y" means the money moved now.
        return RefundResult(out_refund_no, accepted=ok, done=ok, message=answer.get("sub_msg", ""))

    def refund_query(self, out_refund_no: str) -> RefundResult:
        # The refund query needs the order number too; Alipay's refunds finish synchronously.
        return RefundResult(out_refund_no, accepted=True, done=True)

    def statement(self, day: date) -> list[StatementRow]:
        answer = self.call(
            "alipay.data.dataservice.bill.downloadurl.query",
            {"bill_type": "trade", "bill_date": day.isoformat()},
        )
        if answer.get("code") != "10000":
            if answer.get("sub_code") == "isp.bill_not_exist":
                return []
            raise ProviderUnavailable(f"alipay bill: {answer.get('sub_msg') or answer.get('msg')}")
        got = transport.send(transport.Request("GET", answer["bill_download_url"]))
        if got.status != 200:
            raise ProviderUnavailable(f"alipay bill download {got.status}")
        return self.parse_statement(got.body)

    @staticmethod
    def parse_statement(data: bytes) -> list[StatementRow]:
        """The trade bill: a zip with a GBK CSV of details (…_业务明细.csv): comment lines start
        with #, then a header row, rows of 交易 or 退款, and a closing #-block."""
        if data[:2] == b"PK":
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                names = [n for n in archive.namelist() if "汇总" not in n and n.endswith(".csv")]
                if not names:
                    raise ValueError("no detail file in the Alipay bill")
                data = archive.read(names[0])
        text = data.decode("gbk") if not data.startswith(b"\xef\xbb\xbf") else data.decode("utf-8-sig")
        lines = [line for line in text.splitlines() if line.strip() and not line.startswith("#")]
        rows = list(csv.reader(lines))
        if not rows or "商户订单号" not in [c.strip() for c in rows[0]]:
            raise ValueError("not an Alipay trade bill")
        col = {name.strip(): i for i, name in enumerate(rows[0])}
        out = []
        for row in rows[1:]:
            cell = {name: row[i].strip() for name, i in col.items() if i < len(row)}
            refund = cell.get("业务类型") == "退款"
            out.append(
                StatementRow(
                    day=datetime.strptime(cell["完成时间"], "%Y-%m-%d %H:%M:%S").date(),
                    out_trade_no=cell["商户订单号"],
                    provider_txn_id=cell.get("支付宝交易号", ""),
                    amount_fen=abs(fen_of(cell["订单金额（元）"])),
                    kind="refund" if refund else "payment",
                    out_refund_no=cell.get("退款批次号/请求号", "") if refund else "",
                )
            )
        return out
