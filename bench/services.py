"""Life services at volume, in one SQLite (or PostgreSQL) community of N households:
- booking a venue slot (p50/p95/p99 per booking, each household a different time, the venue's
  calendar filling up) and booking a service slot (places of one weekly slot over many weeks),
- 50 concurrent attempts at the last place of one service slot and at one venue time: exactly
  one must win each.

    .venv/bin/python bench/services.py                      # 500 households
    .venv/bin/python bench/services.py --households 100     # a quick check

Households are written with bulk_create (set-up, not a product path); bookings go through the
services, as the residents. Budget (issue 13): a venue booking p99 <= 50 ms.
"""

import argparse
import itertools
from datetime import datetime, time, timedelta
from decimal import Decimal

from _setup import emit, log, percentiles, setup_django, time_calls

BENCH = "services"
RACERS = 50


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--households", type=int, default=500)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--keep", action="store_true")
    return parser.parse_args()


def build(n: int):
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from linli.registry.models import Building, House, Occupancy, Person, Unit
    from linli.testing import factories as f

    community = f.community(None, "服务花园")
    staff = f.staff(community, "property_manager", f"bench-services-{community.pk}")
    building = Building.objects.create(community=community, name="1号楼")
    unit = Unit.objects.create(building=building, name="1单元")
    houses = House.objects.bulk_create(
        House(
            community=community,
            building=building,
            unit=unit,
            number=f"{i + 1:04d}",
            floor=1 + i // 10,
            area=Decimal("89.00"),
        )
        for i in range(n)
    )
    users = get_user_model().objects.bulk_create(
        get_user_model()(username=f"bench-svc-{community.pk}-{i}", display_name=f"业主{i}") for i in range(n)
    )
    people = Person.objects.bulk_create(
        Person(community=community, name=f"业主{i}", user=u) for i, u in enumerate(users)
    )
    since = timezone.localdate() - timedelta(days=400)
    Occupancy.objects.bulk_create(
        Occupancy(house=h, person=p, relation="owner", valid_from=since)
        for h, p in zip(houses, people, strict=True)
    )
    return community, staff, list(zip(users, houses, strict=True))


def main():
    args = parse_args()
    setup_django(BENCH, keep=args.keep, database_url=args.database_url)
    from django.utils import timezone

    from linli.core.errors import ServiceError
    from linli.services.models import ServiceBooking, VenueBooking
    from linli.services.services import bookings, providers, venues
    from linli.testing.services import catalogue, next_weekday
    from linli.testing.threads import run_together

    n = args.households
    log(f"building {n} households")
    community, staff, residents = build(n)
    extra = {"households": n, "database": "postgresql" if args.database_url else "sqlite"}

    class World:  # what catalogue() needs of the test world
        a = community

    c = catalogue(World, capacity=1, staff=staff)
    venue = venues.do_create_venue(
        actor=staff,
        community_id=community.pk,
        name="大会议室",
        kind="meeting_room",
        opens_at=time(8),
        closes_at=time(21),
    )
    first_day = timezone.localdate() + timedelta(days=1)

    turn = itertools.count()  # time_calls() numbers its warm-up and its samples from 0 each

    def book_venue(_i: int):
        i = next(turn)
        user, house = residents[i]
        day, hour = first_day + timedelta(days=i // 13), 8 + i % 13
        start = timezone.make_aware(datetime.combine(day, time(hour)))
        venues.do_book_venue(actor=user, venue=venue, house_id=house.pk, starts_at=start)

    times = time_calls(book_venue, n - 10, warmup=10)
    for name, value in percentiles(times).items():
        emit(BENCH, f"venue_booking_{name}", value, "ms", len(times), **extra)

    wide = providers.do_add_slot(
        actor=staff, offering=c.offering, weekday=4, start_time=time(10), capacity=1000
    )

    turn = itertools.count()

    def book_service(_i: int):
        i = next(turn)
        user, house = residents[i]
        on = next_weekday(4, weeks=i % 8)
        bookings.do_book_service(actor=user, offering=c.offering, slot_id=wide.pk, on=on, house_id=house.pk)

    times = time_calls(book_service, n - 10, warmup=10)
    for name, value in percentiles(times).items():
        emit(BENCH, f"service_booking_{name}", value, "ms", len(times), **extra)

    racers = residents[:RACERS]
    on = next_weekday(2, weeks=1)
    outcomes = run_together(
        [
            lambda u=u, h=h: bookings.do_book_service(
                actor=u, offering=c.offering, slot_id=c.slot.pk, on=on, house_id=h.pk
            )
            for u, h in racers
        ]
    )
    won = sum(isinstance(o, ServiceBooking) for o in outcomes)
    refused = sum(isinstance(o, ServiceError) for o in outcomes)
    emit(BENCH, "service_race_winners", won, "bookings", RACERS, refused=refused, **extra)
    if won != 1:
        raise SystemExit(f"{won} service bookings won the race for one place")
    start = timezone.make_aware(datetime.combine(first_day + timedelta(days=90), time(9)))
    outcomes = run_together(
        [
            lambda u=u, h=h: venues.do_book_venue(actor=u, venue=venue, house_id=h.pk, starts_at=start)
            for u, h in racers
        ]
    )
    won = sum(isinstance(o, VenueBooking) for o in outcomes)
    refused = sum(isinstance(o, ServiceError) for o in outcomes)
    emit(BENCH, "venue_race_winners", won, "bookings", RACERS, refused=refused, **extra)
    if won != 1:
        raise SystemExit(f"{won} venue bookings won the race for one time")


if __name__ == "__main__":
    main()
