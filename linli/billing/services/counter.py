"""The counter (FEE-3): front-desk staff take cash, card or transfer for a house's bills or as a
prepayment, possibly for a resident who is not there or cannot manage (代办), and close their
cash desk at the end of the day (日结): what they took less what they handed back.

Money goes through `settle()` like every channel. Amounts come from people typing, so they are
read by `amounts` like every amount: never negative, never finer than one fen. An amount
above what the chosen bills owe is refused unless the staff member says the rest goes to the
house's prepayment (`extra_to_prepayment`): an overpayment is then deliberate, never a typo.
"""

import hashlib
from dataclasses import dataclass
from datetime import date

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from linli.accounts.models import User
from linli.billing import queries
from linli.billing.choices import COUNTER, BillStatus, PaymentPurpose, PaymentStatus
from linli.billing.models import Bill, CashDeskClose, Payment, PaymentAllocation, Refund
from linli.billing.services import amounts
from linli.billing.services.settle import settle
from linli.core import audit
from linli.core.context import on_behalf_of as acting_for
from linli.core.errors import Conflict, Forbidden, ServiceError
from linli.core.models import Community
from linli.core.permissions import may, require
from linli.core.restrict import scope_of
from linli.core.roles import Action
from linli.core.shell.formatting import yuan
from linli.registry.models import House, Occupancy, Person


def _amount_error(code: str, message) -> ServiceError:
    return ServiceError(code, message, fields={"amount": message})


@dataclass(frozen=True)
class CounterPayment:
    payment: Payment
    replayed: bool  # the same form sent twice: the first payment, nothing taken again
    to_prepayment_fen: int


def trade_no_of(actor: User, key: str) -> str:
    """The order number a form's idempotency key stands for: per staff member, so two desks
    can never collide, and within Receipt.number's length once prefixed."""
    return "CT" + hashlib.sha256(f"{actor.pk}:{key}".encode()).hexdigest()[:26]


def _resident_of(house: House, person: Person | None) -> Person | None:
    if person is None:
        return None
    lives_here = Occupancy.objects.active().filter(house=house, person=person).exists()
    if not lives_here:
        raise ServiceError(
            "not_a_resident",
            _("代办对象须是该房屋的现住人员"),
            fields={"on_behalf_of": _("请选择该房屋的住户")},
        )
    return person


def _allocate(bills: list[Bill], amount: int) -> list[tuple[int, int]]:
    """Oldest first: each bill takes what it owes until the money runs out."""
    out, left = [], amount
    for bill in bills:
        take = min(bill.owed_fen, left)
        if take > 0:
            out.append((bill.pk, take))
            left -= take
    return out


def _payable_bills(house: House, bill_ids: list[int]) -> list[Bill]:
    if not bill_ids:
        raise ServiceError("no_bills", _("请选择要缴的账单"), fields={"bills": _("至少选择一张账单")})
    bills = list(
        Bill.objects.filter(pk__in=set(bill_ids), house=house)
        .filter(status__in=[BillStatus.UNPAID, BillStatus.PARTLY_PAID])
        .order_by("period_start", "id")
    )
    if len(bills) != len(set(bill_ids)) or any(b.owed_fen <= 0 for b in bills):
        raise ServiceError(
            "bill_not_payable",
            _("所选账单不属于该房屋，或已缴清、已作废"),
            fields={"bills": _("请刷新后重新选择")},
        )
    return bills


def _replay(existing: Payment, *, actor: User, house: House, channel: str, amount: int) -> CounterPayment:
    same = (existing.created_by_id, existing.house_id, existing.channel, existing.amount_fen) == (
        actor.pk,
        house.pk,
        channel,
        amount,
    )
    if not same or existing.status != PaymentStatus.PAID:
        raise Conflict("idempotency_key_reused", _("该收款单已提交过，内容不同：请刷新页面重新填写"))
    return CounterPayment(existing, replayed=True, to_prepayment_fen=0)


