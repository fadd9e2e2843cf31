"""Data sharing and reports (issue 14, DASH-3 and SEC-4): a city system's call and a monthly
report's generation, on the demo community and on 1,000 communities of daily figures.

    .venv/bin/python bench/dashboards_sharing.py                     # demo + 1,000 communities
    .venv/bin/python bench/dashboards_sharing.py --communities 100 --no-demo
    .venv/bin/python bench/dashboards_sharing.py --database-url postgres://…/linli_14

The demo is seeded as `make run` seeds it (its own 30 days of daily figures from its passages,
requests and alarms). The 1,000 communities are 50 streets of 20, each with 10 buildings in two
grids; their daily figures (30 days of flows, today's stocks: population per building, age
bands, special groups, houses, fees) are written with executemany (set-up, not a product path).
Calls go through Django's test Client in-process (middleware, Ninja, the token, the rate
counter, the log row); the token's rate is raised so that the bench measures the read, not the
429. Figures: one JSON line each on stdout.
"""

import argparse
import random
from datetime import timedelta

from _setup import emit, log, percentiles, setup_django, time_calls, timed

BENCH = "dashboards_sharing"
PER_STREET = 20
BUILDINGS = 10


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--communities", type=int, default=1000)
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--samples", type=int, default=20)
    parser.add_argument("--no-demo", action="store_true")
    parser.add_argument("--database-url", default=None, help="PostgreSQL instead of a temporary SQLite")
    return parser.parse_args()


def insert(model, columns: list[str], rows, batch: int = 20_000) -> None:
    from django.db import connection

    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(c) for c in columns)
    sql = f"INSERT INTO {table} ({names}) VALUES ({', '.join(['%s'] * len(columns))})"
    rows = list(rows)
    with connection.cursor() as cursor:
        for start in range(0, len(rows), batch):
            cursor.executemany(sql, rows[start : start + batch])


