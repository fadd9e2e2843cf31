"""One interface for every online payment provider (WeChat Pay v3, Alipay, the sandbox).

A provider turns our order into what the payer's client needs (a QR code URL, JSAPI parameters,
a page to open), verifies what its servers send back (never skipping the signature), answers
order and refund queries, and hands over its trade bill for reconciliation. Services never see
a provider's wire format; the network calls go through `transport` so tests can stand in for
the provider's servers (and only those).
"""

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Protocol

# Where the payer is: "qr" shows a code to scan from another screen (WeChat Native, Alipay
# precreate); "wap" sends a phone's browser to the provider's own cashier (Alipay 手机网站支付).
# A provider without a phone cashier (WeChat here, the sandbox) answers both the same way.
SCENES = ("qr", "wap")


class BadNotification(Exception):
    """A notification whose signature, certificate, timestamp or ciphertext does not verify."""


class ProviderUnavailable(Exception):
    """The provider's servers could not be reached or answered with an error."""


@dataclass(frozen=True)
class Order:
    out_trade_no: str
    amount_fen: int
    description: str
    notify_url: str
    client_ip: str = ""
    payer_openid: str = ""  # JSAPI only
    expires_at: datetime | None = None
    scene: str = "qr"
    return_url: str = ""  # where the provider's cashier sends the payer back (page and wap pay)
    quit_url: str = ""  # where a payer who gives up on the cashier goes (wap pay)


@dataclass(frozen=True)
class OrderStart:
    # "qr" (code_url to render), "jsapi" (params for WeixinJSBridge), "redirect" (a page to
    # open: page pay, the sandbox's cashier), "wap" (send the phone's browser there now)
    kind: str
    code_url: str = ""
    redirect_url: str = ""
    jsapi: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Notice:
    """A verified payment notification."""

    notification_id: str
    out_trade_no: str
    provider_txn_id: str
    amount_fen: int
    paid: bool
    paid_at: datetime | None
    raw: str  # the decrypted/decoded payload, kept on the notification record
    # A refund's notice (WeChat's REFUND.*): which refund, and "done", "failed" or "pending".
    out_refund_no: str = ""
    refund_status: str = ""


@dataclass(frozen=True)
class OrderState:
    out_trade_no: str
    paid: bool
    amount_fen: int
    provider_txn_id: str = ""
    paid_at: datetime | None = None


@dataclass(frozen=True)
class RefundResult:
    out_refund_no: str
    accepted: bool
    done: bool
    message: str = ""


@dataclass(frozen=True)
class StatementRow:
    day: date
    out_trade_no: str
    provider_txn_id: str
    amount_fen: int
    kind: str = "payment"  # or "refund"
    out_refund_no: str = ""  # a refund's our number (商户退款单号)


class Provider(Protocol):
    channel: str

    def start(self, order: Order) -> OrderStart: ...

    def verify_notification(self, headers: dict[str, str], body: bytes) -> Notice: ...

    def acknowledgement(self, ok: bool) -> tuple[int, str, str]:
        """(status, content type, body) the provider expects in answer to a notification."""
        ...

    def query(self, out_trade_no: str) -> OrderState: ...

    def refund(
        self, *, out_trade_no: str, out_refund_no: str, refund_fen: int, total_fen: int, reason: str
    ) -> RefundResult: ...

    def refund_query(self, out_refund_no: str) -> RefundResult: ...

    def close(self, out_trade_no: str) -> None:
        """Close an unpaid order at the provider, so it can no longer be paid."""
        ...

    def statement(self, day: date) -> list[StatementRow]: ...

    def parse_statement(self, data: bytes) -> list[StatementRow]:
        """A trade bill file as the provider's console downloads it (for an upload)."""
        ...
