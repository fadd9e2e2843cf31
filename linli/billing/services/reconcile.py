"""Reconciliation (FEE-6): a provider's trade bill for a day against our payments and refunds.

Each line of the bill is matched by our order number: `matched` (paid here, same amount),
`different` (amount or state differs), `extra` (the provider has it, we do not). What we
recorded as paid or refunded that day through that provider and the bill lacks is `missing`.
Refunds are compared per order and day (the sum of that day's refunds). A day is re-imported
by replacing its lines, so importing the same file twice changes nothing.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from linli.accounts.models import User
from linli.billing.choices import ONLINE, MatchResult, PaymentStatus, RefundStatus
from linli.billing.models import Payment, Refund, StatementLine
from linli.billing.providers.base import ProviderUnavailable, StatementRow
from linli.billing.services.common import provider_for
from linli.core import audit
from linli.core.errors import ServiceError
from linli.core.permissions import require
from linli.core.roles import Action


@dataclass(frozen=True)
class DayResult:
    day: date
    counts: dict[str, int]


def _day_range(day: date) -> tuple[datetime, datetime]:
    return (
        timezone.make_aware(datetime.combine(day, time.min)),
        timezone.make_aware(datetime.combine(day, time.max)),
    )


def _check(actor: User, community_id: int, provider: str) -> None:
    require(actor, Action.BILLING_APPROVE, community_id)
    if provider not in ONLINE:
        raise ServiceError("channel_unavailable", _("该支付方式未开通"), fields={"provider": provider})
    provider_for(provider)


@transaction.atomic
def reconcile_day(provider: str, day: date, rows: list[StatementRow]) -> DayResult:
    StatementLine.objects.filter(provider=provider, day=day).delete()
    payments_in = {r.out_trade_no: r for r in rows if r.kind == "payment"}
    refunds_in: dict[str, int] = defaultdict(int)
    for r in rows:
        if r.kind == "refund":
            refunds_in[r.out_trade_no] += r.amount_fen
    known = Payment.objects.in_bulk(set(payments_in) | set(refunds_in), field_name="out_trade_no")
    start, end = _day_range(day)
    refunded = dict(
        Refund.objects.filter(
            status=RefundStatus.DONE, done_at__range=(start, end), payment__channel=provider
        )
        .values("payment__out_trade_no")
        .annotate(fen=Sum("amount_fen"))
        .values_list("payment__out_trade_no", "fen")
    )
    lines = []

    def line(no: str, fen: int, kind: str, result: str, txn: str = "") -> None:
        payment = known.get(no)
        lines.append(
            StatementLine(
                community_id=payment.community_id if payment else None,
                provider=provider,
                day=day,
                out_trade_no=no,
                provider_txn_id=txn,
                amount_fen=fen,
                kind=kind,
                payment=payment,
                result=result,
            )
        )

    for no, row in payments_in.items():
        payment = known.get(no)
        if payment is None or payment.channel != provider:
            result = MatchResult.EXTRA
        elif payment.status == PaymentStatus.PAID and payment.amount_fen == row.amount_fen:
            result = MatchResult.MATCHED
        else:
            result = MatchResult.DIFFERENT
        line(no, row.amount_fen, "payment", result, row.provider_txn_id)
    for no, fen in refunds_in.items():
        ours = refunded.get(no)
        result = (
            MatchResult.EXTRA
            if ours is None
            else MatchResult.MATCHED
            if ours == fen
            else MatchResult.DIFFERENT
        )
        line(no, fen, "refund", result)
    for payment in Payment.objects.filter(
        channel=provider, status=PaymentStatus.PAID, paid_at__range=(start, end)
    ).exclude(out_trade_no__in=list(payments_in)):
        known[payment.out_trade_no] = payment
        line(
            payment.out_trade_no, payment.amount_fen, "payment", MatchResult.MISSING, payment.provider_txn_id
        )
    for no, fen in refunded.items():
        if no not in refunds_in:
            known.setdefault(no, Payment.objects.get(out_trade_no=no))
            line(no, fen, "refund", MatchResult.MISSING)
    StatementLine.objects.bulk_create(lines)
    counts: dict[str, int] = defaultdict(int)
    for item in lines:
        counts[item.result] += 1
    return DayResult(day, dict(counts))


def do_import_statement(*, actor: User, community_id: int, provider: str, data: bytes) -> list[DayResult]:
    """A trade bill file downloaded from the provider's merchant console."""
    _check(actor, community_id, provider)
    try:
        rows = provider_for(provider).parse_statement(data)
    except (ValueError, KeyError, UnicodeDecodeError) as error:
        raise ServiceError(
            "bad_statement", _("无法识别的对账单文件"), fields={"file": str(error)[:200]}
        ) from error
    by_day: dict[date, list[StatementRow]] = defaultdict(list)
    for row in rows:
        by_day[row.day].append(row)
    results = [reconcile_day(provider, day, day_rows) for day, day_rows in sorted(by_day.items())]
    _audit(actor, community_id, provider, [r.day for r in results], "import")
    return results


def do_download_statement(*, actor: User, community_id: int, provider: str, day: date) -> DayResult:
    _check(actor, community_id, provider)
    try:
        rows = provider_for(provider).statement(day)
    except ProviderUnavailable as error:
        raise ServiceError("provider_unavailable", _("支付渠道暂时不可用，请稍后重试"), status=503) from error
    result = reconcile_day(provider, day, rows)
    _audit(actor, community_id, provider, [day], "download")
    return result


def _audit(actor: User, community_id: int, provider: str, days: list[date], how: str) -> None:
    audit.record(
        actor=actor,
        action="billing.reconciled",
        object_type="statement",
        object_id=provider,
        community_id=community_id,
        after={"how": how, "days": [d.isoformat() for d in days]},
    )
