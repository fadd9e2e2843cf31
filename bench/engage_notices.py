"""Notices at volume (issue 12's budgets): one community of 10,000 households, each with an
owner who has an account and a tenant in every fourth, then
- a notice to every household delivered to every inbox (budget ≤ 10 s): composed and published
  through the service, which fixes the households and recipients with bulk_create and writes the
  inbox in one `notify` call;
- the read rate per building of that notice, with half the households confirmed, through the
  API as the property manager (budget ≤ 200 ms).

    .venv/bin/python bench/engage_notices.py                    # 10,000 households
    .venv/bin/python bench/engage_notices.py --households 2000  # a quick check
    .venv/bin/python bench/engage_notices.py --database-url postgres://…/linli_ci

The registry is written with bulk_create (set-up, not a product path).
"""

import argparse
from datetime import timedelta
from decimal import Decimal

from _setup import emit, log, percentiles, setup_django, time_calls, timed

BENCH = "engage_notices"
BUILDINGS = 40


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--households", type=int, default=10_000)
    parser.add_argument("--samples", type=int, default=50, help="read-rate requests measured")
    parser.add_argument("--database-url", default=None, help="PostgreSQL instead of a temporary SQLite")
    parser.add_argument("--keep", action="store_true")
    return parser.parse_args()


def build(households: int):
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from linli.registry.models import Building, House, Occupancy, Person, Unit
    from linli.testing import factories as f

    community = f.community(None, "通知花园")
    manager = f.staff(community, "property_manager", f"bench-manager-{community.pk}")
    per_building = -(-households // BUILDINGS)
    buildings = Building.objects.bulk_create(
        Building(community=community, name=f"{i + 1}号楼") for i in range(BUILDINGS)
    )
    units = Unit.objects.bulk_create(Unit(building=b, name="1单元") for b in buildings)
    houses = House.objects.bulk_create(
        (
            House(
                community=community,
                building=u.building,
                unit=u,
                number=f"{n + 1}",
                floor=n // 4 + 1,
                area=Decimal("89.00"),
            )
            for u in units
            for n in range(per_building)
        ),
        batch_size=2000,
    )[:households]
    User = get_user_model()
    tenants = houses[::4]
    users = User.objects.bulk_create(
        (User(username=f"bench-{community.pk}-{i}", password="!") for i in range(len(houses) + len(tenants))),
        batch_size=2000,
    )
    people = Person.objects.bulk_create(
        (Person(community=community, name=f"住户{i}", user=u) for i, u in enumerate(users)), batch_size=2000
    )
    since = timezone.localdate() - timedelta(days=30)
    Occupancy.objects.bulk_create(
        [
            Occupancy(house=h, person=p, relation="owner", valid_from=since)
            for h, p in zip(houses, people, strict=False)
        ]
        + [
            Occupancy(
                house=h, person=p, relation="tenant", valid_from=since, valid_to=since + timedelta(days=365)
            )
            for h, p in zip(tenants, people[len(houses) :], strict=True)
        ],
        batch_size=2000,
    )
    return community, manager, len(users)


def main():
    args = parse_args()
    setup_django(BENCH, keep=args.keep, database_url=args.database_url)
    from django.db import connection, transaction
    from django.test import Client

    from linli.core.dbstats import refresh_planner_statistics
    from linli.engage.models import NoticeHousehold
    from linli.engage.services import notices
    from linli.notify.models import Notification

    log(f"building {args.households} households …")
    community, manager, accounts = build(args.households)
    refresh_planner_statistics()
    extra = {"households": args.households, "accounts": accounts, "engine": connection.vendor}

    with timed() as elapsed:
        with transaction.atomic():
            notice = notices.do_create_notice(
                actor=manager,
                community_id=community.pk,
                title="停水通知",
                body="明天9点到12点停水。",
                must_confirm=True,
            )
            notices.do_publish_notice(actor=manager, notice_id=notice.pk)
    delivered = Notification.objects.filter(kind="engage.notice").count()
    assert delivered == accounts, (delivered, accounts)
    emit(BENCH, "notice_to_every_inbox", elapsed(), "s", 1, budget=10, inboxes=delivered, **extra)

    from django.utils import timezone

    rows = list(NoticeHousehold.objects.filter(notice=notice).values_list("pk", flat=True))
    NoticeHousehold.objects.filter(pk__in=rows[::2]).update(confirmed_at=timezone.now())
    refresh_planner_statistics()
    client = Client()
    client.force_login(manager)

    def read_rate(_i):
        r = client.get(f"/api/v1/engage/notices/{notice.pk}")
        assert r.status_code == 200 and len(r.json()["buildings"]) == BUILDINGS

    times = time_calls(read_rate, args.samples, warmup=3)
    for cut, value in percentiles(times).items():
        emit(BENCH, f"read_rate_per_building_{cut}", value, "ms", args.samples, budget=200, **extra)


if __name__ == "__main__":
    main()
