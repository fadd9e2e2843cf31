"""Billing demo data for a demo community: `seed_billing_demo(community)`, called by the demo
seeder after the registry and access. Idempotent: a community that already has fee items is
left as it is.

A year of property fees through the real services: fee items and published standards, one
billing run per month (preview, then post), households paying at the counter (most the year at
once, some by the quarter), the demo owner's first month paid online through the sandbox's signed
notification, about one house in eight in arrears, and a waiver waiting for approval, so that
the reports and queues have something to show. The demo owner's current month stays unpaid:
paying it is the demo's journey.
"""

import random
from datetime import date
from decimal import Decimal

from django.utils import timezone

from linli.billing.choices import Channel, Cycle, FeeKind, PaymentPurpose
from linli.billing.models import Bill, FeeItem
from linli.billing.services import counter, pay, runs, setup
from linli.billing.services.waivers import do_request_waiver
from linli.core.crypto import blind_index
from linli.core.models import Community, Membership
from linli.core.roles import Role
from linli.registry.choices import OWNING, HouseType
from linli.registry.models import Occupancy

MONTHS = 12
# Property fee, fen per ㎡ per month, by house type (a mid-range Beijing compound).
PRICES = {
    HouseType.RESIDENTIAL: Decimal("250"),
    HouseType.SHOP: Decimal("500"),
    HouseType.PARKING: Decimal("100"),
    HouseType.STORAGE: Decimal("120"),
}
BASIS = "依据物业服务合同及2025年度成本测算：人工62%、公共能耗14%、绿化保洁11%、设备维保8%、其他5%。"
DEMO_OWNER_PHONE = "13800138001"


def _staff(community: Community, role: str):
    membership = Membership.objects.filter(community=community, role=role).select_related("user").first()
    if membership is None:
        raise RuntimeError(f"{community.code}: the billing demo needs a {role} (seed the registry first)")
    return membership.user


def _months(today: date) -> list[date]:
    first = today.replace(day=1)
    found = []
    for back in range(MONTHS - 1, -1, -1):
        year, month = divmod(first.year * 12 + first.month - 1 - back, 12)
        found.append(date(year, month + 1, 1))
    return found


def seed_billing_demo(community: Community, *, seed: int = 42) -> dict:
    if FeeItem.objects.filter(community=community).exists():
        return {"community": community.code, "created": False}
    rng = random.Random(f"{seed}:{community.code}:billing")
    manager = _staff(community, Role.PROPERTY_MANAGER)
    desk = _staff(community, Role.FRONT_DESK)
    months = _months(timezone.localdate())

    item = setup.do_create_fee_item(
        actor=manager, community=community, name="物业费", kind=FeeKind.PROPERTY, cycle=Cycle.MONTHLY
    )
    for house_type, price in PRICES.items():
        standard = setup.do_create_standard(
            actor=manager,
            fee_item=item,
            effective_from=months[0],
            house_type=house_type,
            unit_price_fen=price,
            basis=BASIS,
        )
        setup.do_publish_standard(actor=manager, standard=standard)
    for month in months:
        preview = runs.do_preview_run(actor=manager, fee_item=item, period_start=month)
        runs.do_post_run(actor=manager, run=preview.run)

    demo_owner_houses = set(
        Occupancy.objects.filter(
            house__community=community,
            relation__in=OWNING,
            person__phone_bidx=blind_index("phone", DEMO_OWNER_PHONE),
        ).values_list("house_id", flat=True)
    )
    open_bills: dict[int, list[Bill]] = {}
    for bill in Bill.objects.filter(fee_item=item).order_by("house_id", "period_start"):
        open_bills.setdefault(bill.house_id, []).append(bill)

    paid = owing = online = 0
    for house_id, bills in open_bills.items():
        if house_id in demo_owner_houses:
            bills = bills[:-1]  # the current month is the demo's to pay
            online += _pay_online(house_id, bills[:1])
            bills = bills[1:]
        elif rng.random() < 0.125:
            bills = bills[: -rng.randint(1, 6)]  # in arrears for the last months
            owing += 1
        if bills:
            _pay_at_counter(desk, house_id, bills, rng)
            paid += 1

    arrears = (
        Bill.objects.filter(fee_item=item, status="unpaid").exclude(house_id__in=demo_owner_houses).first()
    )
    if arrears is not None:
        do_request_waiver(
            actor=desk, bill=arrears, amount_fen=min(5000, arrears.owed_fen), reason="独居老人困难减免申请"
        )
    return {
        "community": community.code,
        "created": True,
        "bills": sum(len(b) for b in open_bills.values()),
        "houses_paying": paid,
        "houses_owing": owing,
        "paid_online": online,
    }


def _pay_at_counter(desk, house_id: int, bills: list[Bill], rng: random.Random) -> None:
    """Most households pay the year at once, some by the quarter; cash, card or transfer."""
    house = bills[0].house
    step = rng.choice([12, 12, 12, 3])
    for at in range(0, len(bills), step):
        chunk = bills[at : at + step]
        counter.do_take_counter_payment(
            actor=desk,
            house=house,
            channel=rng.choice([Channel.CASH, Channel.CARD, Channel.TRANSFER, Channel.TRANSFER]),
            amount_fen=sum(b.owed_fen for b in chunk),
            idempotency_key=f"demo-{house_id}-{at}",
            purpose=PaymentPurpose.BILLS,
            bill_ids=[b.pk for b in chunk],
        )


def _pay_online(house_id: int, bills: list[Bill]) -> int:
    """The demo owner paid one month in the app: an order, the sandbox's signed notification."""
    if not bills:
        return 0
    owner = (
        Occupancy.objects.filter(house_id=house_id, relation__in=OWNING, person__user__isnull=False)
        .select_related("person__user")
        .first()
    )
    started = pay.do_create_order(
        actor=owner.person.user, house_id=house_id, channel=Channel.SANDBOX, bill_ids=[b.pk for b in bills]
    )
    pay.do_confirm_sandbox(actor=owner.person.user, out_trade_no=started.payment.out_trade_no)
    return 1
