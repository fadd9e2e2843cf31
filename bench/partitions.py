"""Access events partitioned by month on PostgreSQL: the console's event list over 10,000,000
events, and retention dropping a month.

    .venv/bin/python bench/partitions.py --database-url postgres://… [--events 10000000] [--months 12]
    make bench ONLY=partitions ARGS="--database-url postgres://…"

PostgreSQL only (partitions are its own); the run migrates a schema of its own in the given
database and drops it at the end (`--keep` leaves it). Set-up in SQL, not a product path: one
community with 40 access points and 2,000 people, and N events spread evenly over the last
`--months` months, inserted month by month with generate_series into the partitioned table
(each row goes to its month's partition as the product's own inserts do); 10% of them denials,
at every point.

Figures (one JSON line each on stdout):
- the console's event list as the API reads it (`queries.events(user)` of a property manager,
  the community, `keyset_page` by time, 50 rows): first page, the next page from its cursor,
  and a filtered first page (one access point, denials only); p50/p95 over `--samples` runs;
- retention: the time to drop the oldest month (its row count alongside).
"""

import argparse
import os
import time

from _setup import emit, log, percentiles, setup_django, time_calls, timed
from api import database_url

BENCH = "partitions"
POINTS = 40
PEOPLE = 2000


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--database-url",
        default=os.environ.get("DATABASE_URL", ""),
        help="PostgreSQL (default: $DATABASE_URL); the run uses a schema of its own",
    )
    parser.add_argument("--events", type=int, default=10_000_000)
    parser.add_argument("--months", type=int, default=12, help="the events span this many months up to now")
    parser.add_argument("--samples", type=int, default=200)
    parser.add_argument("--keep", action="store_true", help="leave the schema for a look afterwards")
    return parser.parse_args()


def build(events: int, months: int) -> dict:
    from django.db import connection
    from django.utils import timezone

    from linli.access import services
    from linli.access.choices import PointKind
    from linli.access.models import AccessEvent
    from linli.core import partitions
    from linli.core.roles import Role
    from linli.registry.models import Person
    from linli.testing import factories as f

    operator = f.user("bench-operator", is_operator=True)
    community = f.community("bench", "基准小区")
    manager = f.staff(community, Role.PROPERTY_MANAGER, "bench-manager")
    points = [
        services.do_create_point(
            actor=operator, community=community, name=f"{n + 1}号门", kind=PointKind.COMMUNITY_GATE
        )
        for n in range(POINTS)
    ]
    Person.objects.bulk_create(
        [Person(community=community, name=f"住户{n}") for n in range(PEOPLE)], batch_size=1000
    )
    people = list(Person.objects.filter(community=community).values_list("pk", flat=True))
    now = timezone.now()
    this = partitions.month_start(now)
    first = partitions.add_months(this, -(months - 1))
    partitions.ensure_months(
        AccessEvent._meta.db_table, "at", [partitions.add_months(first, n) for n in range(months)]
    )
    span = (now - first).total_seconds()
    per_second = events / span
    loaded = 0
    with timed() as total:
        for n in range(months):
            start = partitions.add_months(first, n)
            end = min(partitions.add_months(start, 1), now)
            count = round((end - start).total_seconds() * per_second) if n < months - 1 else events - loaded
            with timed() as t, connection.cursor() as cursor:
                # Event g of the month at start + g * step: evenly spread, as a community's gates are.
                cursor.execute(
                    """
                    INSERT INTO access_accessevent
                        (community_id, point_id, person_id, at, method, allowed, reason, direction, offline)
                    SELECT %(community)s, (%(points)s::bigint[])[1 + g %% %(n_points)s],
                           (%(people)s::bigint[])[1 + (g * 7) %% %(n_people)s],
                           %(start)s + g * (%(end)s::timestamptz - %(start)s) / %(count)s,
                           CASE WHEN g %% 3 = 0 THEN 'face' ELSE 'card' END,
                           (g / %(n_points)s) %% 10 <> 0,
                           CASE WHEN (g / %(n_points)s) %% 10 <> 0 THEN 'ok' ELSE 'unknown_credential' END,
                           'both', false
                    FROM generate_series(0, %(count)s - 1) AS g
                    """,
                    {
                        "community": community.id,
                        "points": [p.pk for p in points],
                        "n_points": POINTS,
                        "people": people,
                        "n_people": len(people),
                        "start": start,
                        "end": end,
                        "count": count,
                    },
                )
            loaded += count
            log(f"{start:%Y-%m}: {count:,} events in {t():.1f} s ({loaded:,} of {events:,})")
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE access_accessevent")
    emit(BENCH, "load_events", total(), "s", n=events, rate_per_s=round(events / total()))
    return {"manager": manager, "community": community, "point": points[7], "first_month": first}


def measure_list(ctx: dict, samples: int) -> None:
    from linli.access import queries
    from linli.core.pagination import keyset_page

    manager, community_id = ctx["manager"], ctx["community"].id

    def page(cursor=None, **filters):
        qs = queries.events(manager).filter(community_id=community_id, **filters)
        return keyset_page(qs, cursor=cursor, limit=50, newest_first=True, time_key="at")

    rows, next_cursor = page()
    assert len(rows) == 50 and next_cursor
    cases = {
        "event_list_first_page": lambda i: page(),
        "event_list_next_page": lambda i: page(cursor=next_cursor),
        "event_list_filtered_page": lambda i: page(point_id=ctx["point"].pk, allowed=False),
    }
    for metric, call in cases.items():
        cuts = percentiles(time_calls(call, samples))
        emit(
            BENCH, metric, cuts["p95"], "ms", n=samples, p50=round(cuts["p50"], 2), p95=round(cuts["p95"], 2)
        )


def measure_drop(ctx: dict) -> None:
    from django.db import connection

    from linli.access.models import AccessEvent
    from linli.core import partitions

    month = ctx["first_month"]
    name = partitions.partition_name(AccessEvent._meta.db_table, month)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {connection.ops.quote_name(name)}")
        (rows,) = cursor.fetchone()
    with timed() as t:
        dropped = partitions.drop_months_before(AccessEvent, partitions.add_months(month, 1))
    assert dropped == 1
    emit(BENCH, "drop_month", t() * 1000, "ms", n=rows, month=f"{month:%Y-%m}")


def main() -> None:
    args = parse_args()
    if not args.database_url.startswith(("postgres://", "postgresql://")):
        # `make bench` runs every bench on SQLite too, where there are no partitions to measure.
        log("bench/partitions.py: PostgreSQL only (give --database-url postgres://…); skipped")
        return
    os.environ["DATABASE_URL"] = args.database_url
    url, cleanup = database_url()
    try:
        setup_django(BENCH, database_url=url)
        log(f"load average {os.getloadavg()}")
        started = time.perf_counter()
        ctx = build(args.events, args.months)
        measure_list(ctx, args.samples)
        measure_drop(ctx)
        log(f"done in {time.perf_counter() - started:.0f} s")
    finally:
        if args.keep:
            log("keeping the schema (drop it by hand)")
        else:
            from django.db import connections

            connections.close_all()
            cleanup()


if __name__ == "__main__":
    main()
