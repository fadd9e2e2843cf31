"""The government view (GRID-3) at 1,000 communities and 10,000,000 people in aggregates, and the
daily job that feeds it.

    .venv/bin/python bench/dashboards_gov.py                 # 1,000 communities, 31 days
    .venv/bin/python bench/dashboards_gov.py --communities 50 --days 5   # a quick check
    .venv/bin/python bench/dashboards_gov.py --database-url postgres://…/linli_bench  # an empty database

The daily figures (`DailyFigure`) are written directly in bulk, as 31 runs of the daily job
would have left them: every community 10,000 people in 20 buildings and 5 grids (one of them
overlapping two others), in streets of 10 communities; stocks of every day, flows of every day
by category, kind, building, severity and type. Then the street list (all 1,000 communities,
as an operator or a city office sees it), one street, and one community with its grids and
buildings are timed through the functions the pages and API call and through the API itself
(Django's test Client in-process: the whole middleware and Ninja stack, no socket).

Last, the daily job itself: on the demo community (`seed_demo`, as `make run` builds it), the
time one community costs (today's stocks and flows, yesterday's flows), and the hourly run over
every community of this database."""

import argparse
import random
from datetime import timedelta

from _setup import emit, log, percentiles, setup_django, time_calls, timed

BENCH = "dashboards_gov"
BUDGET_MS = 500
PEOPLE_PER_COMMUNITY = 10_000
BUILDINGS = 20
GRIDS = 5
PER_STREET = 10
CATEGORIES = ("水管漏水", "电梯故障", "噪音投诉", "占用消防通道", "垃圾清运")
KINDS = ("repair", "complaint", "incident")
SEVERITIES = ("critical", "major", "minor", "warning")
TYPES = ("co_high", "smoke", "water_level", "offline", "fire_lane")
BANDS = ("0-5", "6-17", "18-59", "60-79", "80+", "unknown")
CARE = ("elderly_alone", "elderly", "disabled", "low_income", "veteran")


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--communities", type=int, default=1_000)
    parser.add_argument("--days", type=int, default=31)
    parser.add_argument("--samples", type=int, default=50, help="timed calls per measured read")
    parser.add_argument("--keep", action="store_true", help="keep the temporary database")
    parser.add_argument("--database-url", default=None, help="PostgreSQL instead of a temporary SQLite")
    parser.add_argument(
        "--reuse", action="store_true", help="with --database-url: measure what an earlier run built there"
    )
    return parser.parse_args()


def insert(model, columns: list[str], rows) -> None:
    from django.db import connection

    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(c) for c in columns)
    marks = ", ".join(["%s"] * len(columns))
    with connection.cursor() as cursor:
        cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", rows)


