"""Test support for the money side of billing: fee items with a standard, bills issued and
posted as a billing run would, payments settled through `settle()`, and the ids of community
A's (or 2号楼's) money objects for the outsider and narrowed-staff walks."""

from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone

from linli.billing.choices import Account, Channel, FeeKind, PaymentPurpose
from linli.billing.models import Bill, FeeItem, FeeStandard, Payment, PaymentAllocation
from linli.billing.services import ledger
from linli.billing.services.settle import new_trade_no, settle


def fee_item(community, kind=FeeKind.PROPERTY, name=None, price="250", **policy) -> FeeItem:
    item = FeeItem.objects.create(community=community, name=name or f"{kind}费", kind=kind, **policy)
    FeeStandard.objects.create(
        fee_item=item,
        community=community,
        version=1,
        effective_from=date(2020, 1, 1),
        unit_price_fen=Decimal(price),
        published_at=timezone.now(),  # owners were told: a bill may use it
    )
    return item


def bill(house, item: FeeItem, amount_fen: int, *, due_on: date | None = None, period_start=None) -> Bill:
    """An issued bill, posted Dr receivable / Cr revenue as a billing run posts it."""
    due_on = due_on or timezone.localdate() - timedelta(days=1)
    start = period_start or due_on.replace(day=1)
    b = Bill.objects.create(
        community_id=house.community_id,
        building_id=house.building_id,
        house=house,
        fee_item=item,
        standard=item.standards.first(),
        period_start=start,
        period_end=start + timedelta(days=27),
        quantity=Decimal("1"),
        amount_fen=amount_fen,
        due_on=due_on,
    )
    credit = Account.DEPOSITS if item.kind == FeeKind.DEPOSIT else Account.REVENUE
    ledger.post(
        community_id=house.community_id,
        kind="bill_issued",
        legs=[ledger.debit(Account.RECEIVABLE, amount_fen, bill_id=b.pk), ledger.credit(credit, amount_fen)],
        bill=b,
    )
    return b


def pay(b: Bill, fen: int, channel=Channel.CASH) -> Payment:
    p = Payment.objects.create(
        community_id=b.community_id,
        house=b.house,
        channel=channel,
        amount_fen=fen,
        out_trade_no=new_trade_no(),
    )
    PaymentAllocation.objects.create(payment=p, bill=b, amount_fen=fen)
    settle(p.pk)
    return Payment.objects.get(pk=p.pk)


def prepay(house, fen: int, channel=Channel.SANDBOX) -> Payment:
    p = Payment.objects.create(
        community_id=house.community_id,
        house=house,
        channel=channel,
        purpose=PaymentPurpose.PREPAY,
        amount_fen=fen,
        out_trade_no=new_trade_no(),
    )
    settle(p.pk)
    return p


def _objects(house, requester, suffix: str) -> dict[str, int]:
    from linli.billing.services.waivers import do_request_waiver

    item = fee_item(house.community, name=f"物业费{suffix}")
    owed = bill(house, item, 10000)
    waiver = do_request_waiver(actor=requester, bill=owed, amount_fen=100, reason="测试")
    return {"bill_id": owed.pk, "waiver_id": waiver.pk, "fee_item_id": item.pk}


def outsider_probe_ids(world) -> dict[str, int]:
    """A bill, a waiver and a fee item of community A."""
    return _objects(world.house, world.front_desk, "A")


def narrowed_probe_ids(world, narrowed) -> dict[str, int]:
    """A bill and a waiver of 2号楼 (the fee item is community-level: staff of 1号楼 see it)."""
    return _objects(narrowed.other_house, world.front_desk, "2")