def do_take_counter_payment(
    *,
    actor: User,
    house: House,
    channel: str,
    amount_fen: int,
    idempotency_key: str,
    purpose: str = PaymentPurpose.BILLS,
    bill_ids: list[int] | None = None,
    extra_to_prepayment: bool = False,
    on_behalf_of: Person | None = None,
) -> CounterPayment:
    """Take money at the counter for some of a house's bills (oldest first) or as a prepayment.
    All or nothing: the payment, its allocations, the bills, the ledger, the receipt and the
    audit entry commit together. The same idempotency key again returns the first payment."""
    require(actor, Action.BILLING_COLLECT, house.community_id, house.building_id)
    if channel not in COUNTER:
        raise ServiceError("invalid_channel", _("柜台只收现金、刷卡或转账"), fields={"channel": channel})
    amount = amounts.fen(amount_fen)
    trade_no = trade_no_of(actor, idempotency_key)
    existing = Payment.objects.filter(out_trade_no=trade_no).first()
    if existing is not None:
        return _replay(existing, actor=actor, house=house, channel=channel, amount=amount)
    person = _resident_of(house, on_behalf_of)

    extra, allocations, payer_id = amount, [], person.pk if person else None
    if purpose == PaymentPurpose.BILLS:
        bills = _payable_bills(house, bill_ids or [])
        owed = sum(b.owed_fen for b in bills)
        if amount > owed and not extra_to_prepayment:
            raise _amount_error("overpaid", _("金额超过所选账单应缴 %(owed)s") % {"owed": yuan(owed)})
        allocations = _allocate(bills, amount)
        extra = max(amount - owed, 0)
        payer_id = payer_id or bills[0].payer_id
    elif purpose != PaymentPurpose.PREPAY:
        raise ServiceError("invalid_purpose", _("收款用途不正确"), fields={"purpose": purpose})

    try:
        with transaction.atomic():
            payment = _write(
                actor,
                house.community_id,
                house,
                channel,
                amount,
                purpose,
                trade_no,
                payer_id,
                person,
                allocations,
            )
            outcome = settle(payment.pk, actor=actor)
            if purpose == PaymentPurpose.BILLS and outcome.to_prepayment_fen != extra:
                # A bill was paid elsewhere between reading it and now: take nothing, ask again.
                raise Conflict("bill_changed", _("账单刚刚发生变化（可能已在别处缴纳），请刷新后重试"))
    except IntegrityError:
        # The same form arrived twice at once: the other request took it; answer with that one.
        existing = Payment.objects.filter(out_trade_no=trade_no).first()
        if existing is None:
            raise
        return _replay(existing, actor=actor, house=house, channel=channel, amount=amount)
    return CounterPayment(outcome.payment, replayed=False, to_prepayment_fen=extra)


@transaction.atomic
def _write(
    actor, community_id, house, channel, amount, purpose, trade_no, payer_id, person, allocations
) -> Payment:
    payment = Payment.objects.create(
        community_id=community_id,
        house=house,
        payer_id=payer_id,
        purpose=purpose,
        channel=channel,
        amount_fen=amount,
        out_trade_no=trade_no,
        created_by=actor,
        on_behalf_of=person,
    )
    PaymentAllocation.objects.bulk_create(
        PaymentAllocation(payment=payment, bill_id=bill_id, amount_fen=fen) for bill_id, fen in allocations
    )
    with acting_for(f"{person.name}#{person.pk}" if person else ""):
        audit.record(
            actor=actor,
            action="billing.counter_payment",
            obj=payment,
            community_id=community_id,
            after={
                "house": house.pk if house else None,
                "channel": channel,
                "purpose": purpose,
                "amount_fen": amount,
                "bills": dict(allocations),
                "on_behalf_of": person.pk if person else None,
            },
        )
    return payment


def do_take_stay_payment(*, actor: User, bill: Bill, channel: str, idempotency_key: str) -> CounterPayment:
    """The guard at the exit booth takes cash (or a card) for a parking stay's bill: the offline
    way past the barrier for a driver who cannot pay on a phone. The whole bill, nothing more.
    The guard on duty holds parking.collect, not billing's whole counter."""
    if not (
        may(actor, Action.PARKING_COLLECT, bill.community_id)
        or may(actor, Action.BILLING_COLLECT, bill.community_id)
    ):
        raise Forbidden()
    if channel not in COUNTER:
        raise ServiceError("invalid_channel", _("柜台只收现金、刷卡或转账"), fields={"channel": channel})
    trade_no = trade_no_of(actor, idempotency_key)
    existing = Payment.objects.filter(out_trade_no=trade_no).first()
    if existing is None:
        current = Bill.objects.filter(pk=bill.pk, house__isnull=True, parking_record_id__isnull=False).first()
        if current is None or current.status not in (BillStatus.UNPAID, BillStatus.PARTLY_PAID):
            raise Conflict("bill_changed", _("账单刚刚发生变化（可能已在别处缴纳），请刷新后重试"))
        try:
            with transaction.atomic():
                payment = _write(
                    actor,
                    current.community_id,
                    None,
                    channel,
                    current.owed_fen,
                    PaymentPurpose.BILLS,
                    trade_no,
                    None,
                    None,
                    [(current.pk, current.owed_fen)],
                )
                if settle(payment.pk, actor=actor).to_prepayment_fen:
                    raise Conflict("bill_changed", _("账单刚刚发生变化（可能已在别处缴纳），请刷新后重试"))
                return CounterPayment(payment, replayed=False, to_prepayment_fen=0)
        except IntegrityError:
            existing = Payment.objects.filter(out_trade_no=trade_no).first()
            if existing is None:
                raise
    if existing.status != PaymentStatus.PAID or existing.house_id is not None:
        raise Conflict("idempotency_key_reused", _("该收款单已提交过，内容不同：请刷新页面重新填写"))
    return CounterPayment(existing, replayed=True, to_prepayment_fen=0)


