"""Billing reports for a 10,000-household community: arrears per building and house (budget
≤ 1 s), its .xlsx export, and the collection rate per building and month over a year of bills.

    .venv/bin/python bench/billing_reports.py                    # 10,000 houses × 12 months
    .venv/bin/python bench/billing_reports.py --houses 1000      # a quick check
    .venv/bin/python bench/billing_reports.py --database-url postgres://…/linli_6

The bills are written with bulk_create (set-up, not a product path): one a month per house for
a year, every house paid up to a month drawn at random, so about seven houses in ten owe between one
and several months, the oldest first, like a real ledger after a year. Requests go through
Django's test Client in-process (middleware, Ninja, restrict()), signed in as the property
manager.
"""

import argparse
import random
from datetime import date
from decimal import Decimal

from _setup import emit, log, percentiles, setup_django, time_calls, timed

BENCH = "billing_reports"
BUDGET_MS = 1000
BUILDINGS, UNITS = 20, 2


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--houses", type=int, default=10_000)
    parser.add_argument("--months", type=int, default=12)
    parser.add_argument("--samples", type=int, default=20, help="requests per measured page")
    parser.add_argument("--database-url", default=None, help="PostgreSQL instead of a temporary SQLite")
    parser.add_argument("--keep", action="store_true")
    return parser.parse_args()


def build(houses: int, months: int):
    from linli.billing.models import Bill, FeeItem, FeeStandard
    from linli.registry.models import Building, House, Unit
    from linli.testing import factories as f

    rng = random.Random(9)
    community = f.community(None, "十万户花园")
    manager = f.staff(community, "property_manager", f"bench-manager-{community.pk}")
    item = FeeItem.objects.create(community=community, name="物业费", kind="property")
    standard = FeeStandard.objects.create(
        fee_item=item, community=community, version=1, effective_from=date(2025, 1, 1), unit_price_fen=250
    )
    per_unit = -(-houses // (BUILDINGS * UNITS))
    rows = []
    for b in range(BUILDINGS):
        building = Building.objects.create(community=community, name=f"{b + 1}号楼", floors=30)
        for u in range(UNITS):
            unit = Unit.objects.create(building=building, name=f"{u + 1}单元")
            for n in range(per_unit):
                if len(rows) < houses:
                    rows.append(
                        House(
                            community=community,
                            building=building,
                            unit=unit,
                            number=f"{n // 4 + 1}{n % 4 + 1:02d}",
                            floor=n // 4 + 1,
                            area=Decimal("89.50"),
                        )
                    )
    House.objects.bulk_create(rows, batch_size=2000)
    bills = []
    for house in House.objects.filter(community=community).only("id", "building_id"):
        paid_through = rng.choice([months] * 5 + list(range(months)))  # 5 in 17 fully paid
        for m in range(months):
            start = date(2025 + m // 12, m % 12 + 1, 1)
            end = date(start.year + start.month // 12, start.month % 12 + 1, 1)
            paid = m < paid_through
            bills.append(
                Bill(
                    community=community,
                    building_id=house.building_id,
                    house_id=house.pk,
                    fee_item=item,
                    standard=standard,
                    period_start=start,
                    period_end=date.fromordinal(end.toordinal() - 1),
                    quantity=Decimal("89.5"),
                    amount_fen=22375,
                    paid_fen=22375 if paid else 0,
                    status="paid" if paid else "unpaid",
                    due_on=start,
                )
            )
            if len(bills) >= 20_000:
                Bill.objects.bulk_create(bills)
                bills.clear()
    Bill.objects.bulk_create(bills)
    return community, manager


def main() -> None:
    args = parse_args()
    setup_django(BENCH, keep=args.keep, database_url=args.database_url)
    from django.db import connection
    from django.test import Client

    from linli.billing.models import Bill

    log(f"building {args.houses:,} houses × {args.months} months of bills …")
    with timed() as t:
        community, manager = build(args.houses, args.months)
    log(f"… {Bill.objects.count():,} bills in {t():.1f} s on {connection.vendor}")
    with connection.cursor() as cursor:  # planner statistics, as a live database has them
        cursor.execute("ANALYZE")
    client = Client()
    client.force_login(manager)
    cid = community.pk
    body = client.get("/api/v1/billing/reports/arrears", {"community": cid}).json()
    debtors = len(body["houses"])
    log(f"{debtors:,} houses owe, in {len(body['buildings'])} buildings")

    checks = {
        "arrears_api": lambda i: client.get("/api/v1/billing/reports/arrears", {"community": cid}),
        "arrears_xlsx": lambda i: client.get(f"/billing/c/{cid}/arrears/", {"format": "xlsx"}),
        "arrears_page": lambda i: client.get(f"/billing/c/{cid}/arrears/"),
        "collection_page": lambda i: client.get(f"/billing/c/{cid}/reports/", {"year": 2025}),
    }
    for metric, call in checks.items():
        assert call(0).status_code == 200, metric
        samples = time_calls(call, args.samples, warmup=2)
        cuts = percentiles(samples)
        emit(
            BENCH,
            metric,
            cuts["p95"],
            "ms",
            n=args.samples,
            p50=round(cuts["p50"], 1),
            max=round(max(samples), 1),
            houses=args.houses,
            debtors=debtors,
            database=connection.vendor,
            budget_ms=BUDGET_MS if metric == "arrears_api" else None,
        )
    if args.database_url:  # leave the caller's database as it was
        Bill.objects.filter(community_id=cid).delete()
        community.delete()
        manager.delete()


if __name__ == "__main__":
    main()
