"""The sandbox: a payment provider for the demo and for installations without a merchant account.

It is WeChat Pay v3 with keys generated for this installation (var/sandbox_pay.json): its pay
page (/billing/sandbox/pay/<out_trade_no>) records the payment in the sandbox's own books and
produces a notification in WeChat's exact format — signed with the sandbox's RSA key, resource
encrypted with its APIv3 key — which goes through the same notification service and the same
`WeChatPay.verify_notification` as a real one. Query, refund and the trade bill answer from
those books.
"""

import json
import secrets
from datetime import date
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from linli.billing.providers import rsa
from linli.billing.providers.base import Order, OrderStart, OrderState, RefundResult, StatementRow
from linli.billing.providers.wechatpay import WeChatPay, WeChatPayConfig, encrypt_resource, signed_headers
from linli.billing.services import sandbox as books
from linli.core.secrets import ensure_secret_file

KEY_FILE = "sandbox_pay.json"


def _new_keys() -> str:
    return json.dumps(
        {
            "private_key": rsa.private_pem(rsa.new_key()),
            "apiv3_key": secrets.token_urlsafe(24)[:32],
            "serial": secrets.token_hex(20).upper(),
        }
    )


@lru_cache(maxsize=4)
def sandbox_config(var_dir: str) -> WeChatPayConfig:
    keys = json.loads(ensure_secret_file(Path(var_dir) / KEY_FILE, _new_keys))
    private = rsa.load_private(keys["private_key"])
    return WeChatPayConfig(
        mchid="sandbox",
        appid="sandbox",
        serial=keys["serial"],
        private_key=private,
        apiv3_key=keys["apiv3_key"].encode(),
        platform_keys={keys["serial"]: private.public_key()},
        base_url="",
    )


class Sandbox(WeChatPay):
    channel = "sandbox"

    def __init__(self):
        super().__init__(sandbox_config(str(settings.VAR_DIR)))

    def start(self, order: Order) -> OrderStart:
        return OrderStart(
            kind="redirect", redirect_url=reverse("billing:sandbox_pay", args=[order.out_trade_no])
        )

    def pay(self, out_trade_no: str, amount_fen: int) -> tuple[dict[str, str], bytes]:
        """The payer confirmed on the sandbox page: book it and write WeChat's notification."""
        trade = books.record_sandbox_payment(out_trade_no, amount_fen)
        return self.notification(
            "TRANSACTION.SUCCESS",
            "transaction",
            {
                "mchid": self.config.mchid,
                "appid": self.config.appid,
                "out_trade_no": out_trade_no,
                "transaction_id": trade.transaction_id,
                "trade_type": "NATIVE",
                "trade_state": "SUCCESS",
                "trade_state_desc": "支付成功",
                "success_time": timezone.localtime(trade.at).isoformat(timespec="seconds"),
                "amount": {"total": trade.amount_fen, "payer_total": trade.amount_fen, "currency": "CNY"},
            },
        )

    def notification(
        self, event_type: str, original_type: str, payload: dict
    ) -> tuple[dict[str, str], bytes]:
        body = json.dumps(
            {
                "id": secrets.token_hex(16),
                "create_time": timezone.localtime().isoformat(timespec="seconds"),
                "event_type": event_type,
                "resource_type": "encrypt-resource",
                "summary": "支付成功",
                "resource": encrypt_resource(
                    self.config.apiv3_key,
                    json.dumps(payload, ensure_ascii=False).encode(),
                    original_type,
                )
                | {"original_type": original_type},
            },
            ensure_ascii=False,
        ).encode()
        return signed_headers(self.config.private_key, self.config.serial, body), body

    def query(self, out_trade_no: str) -> OrderState:
        trade = books.sandbox_trade(out_trade_no)
        if trade is None:
            return OrderState(out_trade_no=out_trade_no, paid=False, amount_fen=0)
        return OrderState(out_trade_no, True, trade.amount_fen, trade.transaction_id, trade.at)

    def close(self, out_trade_no: str) -> None:
        """Nothing to tell: the sandbox page refuses an order that is no longer pending."""

    def refund(
        self, *, out_trade_no: str, out_refund_no: str, refund_fen: int, total_fen: int, reason: str
    ) -> RefundResult:
        ok = books.record_sandbox_refund(out_trade_no, out_refund_no, refund_fen)
        return RefundResult(out_refund_no, accepted=ok, done=ok, message="" if ok else "NOT_ENOUGH")

    def refund_query(self, out_refund_no: str) -> RefundResult:
        done = books.sandbox_refunded(out_refund_no)
        return RefundResult(out_refund_no, accepted=done, done=done)

    def statement(self, day: date) -> list[StatementRow]:
        return [
            StatementRow(
                day=timezone.localtime(t.at).date(),
                out_trade_no=t.out_trade_no,
                provider_txn_id=t.transaction_id,
                amount_fen=t.amount_fen,
                kind=t.kind,
                out_refund_no=t.out_refund_no,
            )
            for t in books.sandbox_day(day)
        ]
