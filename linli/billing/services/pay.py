"""Online payment (FEE-2): a resident's order for their bills or a prepayment, the providers'
notifications, and the order-query fallback. Every "paid" goes through `settle()`.

A notification is trusted only once its provider's verifier accepts it; then it is recorded
(ProviderNotification, unique per provider and notification id, so a replay or a concurrent
second delivery finds the first), its amount compared with the order's, and the order settled.
"""

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from linli.accounts.models import User
from linli.billing import providers, queries
from linli.billing.choices import ONLINE, BillStatus, Channel, PaymentPurpose, PaymentStatus
from linli.billing.models import Bill, Payment, PaymentAllocation, ProviderNotification
from linli.billing.providers.base import (
    SCENES,
    BadNotification,
    Notice,
    Order,
    OrderStart,
    Provider,
    ProviderUnavailable,
)
from linli.billing.services import amounts
from linli.billing.services.common import provider_for
from linli.billing.services.refunds import refund_notice
from linli.billing.services.settle import new_trade_no, settle
from linli.channels.queries import openid_for
from linli.core import audit
from linli.core.errors import NotFound, ServiceError
from linli.core.restrict import scope_of
from linli.registry.models import House

log = logging.getLogger(__name__)

QUERY_AFTER = timedelta(minutes=3)  # a notification normally arrives within seconds
TXN_ID_LENGTH = Payment._meta.get_field("provider_txn_id").max_length or 0
NOTIFICATION_ID_LENGTH = ProviderNotification._meta.get_field("notification_id").max_length or 0
# A phone's browser: the default when the page does not say where the payer is.
PHONE = re.compile(r"Mobi|Android|iPhone|iPod|HarmonyOS|AlipayClient")


@dataclass(frozen=True)
class Started:
    payment: Payment
    start: OrderStart


def scene_for(asked: str, user_agent: str) -> str:
    """Where the payer is (`SCENES`): what the page or client says; failing that, a phone's
    browser is sent to the provider's mobile cashier and anything else shown a QR."""
    if asked in SCENES:
        return asked
    return "wap" if PHONE.search(user_agent) else "qr"


def payer_openid(user, user_agent: str) -> str:
    """Inside WeChat's browser (its User-Agent says MicroMessenger), the openid the payer bound
    under the merchant's AppID (linli.channels): WeChat Pay then opens in place (JSAPI) instead
    of showing a QR code to scan. Elsewhere, or without a binding, ""."""
    if "MicroMessenger" not in user_agent:
        return ""
    return openid_for(user, settings.LINLI_WECHATPAY_APPID)


def callback_urls(absolute: Callable[[str], str], channel: str) -> dict[str, str]:
    """Where the provider notifies (notify_url) and where its cashier sends the payer back
    (return_url) or a payer who gives up (quit_url); `absolute` is the request's
    build_absolute_uri."""
    return {
        "notify_url": absolute(reverse("api:billing_notify", args=[channel])),
        "return_url": absolute(reverse("billing:alipay_return")),
        "quit_url": absolute(reverse("billing:home")),
    }


def _own_house(actor: User, house_id: int) -> House:
    house = House.objects.own(actor).filter(pk=house_id).first()
    if house is None:
        raise NotFound()
    return house


def _open_bills(house: House, bill_ids: list[int]) -> list[Bill]:
    if not bill_ids:
        raise ServiceError("no_bills", _("请选择要缴纳的账单"), fields={"bills": ""})
    bills = {b.pk: b for b in Bill.objects.filter(pk__in=set(bill_ids), house=house)}
    for bill_id in bill_ids:
        bill = bills.get(bill_id)
        if bill is None:  # another house's, or nobody's: the same answer, nothing leaks
            raise ServiceError(
                "bill_not_found", _("账单不存在或不属于该房屋"), fields={"bills": bill_id}, status=404
            )
        if bill.status == BillStatus.VOID:
            raise ServiceError("bill_void", _("账单已作废"), fields={"bills": bill_id})
        if bill.owed_fen <= 0:
            raise ServiceError("bill_already_paid", _("账单已缴清"), fields={"bills": bill_id})
    return sorted(bills.values(), key=lambda b: b.pk)


def _reusable(house: House, channel: str, purpose: str, allocation: dict[int, int], amount: int):
    """An open order of the same house for exactly the same bills and amounts: show it again
    rather than open a second one the payer might also pay."""
    fresh = timezone.now() - timedelta(minutes=settings.LINLI_PAY_ORDER_MINUTES - 5)
    for payment in Payment.objects.filter(
        house=house,
        channel=channel,
        purpose=purpose,
        status=PaymentStatus.PENDING,
        amount_fen=amount,
        created_at__gt=fresh,
    ).prefetch_related("allocations"):
        if {a.bill_id: a.amount_fen for a in payment.allocations.all()} == allocation:
            return payment
    return None


