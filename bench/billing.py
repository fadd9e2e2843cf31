"""Billing runs at scale: one community of 100,000 houses, three fee items (property fee by area,
water by readings at tiered prices, shared area allocated by area), each previewed then posted.
Budget (issue 9): the 3 posts together ≤ 60 s, on SQLite and on PostgreSQL.

    .venv/bin/python bench/billing.py                # 100,000 houses, SQLite in a temp dir
    .venv/bin/python bench/billing.py --scale 0.01   # 1,000 houses, a quick check
    DATABASE_URL=postgres://… .venv/bin/python bench/billing.py   # a throwaway schema there

The registry (houses, owners) and the readings are built with bulk inserts (set-up, not a product
path); the runs go through the services the API calls (do_preview_run, do_post_run), the ledger
is verified at the end (and timed: `linli verify_ledger`).
"""

import argparse
from datetime import date
from decimal import Decimal

from _setup import emit, log, setup_django, timed

BENCH = "billing"
HOUSES_AT_SCALE_1 = 100_000
HOUSES_PER_UNIT = 100
BUDGET_S = 60
MARCH = date(2026, 3, 1)


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scale", type=float, default=1.0, help="1.0 = 100,000 houses")
    parser.add_argument("--keep", action="store_true", help="keep the temporary database")
    return parser.parse_args()


def build(houses: int):
    """A community with `houses` houses (a tenth of them shops, one in fifty without an owner),
    owners from 2020 (one in ten moved in on 17 March), and two water readings per house."""
    from linli.accounts.models import User
    from linli.billing.models import MeterReading
    from linli.core.models import Community, Membership
    from linli.registry.models import Building, House, Occupancy, Person, Unit

    community = Community.objects.create(code="bench", name="基准小区")
    admin = User.objects.create_user(username="bench-admin", password=None)
    Membership.objects.create(user=admin, community=community, role="community_admin")
    units = houses // HOUSES_PER_UNIT + (1 if houses % HOUSES_PER_UNIT else 0)
    buildings = Building.objects.bulk_create(
        Building(community=community, name=f"{b + 1}号楼", floors=25) for b in range((units + 9) // 10)
    )
    unit_rows = Unit.objects.bulk_create(
        Unit(building=buildings[u // 10], name=f"{u % 10 + 1}单元") for u in range(units)
    )
    House.objects.bulk_create(
        (
            House(
                community=community,
                building_id=unit_rows[i // HOUSES_PER_UNIT].building_id,
                unit=unit_rows[i // HOUSES_PER_UNIT],
                number=f"{i % HOUSES_PER_UNIT + 101}",
                floor=i % 25 + 1,
                type="shop" if i % 10 == 9 else "residential",
                area=Decimal(60 + i % 90) + Decimal("0.25"),
            )
            for i in range(houses)
        ),
        batch_size=5000,
    )
    house_ids = list(House.objects.filter(community=community).order_by("id").values_list("id", flat=True))
    owned = [h for i, h in enumerate(house_ids) if i % 50 != 7]
    people = Person.objects.bulk_create(
        (Person(community=community, name=f"业主{i}") for i in range(len(owned))), batch_size=5000
    )
    Occupancy.objects.bulk_create(
        (
            Occupancy(
                house_id=h,
                person=p,
                relation="owner",
                valid_from=date(2026, 3, 17) if i % 10 == 3 else date(2020, 1, 1),
            )
            for i, (h, p) in enumerate(zip(owned, people, strict=True))
        ),
        batch_size=5000,
    )
    MeterReading.objects.bulk_create(
        (
            MeterReading(house_id=h, community=community, kind="water", read_on=day, value=value)
            for h in house_ids
            for day, value in (
                (date(2026, 2, 28), Decimal(100 + h % 7)),
                (date(2026, 3, 31), Decimal(112 + h % 23)),
            )
        ),
        batch_size=5000,
    )
    return community, admin


def fee_items(community, admin):
    from linli.billing.services import setup

    def item(name, kind, price, **standard):
        fee_item = setup.do_create_fee_item(actor=admin, community=community, name=name, kind=kind)
        s = setup.do_create_standard(
            actor=admin, fee_item=fee_item, effective_from=date(2026, 1, 1), unit_price_fen=price, **standard
        )
        setup.do_publish_standard(actor=admin, standard=s)
        if kind == "property":  # shops pay more
            s = setup.do_create_standard(
                actor=admin,
                fee_item=fee_item,
                effective_from=date(2026, 1, 1),
                unit_price_fen=Decimal("480.5"),
                house_type="shop",
            )
            setup.do_publish_standard(actor=admin, standard=s)
        return fee_item

    return [
        (item("物业费", "property", Decimal("250"), house_type="residential"), None),
        (item("水费", "water", 0, tiers=[[10, 350], [20, 480], [None, 620]]), None),
        (item("公摊电费", "shared_area", 0), 123_456_789),
    ]


def main() -> None:
    args = parse_args()
    from api import database_url

    url, drop_schema = database_url()
    try:
        setup_django(BENCH, keep=args.keep, database_url=url)
        from django.db import connection

        from linli.billing.services import ledger, runs

        houses = max(10, int(HOUSES_AT_SCALE_1 * args.scale))
        engine = connection.vendor
        log(f"{engine}: building {houses} houses …")
        with timed() as built:
            community, admin = build(houses)
            items = fee_items(community, admin)
        log(f"built in {built():.1f} s")
        total_post = total_preview = 0.0
        for fee_item, total_fen in items:
            with timed() as previewed:
                preview = runs.do_preview_run(
                    actor=admin, fee_item=fee_item, period_start=MARCH, total_fen=total_fen
                )
            with timed() as posted:
                computed = runs.do_post_run(actor=admin, run=preview.run)
            total_preview += previewed()
            total_post += posted()
            common = {"engine": engine, "item": fee_item.kind, "bills": len(computed.bills)}
            emit(BENCH, "preview_s", previewed(), "s", houses, **common)
            emit(BENCH, "post_s", posted(), "s", houses, **common)
        emit(BENCH, "preview_3_items_s", total_preview, "s", houses, engine=engine)
        emit(BENCH, "post_3_items_s", total_post, "s", houses, engine=engine, budget_s=BUDGET_S)
        with timed() as verified:
            report = ledger.verify(community.pk)
        emit(BENCH, "verify_ledger_s", verified(), "s", houses, engine=engine, ok=report.ok)
        if not report.ok:
            log(f"ledger problems: {report.problems[:5]}")
    finally:
        drop_schema()


if __name__ == "__main__":
    main()