def stocks_of(rng: random.Random, buildings: list[int]) -> list[tuple[str, str, int]]:
    """One community's stocks of a day: 10,000 people in its buildings, houses, alarms, fees."""
    per_building = [PEOPLE_PER_COMMUNITY // len(buildings)] * len(buildings)
    rows = []
    floating_total = 0
    for building_id, people in zip(buildings, per_building, strict=True):
        floating = people // 5 + rng.randint(-20, 20)
        floating_total += floating
        part = f"building:{building_id}"
        rows += [("population.real", part, people), ("population.floating", part, floating)]
        houses = people // 3
        rows += [
            ("housing.houses", part, houses),
            ("housing.occupied", part, houses - 12),
            ("housing.rented", part, houses // 6),
            ("housing.vacant", part, 12),
        ]
    homes = PEOPLE_PER_COMMUNITY // 3
    rows += [
        ("population.real", "", PEOPLE_PER_COMMUNITY),
        ("population.floating", "", floating_total),
        ("population.tenants", "", PEOPLE_PER_COMMUNITY // 6),
        ("population.households", "", homes - 12 * len(buildings)),
        ("housing.houses", "", homes),
        ("housing.occupied", "", homes - 12 * len(buildings)),
        ("housing.rented", "", homes // 6),
        ("housing.vacant", "", 12 * len(buildings)),
        ("requests.open", "", rng.randint(5, 40)),
        ("requests.overdue", "", rng.randint(0, 6)),
        ("devices.total", "", 300),
        ("devices.online", "", 300 - rng.randint(0, 9)),
        ("fees.due", "", 250_000_00),
        ("fees.paid", "", rng.randint(150_000_00, 250_000_00)),
        ("satisfaction.score", "", rng.randint(70, 95)),
    ]
    rows += [("population.age", f"band:{b}", PEOPLE_PER_COMMUNITY // len(BANDS)) for b in BANDS]
    rows += [("population.special", f"kind:{k}", rng.randint(3, 80)) for k in CARE]
    rows += [("alarms.active", f"severity:{s}", rng.randint(0, 4)) for s in SEVERITIES]
    return rows


def flows_of(rng: random.Random, buildings: list[int]) -> list[tuple[str, str, int]]:
    """One community's flows of a day: passages, requests by category, kind and building, alarms."""
    rows = [(f"flows.{k}", "", rng.randint(2_000, 9_000)) for k in ("people_in", "people_out")]
    rows += [(f"flows.{k}", "", rng.randint(300, 900)) for k in ("vehicles_in", "vehicles_out")]
    opened = {c: rng.randint(0, 6) for c in CATEGORIES}
    resolved = {c: rng.randint(0, 6) for c in CATEGORIES}
    for metric, counts, scale in (
        ("requests.opened", opened, 1),
        ("requests.resolved", resolved, 1),
        ("requests.resolve_minutes", resolved, 180),
    ):
        total = sum(counts.values()) * scale
        rows.append((metric, "", total))
        rows += [(metric, f"category:{c}", n * scale) for c, n in counts.items()]
        rows += [(metric, f"kind:{k}", total // len(KINDS)) for k in KINDS]
        rows += [(metric, f"building:{b}", total // len(buildings)) for b in buildings]
    rows += [("alarms.raised", f"severity:{s}", rng.randint(0, 3)) for s in SEVERITIES]
    rows += [("alarms.raised", f"type:{t}", rng.randint(0, 3)) for t in TYPES]
    return rows


def build(communities: int, days: int) -> dict:
    from django.contrib.auth import get_user_model
    from django.db import connection, transaction
    from django.utils import timezone

    from linli.core.models import Community, Membership
    from linli.dashboards.models import DailyFigure
    from linli.grid.models import Grid
    from linli.registry.models import Building

    if connection.vendor == "sqlite":  # a throwaway database need not survive a power cut
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA synchronous=OFF")
    rng = random.Random(14)
    today = timezone.localdate()
    figures = 0
    with timed() as t, transaction.atomic():
        Community.objects.bulk_create(
            Community(
                name=f"社区{n:04d}",
                code=f"bench-{n}",
                city="北京市",
                district=f"第{n // (PER_STREET * 10)}区",
                street=f"第{n // PER_STREET}街道",
            )
            for n in range(communities)
        )
        ids = list(Community.objects.order_by("id").values_list("id", flat=True))
        Building.objects.bulk_create(
            Building(community_id=c, name=f"{b + 1}号楼", floors=18) for c in ids for b in range(BUILDINGS)
        )
        buildings: dict[int, list[int]] = {c: [] for c in ids}
        for b, c in Building.objects.order_by("id").values_list("id", "community_id"):
            buildings[c].append(b)
        Grid.objects.bulk_create(
            Grid(community_id=c, name=f"第{g + 1}网格") for c in ids for g in range(GRIDS)
        )
        through = []
        for grid_id, c in Grid.objects.order_by("id").values_list("id", "community_id"):
            n = grid_id % GRIDS
            # Four grids of five buildings, and a fifth over the first two's (grids may overlap).
            members = buildings[c][:10] if n == 0 else buildings[c][(n - 1) * 5 : n * 5]
            through += [Grid.buildings.through(grid_id=grid_id, building_id=b) for b in members]
        Grid.buildings.through.objects.bulk_create(through)
        columns = ["community_id", "day", "metric", "part", "value"]
        for back in range(days - 1, -1, -1):
            day = today - timedelta(days=back)
            rows = [
                (c, day, m, p, v)
                for c in ids
                for m, p, v in stocks_of(rng, buildings[c]) + flows_of(rng, buildings[c])
            ]
            insert(DailyFigure, columns, rows)
            figures += len(rows)
        User = get_user_model()
        operator = User.objects.create(username="bench-operator", is_operator=True)
        viewer = User.objects.create(username="bench-street-office")
        street = Community.objects.get(pk=ids[-1]).street
        Membership.objects.bulk_create(
            Membership(user=viewer, community_id=c, role="gov_viewer")
            for c in Community.objects.filter(street=street).values_list("id", flat=True)
        )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # fresh statistics, as autovacuum (PostgreSQL) would give
    log(f"built {communities} communities, {figures:,} daily figures over {days} days in {t():.0f} s")
    emit(BENCH, "build_figures", figures, "rows", n=communities, seconds=round(t()))
    return {"ids": ids, "operator": operator, "viewer": viewer, "street": street}


def built_before() -> dict:
    """What `build` returned, read back from a database an earlier run built."""
    from django.contrib.auth import get_user_model

    from linli.core.models import Community

    User = get_user_model()
    ids = list(
        Community.objects.filter(code__startswith="bench-").order_by("id").values_list("id", flat=True)
    )
    assert ids, "nothing built here before: run without --reuse first"
    operator = User.objects.get(username="bench-operator")
    viewer = User.objects.get(username="bench-street-office")
    return {
        "ids": ids,
        "operator": operator,
        "viewer": viewer,
        "street": Community.objects.get(pk=ids[-1]).street,
    }


def measure_reads(world: dict, samples: int) -> None:
    from django.test import Client
    from django.utils import timezone

    from linli.dashboards import gov, gov_period

    period = gov_period.period_of("30d", timezone.localdate())
    operator, viewer, last = world["operator"], world["viewer"], world["ids"][-1]
    district = f"第{(len(world['ids']) - 1) // (PER_STREET * 10)}区"
    reads = {
        "streets_all": lambda i: gov.streets(operator, period),
        "street_one": lambda i: gov.streets(viewer, period, only=(district, world["street"])),
        "community": lambda i: gov.community(operator, world["ids"][-1 - i % 10], period),
    }
    operator_api, viewer_api = Client(), Client()
    operator_api.force_login(operator)
    viewer_api.force_login(viewer)
    reads |= {
        "api_streets_all": lambda i: _ok(operator_api.get("/api/v1/dashboards/streets", {"period": "30d"})),
        "api_street_office": lambda i: _ok(viewer_api.get("/api/v1/dashboards/streets", {"period": "30d"})),
        "api_community": lambda i: _ok(
            viewer_api.get(f"/api/v1/dashboards/communities/{last}/figures", {"period": "30d"})
        ),
        "page_community": lambda i: _ok(viewer_api.get(f"/staff/{last}/dashboards/gov/", {"period": "30d"})),
    }
    for name, call in reads.items():
        cuts = percentiles(time_calls(call, samples, warmup=3))
        emit(BENCH, f"{name}_p95", cuts["p95"], "ms", n=samples, p50=round(cuts["p50"], 1), budget=BUDGET_MS)
        log(f"{name}: p50 {cuts['p50']:.1f} ms, p95 {cuts['p95']:.1f} ms")


def _ok(response):
    assert response.status_code == 200, response.content[:300]
    return response


def measure_daily_job(world: dict) -> None:
    import io

    from django.core.management import call_command
    from django.utils import timezone

    from linli.core.models import Community
    from linli.dashboards import periodic
    from linli.dashboards.services import daily_figures

    with timed() as t:
        call_command("seed_demo", stdout=io.StringIO())
    log(f"seeded the demo in {t():.0f} s")
    demo = Community.objects.get(code="demo-xingfuli")
    today = timezone.localdate()
    runs = []
    for _ in range(5):
        with timed() as t:
            daily_figures.do_compute_daily_figures(demo.id, today)
            daily_figures.do_compute_daily_figures(demo.id, today - timedelta(days=1))
        runs.append(t() * 1000)
    runs.sort()
    emit(BENCH, "daily_job_demo_community", runs[len(runs) // 2], "ms", n=len(runs))
    log(f"daily job, demo community (today and yesterday): median {runs[len(runs) // 2]:.0f} ms")
    with timed() as t:
        written = periodic.compute_daily_figures(timezone.now())
    count = Community.objects.count()
    emit(
        BENCH,
        "daily_job_all",
        t() * 1000,
        "ms",
        n=count,
        rows=written,
        per_community_ms=round(t() * 1000 / count, 1),
    )
    log(f"hourly run over {count} communities: {t():.1f} s, {written:,} rows")


def main():
    args = parse_args()
    setup_django(BENCH, keep=args.keep, database_url=args.database_url)
    reuse = args.reuse and args.database_url
    world = built_before() if reuse else build(args.communities, args.days)
    measure_reads(world, args.samples)
    if not reuse:  # the demo's personal data is encrypted under the first run's key ring
        measure_daily_job(world)


if __name__ == "__main__":
    main()