def _close_competing(bill_ids: list[int]) -> list[Payment]:
    """Pending online orders for any of these bills are closed, so one bill has one open order.
    A payer who still pays a closed order is not lost: its notification reopens and settles it
    (the money then goes where it can, the rest to the prepayment)."""
    stale = list(
        Payment.objects.filter(
            status=PaymentStatus.PENDING, channel__in=ONLINE, allocations__bill_id__in=bill_ids
        ).distinct()
    )
    Payment.objects.filter(pk__in=[p.pk for p in stale], status=PaymentStatus.PENDING).update(
        status=PaymentStatus.CLOSED, code_url="", version=F("version") + 1
    )
    return stale


def _close_at_providers(closed: list[Payment]) -> None:
    for old in closed:  # best effort: the provider refusing the old order is a courtesy
        try:
            provider_for(old.channel).close(old.out_trade_no)
        except (ProviderUnavailable, ServiceError):
            log.warning("could not close %s at %s", old.out_trade_no, old.channel)


def do_create_order(
    *,
    actor: User,
    house_id: int,
    channel: str,
    purpose: str = PaymentPurpose.BILLS,
    bill_ids: list[int] | None = None,
    amount_fen: int | None = None,
    **where: str,
) -> Started:
    """`where`: the payer's `client_ip`, `payer_openid` and `scene`, and the provider's
    `notify_url`, `return_url` and `quit_url` (see `_start`)."""
    provider = provider_for(channel)
    with transaction.atomic():
        house = _own_house(actor, house_id)
        if purpose == PaymentPurpose.PREPAY:
            amount = amounts.fen(amount_fen)
            allocation: dict[int, int] = {}
        else:
            bills = _open_bills(house, list(bill_ids or []))
            allocation = {b.pk: b.owed_fen for b in bills}
            amount = sum(allocation.values())
        payment = _reusable(house, channel, purpose, allocation, amount)
        closed: list[Payment] = []
        if payment is None:
            closed = _close_competing(list(allocation)) if allocation else []
            person_ids = scope_of(actor).person_ids
            payer = (
                house.occupancies.filter(person_id__in=person_ids).values_list("person_id", flat=True).first()
            )
            payment = Payment.objects.create(
                community_id=house.community_id,
                house=house,
                payer_id=payer,
                purpose=purpose,
                channel=channel,
                amount_fen=amount,
                out_trade_no=new_trade_no(),
                created_by=actor,
            )
            PaymentAllocation.objects.bulk_create(
                PaymentAllocation(payment=payment, bill_id=b, amount_fen=fen) for b, fen in allocation.items()
            )
            audit.record(
                actor=actor,
                action="billing.order_created",
                obj=payment,
                community_id=house.community_id,
                after={"amount_fen": amount, "channel": channel, "bills": list(allocation)},
            )
    _close_at_providers(closed)
    description = str(_("物业缴费") if purpose == PaymentPurpose.BILLS else _("物业费预存"))
    return _start(provider, payment, description, **where)


def _start(provider: Provider, payment: Payment, description: str, **where: str) -> Started:
    """Open the order at the provider; a provider that cannot be reached closes it here.
    `where`: the payer's `client_ip`, `payer_openid` and `scene` ("qr" unless said), and the
    provider's `notify_url`, `return_url` and `quit_url`."""
    where.setdefault("notify_url", "")
    order = Order(
        out_trade_no=payment.out_trade_no,
        amount_fen=payment.amount_fen,
        description=description,
        expires_at=payment.expires_at,
        **where,
    )
    try:
        start = provider.start(order)
    except ProviderUnavailable as error:
        log.warning("order %s not started at %s: %s", payment.out_trade_no, payment.channel, error)
        Payment.objects.filter(pk=payment.pk, status=PaymentStatus.PENDING).update(
            status=PaymentStatus.CLOSED, code_url=""
        )
        raise ServiceError("provider_unavailable", _("支付渠道暂时不可用，请稍后重试"), status=503) from error
    if start.code_url:  # kept with the order: a lost session must not lose the way to pay it
        Payment.objects.filter(pk=payment.pk, status=PaymentStatus.PENDING).update(code_url=start.code_url)
    return Started(payment, start)