# --- the daily close (日结) ----------------------------------------------------------------------


@dataclass(frozen=True)
class DeskTotals:
    """A staff member's counter money not closed yet, per channel: what they took and what they
    handed back (refunds), so what their drawer and accounts should show."""

    taken: dict[str, int]
    handed_back: dict[str, int]
    payment_ids: list[int]
    refund_ids: list[int]

    @property
    def expected(self) -> dict[str, int]:
        return {channel: fen - self.handed_back[channel] for channel, fen in self.taken.items()}


def _by_channel(rows: list[tuple[int, str, int]]) -> dict[str, int]:
    totals = {str(channel): 0 for channel in COUNTER}
    for _pk, channel, fen in rows:
        totals[channel] += fen
    return totals


def desk_totals(actor: User, community_id: int, day: date) -> DeskTotals:
    """What the close of `day` would hold: the payments and refunds up to its end."""
    payments = list(
        queries.unclosed_counter_payments(actor, community_id, day).values_list("pk", "channel", "amount_fen")
    )
    refunds = list(
        queries.unclosed_counter_refunds(actor, community_id, day).values_list(
            "pk", "payment__channel", "amount_fen"
        )
    )
    return DeskTotals(
        taken=_by_channel(payments),
        handed_back=_by_channel(refunds),
        payment_ids=[row[0] for row in payments],
        refund_ids=[row[0] for row in refunds],
    )


def do_close_desk(
    *, actor: User, community: Community, day: date, counted: dict[str, int], note: str = ""
) -> CashDeskClose:
    """Close the actor's cash desk for `day`: what they counted per channel against what the
    system says they took less what they handed back. A difference needs a note; a day closes
    once."""
    if not scope_of(actor).may_in_community(Action.BILLING_COLLECT, community.pk):
        raise Forbidden()
    if day > timezone.localdate():
        raise ServiceError("invalid_day", _("不能为未来的日期日结"), fields={"day": str(day)})
    unknown = set(counted) - set(COUNTER)
    if unknown:
        raise ServiceError(
            "invalid_channel", _("柜台只收现金、刷卡或转账"), fields={"counted": ",".join(unknown)}
        )
    counted = {
        str(channel): amounts.fen(counted.get(channel, 0), field=f"counted.{channel}", allow_zero=True)
        for channel in COUNTER
    }
    note = (note or "").strip()
    with transaction.atomic():
        if CashDeskClose.objects.filter(staff=actor, community=community, day=day).exists():
            raise Conflict("desk_already_closed", _("该日已日结，不能重复日结"))
        totals = desk_totals(actor, community.pk, day)
        expected = totals.expected
        differs = any(counted[c] != expected[c] for c in expected)
        if differs and not note:
            raise ServiceError(
                "note_required",
                _("实收与系统应收不一致，请填写差异说明"),
                fields={"note": _("请说明差异原因")},
            )
        try:
            with transaction.atomic():
                close = CashDeskClose.objects.create(
                    community=community,
                    staff=actor,
                    day=day,
                    expected=expected,
                    counted=counted,
                    difference_fen=sum(counted.values()) - sum(expected.values()),
                    note=note,
                )
        except IntegrityError:
            raise Conflict("desk_already_closed", _("该日已日结，不能重复日结")) from None
        payments = Payment.objects.filter(pk__in=totals.payment_ids, desk_close__isnull=True)
        refunds = Refund.objects.filter(pk__in=totals.refund_ids, desk_close__isnull=True)
        if (payments.update(desk_close=close), refunds.update(desk_close=close)) != (
            len(totals.payment_ids),
            len(totals.refund_ids),
        ):
            raise Conflict("desk_changed", _("收款记录刚刚发生变化，请刷新后重新日结"))
        audit.record(
            actor=actor,
            action="billing.desk_close",
            obj=close,
            community_id=community.pk,
            after={
                "day": day,
                "expected": expected,
                "counted": counted,
                "handed_back": totals.handed_back,
                "payments": len(totals.payment_ids),
                "refunds": len(totals.refund_ids),
                "note": note,
            },
        )
    return close