def build(n: int, days: int) -> list[int]:
    from django.db import transaction
    from django.utils import timezone

    from linli.core.models import Community
    from linli.dashboards.models import DailyFigure
    from linli.grid.models import Grid
    from linli.registry.models import Building

    rng = random.Random(14)
    today = timezone.localdate()
    with transaction.atomic():
        communities = Community.objects.bulk_create(
            Community(name=f"社区{i}", code=f"bench-{i}", district="朝阳区", street=f"街道{i // PER_STREET}")
            for i in range(n)
        )
        buildings = Building.objects.bulk_create(
            Building(community=c, name=f"{b + 1}号楼", floors=18)
            for c in communities
            for b in range(BUILDINGS)
        )
        by_community: dict[int, list] = {}
        for b in buildings:
            by_community.setdefault(b.community_id, []).append(b)
        grids = Grid.objects.bulk_create(
            Grid(community=c, name=f"{g + 1}网格") for c in communities for g in range(2)
        )
        through = []
        for grid in grids:
            members = by_community[grid.community_id]
            half = members[: BUILDINGS // 2] if grid.name == "1网格" else members[BUILDINGS // 2 :]
            through += [(grid.id, b.id) for b in half]
        insert(Grid.buildings.through, ["grid_id", "building_id"], through)
        columns = ["community_id", "day", "metric", "part", "value"]
        rows = []
        for c in communities:
            people = {b.id: rng.choice([0, 2, 3, 40, 120, 300]) for b in by_community[c.id]}
            real = sum(people.values())
            rows += [(c.id, today, "population.real", f"building:{b}", v) for b, v in people.items() if v]
            rows += [
                (c.id, today, "population.floating", f"building:{b}", v // 5) for b, v in people.items() if v
            ]
            rows += [
                (c.id, today, "population.real", "", real),
                (c.id, today, "population.floating", "", sum(v // 5 for v in people.values())),
                (c.id, today, "population.tenants", "", real // 4),
                (c.id, today, "population.households", "", real // 3),
            ]
            bands = [real // 10, real // 8, real // 2, real // 6]
            bands.append(real - sum(bands))
            rows += [
                (c.id, today, "population.age", f"band:{b}", v)
                for b, v in zip(("0-5", "6-17", "18-59", "60-79", "80+"), bands, strict=True)
            ]
            rows += [
                (c.id, today, "population.special", f"kind:{k}", rng.randint(0, 12))
                for k in ("elderly_alone", "disabled")
            ]
            for key, v in (
                ("houses", real // 2),
                ("occupied", real // 3),
                ("rented", real // 12),
                ("vacant", real // 6),
            ):
                rows.append((c.id, today, f"housing.{key}", "", v))
            rows += [(c.id, today, "fees.due", "", real * 5000), (c.id, today, "fees.paid", "", real * 4000)]
            for d in range(days):
                day = today - timedelta(days=d)
                opened = rng.randint(0, 6)
                rows += [
                    (c.id, day, "requests.opened", "", opened),
                    (c.id, day, "requests.opened", "category:漏水", opened),
                    (c.id, day, "requests.resolved", "", opened),
                    (c.id, day, "requests.resolve_minutes", "", opened * 90),
                    (c.id, day, "alarms.raised", "severity:warning", rng.randint(0, 3)),
                    (c.id, day, "flows.people_in", "", rng.randint(100, 900)),
                ]
                if d:
                    rows.append((c.id, day, "population.real", "", real))
        insert(DailyFigure, columns, rows)
    log(f"{n} communities, {len(rows)} daily figures")
    return [c.id for c in communities]


def token(community_ids: list[int], level: str = "building") -> str:
    from linli.dashboards.models import SharingToken
    from linli.dashboards.services.sharing import do_issue_sharing_token
    from linli.testing import factories as f

    admin = f.user(f"bench-admin-{len(community_ids)}-{level}", is_operator=True)
    issued = do_issue_sharing_token(
        actor=admin,
        community_id=community_ids[0],
        name="区城市运行管理平台",
        datasets=["population", "housing", "incidents", "alarms", "fees"],
        community_ids=community_ids,
        level=level,
        rate_per_minute=600,
    )
    SharingToken.objects.filter(pk=issued.token.pk).update(rate_per_minute=10**9)  # set-up: measure reads
    return issued.key


def measure_calls(label: str, key: str, calls: dict[str, tuple[str, dict]], samples: int) -> None:
    from linli.testing.client import ApiClient

    client = ApiClient(token=key)
    for name, (path, params) in calls.items():
        first = client.get(path, params)
        assert first.status_code == 200, first.content[:300]
        cells = len(first.json().get("cells", []))
        times = time_calls(lambda _i, p=path, q=params: client.get(p, q), samples, warmup=2)
        emit(
            BENCH,
            f"{label} {name}",
            percentiles(times)["p95"],
            "ms",
            samples,
            p50=percentiles(times)["p50"],
            cells=cells,
        )


def measure_reports(label: str, community_id: int, samples: int) -> None:
    from django.utils import timezone

    from linli.core.models import Community
    from linli.dashboards import report_pdf, report_xlsx, reports

    name = Community.objects.get(pk=community_id).name
    month = timezone.localdate().replace(day=1)
    for kind in ("population", "workorders"):
        for fmt, render in (("xlsx", report_xlsx.render), ("pdf", report_pdf.render)):
            size = len(render(reports.build(kind, community_id, name, month)))
            times = time_calls(
                lambda _i, k=kind, r=render: r(reports.build(k, community_id, name, month)), samples, 2
            )
            emit(
                BENCH,
                f"{label} report {kind}.{fmt}",
                percentiles(times)["p95"],
                "ms",
                samples,
                p50=percentiles(times)["p50"],
                bytes=size,
            )


def main():
    args = parse_args()
    setup_django(BENCH, database_url=args.database_url)
    from django.core.management import call_command

    from linli.core.models import Community

    if not args.no_demo:
        with timed() as t:
            call_command("seed_demo")
        log(f"demo seeded in {t():.0f} s")
        demo = Community.objects.get(code="demo-xingfuli")
        key = token([demo.id])
        calls = {
            "catalogue": ("/sharing/datasets", {}),
            "population by building": ("/sharing/datasets/population", {"level": "building"}),
            "incidents by community, 30 days": ("/sharing/datasets/incidents", {"level": "community"}),
        }
        measure_calls("demo", key, calls, args.samples)
        measure_reports("demo", demo.id, args.samples)
    with timed() as t:
        ids = build(args.communities, args.days)
    log(f"built in {t():.0f} s")
    key = token(ids, "building")
    one = ids[len(ids) // 2]
    calls = {
        "population of all, community level": ("/sharing/datasets/population", {"level": "community"}),
        "population of all, street level": ("/sharing/datasets/population", {"level": "street"}),
        "population of one, building level": (
            "/sharing/datasets/population",
            {"level": "building", "community": one},
        ),
        "incidents of all, community level, 30 days": ("/sharing/datasets/incidents", {"level": "community"}),
        "fees of all, community level": ("/sharing/datasets/fees", {"level": "community"}),
    }
    measure_calls(f"{len(ids)} communities", key, calls, args.samples)
    measure_reports(f"{len(ids)} communities", one, args.samples)


if __name__ == "__main__":
    main()
