"""WeChat Pay API v3 (微信支付 APIv3): Native (QR) and JSAPI orders, notifications, query,
refund and the trade bill, with the `cryptography` primitives.

- Every request carries `Authorization: WECHATPAY2-SHA256-RSA2048 mchid=…,nonce_str=…,
  timestamp=…,serial_no=…,signature=…`, the signature being RSA-SHA256 with the merchant's key
  over `METHOD\\nPATH?QUERY\\nTIMESTAMP\\nNONCE\\nBODY\\n`.
- Every answer and notification is signed by WeChat the same way over `TIMESTAMP\\nNONCE\\nBODY\\n`
  (headers Wechatpay-Timestamp/-Nonce/-Signature/-Serial); it is verified with the platform
  certificate or public key that the serial names, and refused when older than 5 minutes.
- A notification's `resource` is AES-256-GCM encrypted with the APIv3 key (nonce and
  associated_data given beside the ciphertext).

The sandbox provider reuses this class whole: it is a WeChat Pay with keys of its own.
"""

import base64
import csv
import hashlib
import io
import json
import secrets
import time
from dataclasses import dataclass
from datetime import date, datetime
from urllib.parse import urlencode, urlsplit

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.asymmetric import rsa as rsa_types
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from linli.billing.providers import rsa, transport
from linli.billing.providers.amounts import fen_of
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

MAX_AGE_SECONDS = 300
PAID_STATES = {"SUCCESS"}
REFUND_DONE = {"SUCCESS"}
REFUND_FAILED = {"CLOSED", "ABNORMAL"}


@dataclass(frozen=True)
class WeChatPayConfig:
    mchid: str
    appid: str
    serial: str  # the merchant API certificate's serial number
    private_key: rsa_types.RSAPrivateKey
    apiv3_key: bytes  # 32 bytes
    platform_keys: dict[str, rsa_types.RSAPublicKey]  # serial (or 微信支付公钥 ID) -> key
    base_url: str = "https://api.mch.weixin.qq.com"
    refund_notify_url: str = ""


def decrypt_resource(apiv3_key: bytes, resource: dict) -> bytes:
    try:
        return AESGCM(apiv3_key).decrypt(
            resource["nonce"].encode(),
            base64.b64decode(resource["ciphertext"]),
            (resource.get("associated_data") or "").encode(),
        )
    except (InvalidTag, KeyError, ValueError, TypeError, AttributeError) as error:
        raise BadNotification("bad_ciphertext") from error


def encrypt_resource(apiv3_key: bytes, plaintext: bytes, associated_data: str) -> dict:
    """What WeChat's servers do to a notification's payload (the sandbox does the same)."""
    nonce = secrets.token_urlsafe(9)[:12]
    ciphertext = AESGCM(apiv3_key).encrypt(nonce.encode(), plaintext, associated_data.encode())
    return {
        "algorithm": "AEAD_AES_256_GCM",
        "ciphertext": base64.b64encode(ciphertext).decode(),
        "associated_data": associated_data,
        "nonce": nonce,
    }


def signed_headers(key: rsa_types.RSAPrivateKey, serial: str, body: bytes, now: int | None = None) -> dict:
    """The Wechatpay-* headers WeChat puts on an answer or a notification."""
    timestamp, nonce = str(now if now is not None else int(time.time())), secrets.token_hex(16)
    message = f"{timestamp}\n{nonce}\n".encode() + body + b"\n"
    return {
        "Wechatpay-Timestamp": timestamp,
        "Wechatpay-Nonce": nonce,
        "Wechatpay-Signature": rsa.sign(key, message),
        "Wechatpay-Serial": serial,
    }


def _header(headers: dict[str, str], name: str) -> str:
    lowered = {k.lower(): v for k, v in headers.items()}
    return lowered.get(name.lower(), "") or lowered.get("http_" + name.lower().replace("-", "_"), "")


