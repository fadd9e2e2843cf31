"""The sandbox provider's books (see providers/sandbox.py): written here because every model
write lives in services."""

import secrets
from datetime import date, datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from linli.billing.models import SandboxTrade


def record_sandbox_payment(out_trade_no: str, amount_fen: int) -> SandboxTrade:
    """Collect once: a second confirmation of the same order finds the first."""
    try:
        with transaction.atomic():
            return SandboxTrade.objects.create(
                kind="payment",
                out_trade_no=out_trade_no,
                transaction_id="SBX" + secrets.token_hex(10),
                amount_fen=amount_fen,
                at=timezone.now(),
            )
    except IntegrityError:
        return SandboxTrade.objects.get(kind="payment", out_trade_no=out_trade_no)


def record_sandbox_refund(out_trade_no: str, out_refund_no: str, amount_fen: int) -> bool:
    """A refund of at most what the sandbox collected and has not refunded yet."""
    with transaction.atomic():
        paid = (
            SandboxTrade.objects.select_for_update().filter(kind="payment", out_trade_no=out_trade_no).first()
        )
        if paid is None:
            return False
        done = SandboxTrade.objects.filter(kind="refund", out_trade_no=out_trade_no)
        if done.filter(out_refund_no=out_refund_no).exists():
            return True
        if sum(done.values_list("amount_fen", flat=True)) + amount_fen > paid.amount_fen:
            return False
        SandboxTrade.objects.create(
            kind="refund",
            out_trade_no=out_trade_no,
            out_refund_no=out_refund_no,
            transaction_id=paid.transaction_id,
            amount_fen=amount_fen,
            at=timezone.now(),
        )
        return True


def sandbox_trade(out_trade_no: str) -> SandboxTrade | None:
    return SandboxTrade.objects.filter(kind="payment", out_trade_no=out_trade_no).first()


def sandbox_refunded(out_refund_no: str) -> bool:
    return SandboxTrade.objects.filter(kind="refund", out_refund_no=out_refund_no).exists()


def sandbox_day(day: date) -> list[SandboxTrade]:
    start = timezone.make_aware(datetime.combine(day, datetime.min.time()))
    end = timezone.make_aware(datetime.combine(day, datetime.max.time()))
    return list(SandboxTrade.objects.filter(at__range=(start, end)))