def do_create_houseless_order(
    *,
    bill: Bill,
    channel: str,
    actor: User | None = None,
    **where: str,
) -> Started:
    """An order for a bill without a house — a temporary parking stay's (stay_fees.py), an
    outside driver's shared booking — by whoever the calling app lets pay it: a driver at the
    exit with no account, a resident paying for their visitor, the driver who booked."""
    provider = provider_for(channel)
    with transaction.atomic():
        current = Bill.objects.filter(pk=bill.pk, house__isnull=True).select_related("fee_item").first()
        if current is None or current.status == BillStatus.VOID:
            raise ServiceError("bill_changed", _("账单已更新，请刷新页面"), status=409)
        if current.owed_fen <= 0:
            raise ServiceError("bill_already_paid", _("账单已缴清"), status=409)
        payment = (
            Payment.objects.filter(
                house__isnull=True,
                channel=channel,
                status=PaymentStatus.PENDING,
                amount_fen=current.owed_fen,
                allocations__bill=current,
                created_at__gt=timezone.now() - timedelta(minutes=settings.LINLI_PAY_ORDER_MINUTES - 5),
            )
            .order_by("-id")
            .first()
        )
        closed: list[Payment] = []
        if payment is None:
            closed = _close_competing([current.pk])
            payment = Payment.objects.create(
                community_id=current.community_id,
                purpose=PaymentPurpose.BILLS,
                channel=channel,
                amount_fen=current.owed_fen,
                out_trade_no=new_trade_no(),
                created_by=actor if actor is not None and actor.is_authenticated else None,
            )
            PaymentAllocation.objects.create(payment=payment, bill=current, amount_fen=current.owed_fen)
    _close_at_providers(closed)
    description = current.fee_item.name
    return _start(provider, payment, description, **where)


# --- notifications ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Received:
    outcome: str
    ok: bool  # what the provider is told: received (stop sending) or not


def _record(provider: str, notice: Notice | None, *, verified: bool, outcome: str, flagged: bool, body: str):
    return ProviderNotification.objects.create(
        provider=provider,
        notification_id=notice.notification_id if notice else "",
        out_trade_no=(notice.out_trade_no if notice else "")[:32],
        verified=verified,
        outcome=outcome,
        flagged=flagged,
        body=body[:4000].replace("\x00", ""),  # PostgreSQL's text holds no NUL
    )


def _verified(provider: Provider, headers: dict[str, str], body: bytes) -> Notice:
    """The provider's verifier, then what no provider sends however it is signed: a NUL, which
    our columns cannot hold, or ids longer than they keep (a cut notification id would make
    two notifications one)."""
    notice = provider.verify_notification(headers, body)
    texts = (notice.notification_id, notice.out_trade_no, notice.provider_txn_id, notice.out_refund_no)
    if (
        any("\x00" in text for text in texts)
        or len(notice.notification_id) > NOTIFICATION_ID_LENGTH
        or len(notice.provider_txn_id) > TXN_ID_LENGTH
    ):
        raise BadNotification("bad_body")
    return notice


def receive_notification(channel: str, headers: dict[str, str], body: bytes) -> Received:
    """Verify, record, check and settle one notification. Never raises for what a provider
    sends: the answer says whether it should send it again."""
    provider = provider_for(channel)
    try:
        notice = _verified(provider, headers, body)
    except BadNotification as error:
        reason = error.args[0] if error.args else "bad_notification"
        _record(
            channel, None, verified=False, outcome=reason, flagged=True, body=body.decode("utf-8", "replace")
        )
        log.warning("refused a %s notification: %s", channel, reason)
        return Received(reason, ok=False)
    # The record is written last, with its outcome: its unique (provider, notification id) makes
    # a replay, or the same notification racing in from another worker, roll back whole — by
    # then settle() has already refused to pay twice.
    # The order is read before the transaction: on SQLite that opens the write lock, and an
    # order's number, channel and amount never change.
    payment = Payment.objects.filter(out_trade_no=notice.out_trade_no, channel=channel).first()
    try:
        with transaction.atomic():
            outcome, ok, flagged = _apply(channel, notice, payment)
            _record(channel, notice, verified=True, outcome=outcome, flagged=flagged, body=notice.raw)
    except IntegrityError:
        if not ProviderNotification.objects.filter(
            provider=channel, notification_id=notice.notification_id, verified=True
        ).exists():
            raise
        return Received("duplicate", ok=True)
    return Received(outcome, ok=ok)


