"""Shared parking (PARK-2) against the issue's budgets:
- free-space search over 10,000 spaces × 30 days of windows: p95 ≤ 100 ms (a resident's search
  for a night in the coming 30 days, with bookings already taken across those nights);
- booking a shared space: p99 ≤ 50 ms (the service, row lock and audit included);
- the exit barrier's decision for a plate whose temporary fee is paid: p99 ≤ 20 ms (the plate
  event service: the stay, its fee under the standard, its paid bill, the exit recorded; and the
  same through the Django stack with the terminal's bearer token).

    .venv/bin/python bench/parking.py                                  # 10,000 spaces
    .venv/bin/python bench/parking.py --spaces 500 --bookings 1000 --samples 50   # a quick check
    .venv/bin/python bench/parking.py --database-url postgres://…/linli_ci

The offers, spaces and the bookings already there are written in bulk (they are the setting,
not what is measured); the measured bookings go through the service.
"""

import argparse
import random
from datetime import timedelta

from _setup import emit, log, percentiles, setup_django, time_calls

BENCH = "parking"


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--spaces", type=int, default=10_000)
    parser.add_argument("--offers", type=int, default=10, help="the spaces are split between them")
    parser.add_argument("--bookings", type=int, default=30_000, help="bookings already taken over 30 days")
    parser.add_argument("--samples", type=int, default=500)
    parser.add_argument("--database-url", default=None, help="PostgreSQL instead of a temporary SQLite")
    parser.add_argument("--keep", action="store_true")
    return parser.parse_args()


def build(args):
    from django.utils import timezone

    from linli.core.crypto import blind_index
    from linli.parking import services
    from linli.parking.models import SharedBooking
    from linli.parking.windows import occurrences
    from linli.registry.models import Building, House, Organization, ParkingSpace, Unit
    from linli.testing import factories as f
    from linli.testing.parking import GARAGE_WINDOWS

    community = f.community(None, "共享停车")
    manager = f.staff(community, "property_manager", f"bench-manager-{community.pk}")
    building = Building.objects.create(community=community, name="1号楼")
    house = House.objects.create(
        community=community,
        building=building,
        unit=Unit.objects.create(building=building, name="1单元"),
        number="101",
        floor=1,
        area=90,
    )
    resident = f.user("bench-resident", phone="13800009999")
    f.occupy(house, f.person(community, "压测居民", phone="13800009999", login=resident), "owner")
    per_offer = args.spaces // args.offers
    offers = []
    for n in range(args.offers):
        name = f"写字楼{n:02d}"
        org = Organization.objects.create(community=community, kind="merchant", name=name)
        spaces = ParkingSpace.objects.bulk_create(
            ParkingSpace(
                community=community, number=f"{n:02d}-{i:05d}", kind="shared", area_name=f"{name}地库"
            )
            for i in range(per_offer)
        )
        offers.append(
            services.do_create_offer(
                actor=manager,
                community_id=community.pk,
                title=name,
                organization_id=org.pk,
                space_ids=[s.pk for s in spaces],
                windows=GARAGE_WINDOWS,
                price_fen=400,
                overstay_fen=1000,
            )
        )
    now = timezone.now()
    nights = [o for o in occurrences(GARAGE_WINDOWS, now, now + timedelta(days=30)) if o[0] > now]
    rng = random.Random(13)
    space_ids = {o.pk: list(o.spaces.values_list("space_id", flat=True)) for o in offers}
    plate = "京A00000"
    SharedBooking.objects.bulk_create(
        (
            SharedBooking(
                community=community,
                offer=offer,
                space_id=rng.choice(space_ids[offer.pk]),
                start_at=start + timedelta(hours=1),
                end_at=start + timedelta(hours=4),
                plate=plate,
                plate_bidx=blind_index("plate", plate),
                booker=resident,
                fee_fen=1200,
            )
            for offer, (start, _end) in (
                (rng.choice(offers), rng.choice(nights)) for _ in range(args.bookings)
            )
        ),
        batch_size=2000,
    )
    return community, offers, resident, nights