def _paid_at(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _fields(data: object, **types: type) -> dict:
    """`data`'s fields, each of its type (a missing one is that type's empty value). WeChat
    sends each field with one type: anything else did not come from it, whoever signed it."""
    if not isinstance(data, dict):
        raise BadNotification("bad_body")
    out = {}
    for name, kind in types.items():
        value = data.get(name, kind())
        if type(value) is not kind:  # `is`, not isinstance: True is no amount
            raise BadNotification("bad_body")
        out[name] = value
    return out


class WeChatPay:
    channel = "wechat"

    def __init__(self, config: WeChatPayConfig):
        self.config = config

    # --- signatures ------------------------------------------------------------------------
    def authorization(self, method: str, url: str, body: bytes) -> str:
        parts = urlsplit(url)
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        timestamp, nonce = str(int(time.time())), secrets.token_hex(16)
        message = f"{method}\n{path}\n{timestamp}\n{nonce}\n".encode() + body + b"\n"
        signature = rsa.sign(self.config.private_key, message)
        return (
            f'WECHATPAY2-SHA256-RSA2048 mchid="{self.config.mchid}",nonce_str="{nonce}",'
            f'signature="{signature}",timestamp="{timestamp}",serial_no="{self.config.serial}"'
        )

    def verify_signed(self, headers: dict[str, str], body: bytes) -> None:
        """WeChat's signature on a notification or an answer; raises BadNotification."""
        timestamp = _header(headers, "Wechatpay-Timestamp")
        nonce = _header(headers, "Wechatpay-Nonce")
        signature = _header(headers, "Wechatpay-Signature")
        key = self.config.platform_keys.get(_header(headers, "Wechatpay-Serial"))
        if not (timestamp and nonce and signature):
            raise BadNotification("missing_signature")
        if key is None:
            raise BadNotification("unknown_serial")
        if (
            not (timestamp.isascii() and timestamp.isdigit())
            or abs(time.time() - int(timestamp)) > MAX_AGE_SECONDS
        ):
            raise BadNotification("stale_timestamp")
        rsa.verify(key, f"{timestamp}\n{nonce}\n".encode() + body + b"\n", signature)

    # --- calls ------------------------------------------------------------------------------
    def call(self, method: str, path: str, payload: dict | None = None, *, expect_body: bool = True) -> dict:
        url = self.config.base_url + path
        body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode() if payload else b""
        headers = {
            "Authorization": self.authorization(method, url, body),
            "Accept": "application/json",
            "Content-Type": "application/json",
            "User-Agent": "linli",
        }
        answer = transport.send(transport.Request(method, url, headers, body))
        if answer.status >= 500 or answer.status in (401, 403, 429):
            raise ProviderUnavailable(f"wechat {answer.status}: {answer.body[:200]!r}")
        try:
            self.verify_signed(answer.headers, answer.body)  # never act on an unsigned answer
        except BadNotification as error:
            raise ProviderUnavailable(f"wechat answer not signed: {error}") from error
        data = json.loads(answer.body) if answer.body else {}
        if answer.status >= 400:
            return {"_status": answer.status, **data}
        return data

    def _order_body(self, order: Order) -> dict:
        body = {
            "appid": self.config.appid,
            "mchid": self.config.mchid,
            "description": order.description[:127],
            "out_trade_no": order.out_trade_no,
            "notify_url": order.notify_url,
            "amount": {"total": order.amount_fen, "currency": "CNY"},
        }
        if order.expires_at:
            body["time_expire"] = order.expires_at.isoformat(timespec="seconds")
        return body

    def start(self, order: Order) -> OrderStart:
        if order.payer_openid:  # JSAPI: inside WeChat, the page calls WeixinJSBridge
            body = self._order_body(order) | {"payer": {"openid": order.payer_openid}}
            answer = self.call("POST", "/v3/pay/transactions/jsapi", body)
            if "prepay_id" not in answer:
                raise ProviderUnavailable(f"wechat jsapi: {answer.get('message', answer)}")
            return OrderStart(kind="jsapi", jsapi=self.jsapi_params(answer["prepay_id"]))
        answer = self.call("POST", "/v3/pay/transactions/native", self._order_body(order))
        if "code_url" not in answer:
            raise ProviderUnavailable(f"wechat native: {answer.get('message', answer)}")
        return OrderStart(kind="qr", code_url=answer["code_url"])

    def jsapi_params(self, prepay_id: str) -> dict:
        """What WeixinJSBridge.invoke('getBrandWCPayRequest', …) takes, signed by the merchant."""
        timestamp, nonce, package = str(int(time.time())), secrets.token_hex(16), f"prepay_id={prepay_id}"
        message = f"{self.config.appid}\n{timestamp}\n{nonce}\n{package}\n".encode()
        return {
            "appId": self.config.appid,
            "timeStamp": timestamp,
            "nonceStr": nonce,
            "package": package,
            "signType": "RSA",
            "paySign": rsa.sign(self.config.private_key, message),
        }

    def verify_notification(self, headers: dict[str, str], body: bytes) -> Notice:
        self.verify_signed(headers, body)
        try:
            envelope = _fields(json.loads(body), id=str, event_type=str, resource=dict)
            payload = json.loads(decrypt_resource(self.config.apiv3_key, envelope["resource"]))
        except ValueError as error:
            raise BadNotification("bad_body") from error
        payload_fields = _fields(
            payload,
            mchid=str,
            out_trade_no=str,
            transaction_id=str,
            trade_state=str,
            success_time=str,
            amount=dict,
            out_refund_no=str,
            refund_status=str,
        )
        amount = _fields(payload_fields["amount"], total=int, refund=int)
        if not envelope["id"]:  # it is what a replay is recognised by
            raise BadNotification("bad_body")
        if payload_fields["mchid"] not in ("", self.config.mchid):
            raise BadNotification("other_merchant")
        common = {
            "notification_id": envelope["id"],
            "out_trade_no": payload_fields["out_trade_no"],
            "provider_txn_id": payload_fields["transaction_id"],
            "raw": json.dumps(payload, ensure_ascii=False),
        }
        if envelope["event_type"].startswith("REFUND."):
            return Notice(
                **common,
                amount_fen=amount["refund"],
                paid=False,
                paid_at=None,
                out_refund_no=payload_fields["out_refund_no"],
                refund_status=_refund_status(payload_fields["refund_status"]),
            )
        try:
            paid_at = _paid_at(payload_fields["success_time"])
        except ValueError as error:
            raise BadNotification("bad_body") from error
        return Notice(
            **common,
            amount_fen=amount["total"],
            paid=payload_fields["trade_state"] in PAID_STATES,
            paid_at=paid_at,
        )

    def acknowledgement(self, ok: bool) -> tuple[int, str, str]:
        # APIv3: 200/204 means received; anything else makes WeChat retry (15s, 15s, 30s, 3m …).
        if ok:
            return 204, "application/json", ""
        return 400, "application/json", json.dumps({"code": "FAIL", "message": "失败"}, ensure_ascii=False)

    def query(self, out_trade_no: str) -> OrderState:
        answer = self.call(
            "GET",
            f"/v3/pay/transactions/out-trade-no/{out_trade_no}?{urlencode({'mchid': self.config.mchid})}",
        )
        if answer.get("_status") == 404:
            return OrderState(out_trade_no=out_trade_no, paid=False, amount_fen=0)
        return OrderState(
            out_trade_no=out_trade_no,
            paid=answer.get("trade_state") in PAID_STATES,
            amount_fen=int((answer.get("amount") or {}).get("total", 0)),
            provider_txn_id=str(answer.get("transaction_id", "")),
            paid_at=_paid_at(answer.get("success_time")),
        )

    def close(self, out_trade_no: str) -> None:
        self.call(
            "POST", f"/v3/pay/transactions/out-trade-no/{out_trade_no}/close", {"mchid": self.config.mchid}
        )

    def refund(
        self, *, out_trade_no: str, out_refund_no: str, refund_fen: int, total_fen: int, reason: str
    ) -> RefundResult:
        body = {
            "out_trade_no": out_trade_no,
            "out_refund_no": out_refund_no,
            "reason": reason[:80],
            "amount": {"refund": refund_fen, "total": total_fen, "currency": "CNY"},
        }
        if self.config.refund_notify_url:
            body["notify_url"] = self.config.refund_notify_url
        return self._refund_result(out_refund_no, self.call("POST", "/v3/refund/domestic/refunds", body))

    def refund_query(self, out_refund_no: str) -> RefundResult:
        return self._refund_result(
            out_refund_no, self.call("GET", f"/v3/refund/domestic/refunds/{out_refund_no}")
        )

    @staticmethod
    def _refund_result(out_refund_no: str, answer: dict) -> RefundResult:
        status = _refund_status(answer.get("status", ""))
        if "_status" in answer:
            return RefundResult(
                out_refund_no, accepted=False, done=False, message=str(answer.get("message", ""))
            )
        return RefundResult(out_refund_no, accepted=status != "failed", done=status == "done", message=status)

    def statement(self, day: date) -> list[StatementRow]:
        query = urlencode({"bill_date": day.isoformat(), "bill_type": "ALL"})
        answer = self.call("GET", f"/v3/bill/tradebill?{query}")
        if "download_url" not in answer:
            if answer.get("code") == "NO_STATEMENT_EXIST":  # no trade that day
                return []
            raise ProviderUnavailable(f"wechat tradebill: {answer.get('message', answer)}")
        url = answer["download_url"]
        got = transport.send(
            transport.Request("GET", url, {"Authorization": self.authorization("GET", url, b"")})
        )
        if got.status != 200:
            raise ProviderUnavailable(f"wechat bill download {got.status}")
        if answer.get("hash_type", "SHA1") == "SHA1" and answer.get("hash_value"):
            if hashlib.sha1(got.body).hexdigest() != answer["hash_value"].lower():
                raise ProviderUnavailable("wechat bill download: hash differs")
        return self.parse_statement(got.body)

    @staticmethod
    def parse_statement(data: bytes) -> list[StatementRow]:
        """The trade bill (交易账单) CSV: a header row, one row per payment or refund (each field
        prefixed with a backtick), then two summary rows that start with 总交易单数."""
        text = data.decode("utf-8-sig")
        rows = list(csv.reader(io.StringIO(text)))
        if not rows or "商户订单号" not in rows[0]:
            raise ValueError("not a WeChat Pay trade bill")
        col = {name.strip(): i for i, name in enumerate(rows[0])}
        out = []
        for row in rows[1:]:
            if not row or row[0].startswith("总交易单数") or not row[0].startswith("`"):
                break
            cell = {name: row[i].lstrip("`").strip() for name, i in col.items() if i < len(row)}
            refund = cell.get("交易状态") == "REFUND"
            out.append(
                StatementRow(
                    day=datetime.fromisoformat(cell["交易时间"]).date(),
                    out_trade_no=cell["商户订单号"],
                    provider_txn_id=cell.get("微信订单号", ""),
                    amount_fen=fen_of(cell["退款金额" if refund else "应结订单金额"]),
                    kind="refund" if refund else "payment",
                    out_refund_no=cell.get("商户退款单号", "") if refund else "",
                )
            )
        return out


def _refund_status(value: str) -> str:
    if value in REFUND_DONE:
        return "done"
    if value in REFUND_FAILED:
        return "failed"
    return "pending"