def _apply(channel: str, notice: Notice, payment: Payment | None) -> tuple[str, bool, bool]:
    """(outcome, acknowledge, flag) for a verified notice about `payment` (None: no such order)."""
    if notice.out_refund_no or notice.refund_status:
        return refund_notice(notice)
    if payment is None:
        return "unknown_order", True, True
    if not notice.paid:
        return "not_paid", True, False  # a closed or refund notice: nothing to settle
    if notice.amount_fen != payment.amount_fen:
        return "amount_mismatch", False, True
    return _settle_reported(payment, notice.provider_txn_id, notice.paid_at)


def _settle_reported(payment: Payment, txn_id: str, paid_at: datetime | None) -> tuple[str, bool, bool]:
    settled = settle(payment.pk, paid_at=paid_at, provider_txn_id=txn_id)
    reopened = False
    if not settled.newly_paid and settled.payment.status == PaymentStatus.CLOSED:
        # Paid after we closed it (the payer kept the old QR): kept, but staff should look. The
        # status is read here, under the transaction's lock, not from the caller's earlier read.
        reopened = bool(
            Payment.objects.filter(pk=payment.pk, status=PaymentStatus.CLOSED).update(
                status=PaymentStatus.PENDING
            )
        )
        settled = settle(payment.pk, paid_at=paid_at, provider_txn_id=txn_id)
    if not settled.newly_paid:
        return "already_paid", True, False
    return ("paid_after_close" if reopened else "paid"), True, reopened or bool(settled.to_prepayment_fen)


def do_confirm_sandbox(*, actor: User | AnonymousUser, out_trade_no: str) -> Received:
    """The sandbox page's 确认支付: the sandbox collects and notifies like WeChat would."""
    payment = queries.payable_order(actor, out_trade_no)
    if payment is None or payment.channel != Channel.SANDBOX:
        raise NotFound()
    if payment.status != PaymentStatus.PENDING:
        raise ServiceError("order_not_pending", _("订单已支付或已关闭"), status=409)
    sandbox = provider_for("sandbox")
    headers, body = sandbox.pay(out_trade_no, payment.amount_fen)  # type: ignore[attr-defined]  # the sandbox's own
    return receive_notification("sandbox", headers, body)


def verified_return(params: dict[str, str]) -> str:
    """The order an Alipay payer comes back from (the cashier's redirect to return_url), once
    Alipay's signature over the parameters verifies. Nothing is marked paid here: a return only
    says the payer left the cashier, and its parameters travel through the payer's browser;
    the asynchronous notification or the order query settle the order."""
    alipay = provider_for(Channel.ALIPAY)
    try:
        return alipay.verify_return(params)  # type: ignore[attr-defined]  # Alipay's own
    except BadNotification as error:
        log.warning("refused an alipay return: %s", error)
        raise ServiceError("bad_return", _("无法确认支付结果，请以订单状态为准")) from error


# --- the fallback: ask the provider ----------------------------------------------------------


def query_pending_orders(now: datetime | None = None, limit: int = 200) -> dict[str, int]:
    """Pending online orders older than a few minutes: settle the ones the provider says are
    paid (a notification that never came), close the expired ones."""
    now = now or timezone.now()
    expiry = timedelta(minutes=settings.LINLI_PAY_ORDER_MINUTES)
    counts = {"settled": 0, "closed": 0, "waiting": 0}
    pending = Payment.objects.filter(
        status=PaymentStatus.PENDING, channel__in=providers.enabled(), created_at__lt=now - QUERY_AFTER
    ).order_by("created_at")[:limit]
    for payment in pending:
        provider = provider_for(payment.channel)
        try:
            state = provider.query(payment.out_trade_no)
        except ProviderUnavailable:
            counts["waiting"] += 1
            continue
        if state.paid and state.amount_fen != payment.amount_fen:
            counts["mismatch"] = counts.get("mismatch", 0) + 1  # never settled, never closed: staff look
            log.error(
                "order %s paid %s at %s, expected %s",
                payment.out_trade_no,
                state.amount_fen,
                payment.channel,
                payment.amount_fen,
            )
        elif state.paid:
            with transaction.atomic():
                outcome, _ack, _flag = _settle_reported(payment, state.provider_txn_id, state.paid_at)
            counts["settled"] += outcome != "already_paid"
        elif payment.created_at < now - expiry:
            try:
                provider.close(payment.out_trade_no)
            except ProviderUnavailable:
                counts["waiting"] += 1
                continue
            counts["closed"] += Payment.objects.filter(pk=payment.pk, status=PaymentStatus.PENDING).update(
                status=PaymentStatus.CLOSED, code_url="", version=F("version") + 1
            )
        else:
            counts["waiting"] += 1
    return counts