def paid_stays(community, count: int) -> list[str]:
    """`count` cars inside on a temporary stay of 2 h 10 min, each with its fee paid a minute ago
    through billing (bill issued and settled as a payment would be): the plates."""
    from django.utils import timezone

    from linli.access.models import ParkingRecord
    from linli.billing.choices import Channel
    from linli.billing.models import Payment, PaymentAllocation
    from linli.billing.services import stay_fees
    from linli.billing.services.settle import new_trade_no, settle
    from linli.core.crypto import blind_index
    from linli.testing.parking import temporary_tariff

    temporary_tariff(community)
    lane = entry_point(community)
    now = timezone.now()
    plates = [f"粤C{n:05d}" for n in range(count)]
    ParkingRecord.objects.bulk_create(
        ParkingRecord(
            community=community,
            plate=plate,
            plate_bidx=blind_index("plate", plate),
            entry_point=lane,
            entered_at=now - timedelta(hours=2, minutes=10),
        )
        for plate in plates
    )
    for record in ParkingRecord.objects.filter(community=community):
        bill = stay_fees.bill_stay(community.pk, record.pk, record.entered_at, now)
        payment = Payment.objects.create(
            community=community,
            channel=Channel.SANDBOX,
            amount_fen=bill.amount_fen,
            out_trade_no=new_trade_no(),
        )
        PaymentAllocation.objects.create(payment=payment, bill=bill, amount_fen=bill.amount_fen)
        settle(payment.pk, provider_txn_id=f"bench{record.pk}")
    return plates


def entry_point(community):
    from linli.access.models import AccessPoint

    return AccessPoint.objects.create(
        community=community, name="车库入口", kind="garage_barrier", direction="in"
    )


def exit_decisions(community, samples: int) -> None:
    from django.test import Client

    from linli.access import services as access
    from linli.access.models import AccessPoint
    from linli.testing import factories as f

    admin = f.staff(community, "community_admin", f"bench-admin-{community.pk}")
    lane = AccessPoint.objects.create(
        community=community, name="车库出口", kind="garage_barrier", direction="out"
    )
    terminal, token = access.do_register_terminal(actor=admin, point=lane, name="出口终端")
    log(f"{2 * (samples + 10)} cars inside with their fee paid")
    plates = iter(paid_stays(community, 2 * (samples + 10)))

    def service(_i):
        decision = access.do_plate_event(terminal=terminal, plate=next(plates))
        assert decision.allowed, decision.reason

    times = time_calls(service, samples)
    emit(BENCH, "exit_paid_p99", percentiles(times)["p99"], "ms", n=samples, budget=20, path="service")
    client = Client()
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}

    def http(_i):
        body = {"plate": next(plates)}
        r = client.post("/api/v1/access/plate-events", body, content_type="application/json", **auth)
        assert r.status_code == 200 and r.json()["allow"], r.content

    times = time_calls(http, samples)
    emit(BENCH, "exit_paid_p99", percentiles(times)["p99"], "ms", n=samples, budget=20, path="django_stack")


def main():
    args = parse_args()
    setup_django(BENCH, keep=args.keep, database_url=args.database_url)
    from django.db import connection

    from linli.parking import queries, services

    log(f"building {args.spaces} spaces in {args.offers} offers, {args.bookings} bookings")
    community, offers, resident, nights = build(args)
    if connection.vendor == "postgresql":
        connection.cursor().execute("ANALYZE")  # fresh statistics, as autovacuum would give
    rng = random.Random(7)

    def search(i):
        start, _end = rng.choice(nights)
        found = queries.search(resident, community.pk, start + timedelta(hours=2), start + timedelta(hours=5))
        assert found

    times = time_calls(search, args.samples)
    emit(BENCH, "search_p95", percentiles(times)["p95"], "ms", n=args.samples, spaces=args.spaces, budget=100)

    counter = iter(range(10**6))

    def book(i):
        n = next(counter)
        start, _end = rng.choice(nights)
        services.do_book_shared_space(
            actor=resident,
            offer=rng.choice(offers),
            start_at=start + timedelta(hours=5),
            end_at=start + timedelta(hours=7),
            plate=f"沪B{n:05d}",
        )

    times = time_calls(book, args.samples)
    emit(BENCH, "book_p99", percentiles(times)["p99"], "ms", n=args.samples, spaces=args.spaces, budget=50)
    exit_decisions(community, args.samples)


if __name__ == "__main__":
    main()
