"""Work orders at volume: 100,000 open requests in one SQLite community, then
- intake: requests reported through the API and dispatched by themselves (budget 1,000/minute),
  and the dispatch decision alone (budget p99 < 50 ms);
- the SLA scan over the 100,000 open requests (budget < 2 s per run), catching up and steady;
- the dispatch board and "my requests" (budget p95 < 100 ms).

    .venv/bin/python bench/workorders.py                   # 100,000 open requests
    .venv/bin/python bench/workorders.py --open 10000      # a quick check
    .venv/bin/python bench/workorders.py --database-url postgres://…/linli_ci

The open requests are written with bulk_create (set-up, not a product path) with what the flow
would have stored: statuses across the open ones, assignees among 40 handlers with their loads
counted, deadlines from a week ago to a week ahead, so the scan meets orders already overdue,
falling due and far off. Requests go through Django's test Client in-process (middleware,
Ninja, restrict()), as the resident, the technician and the front desk.
"""

import argparse
import random
import secrets
from datetime import timedelta
from decimal import Decimal

from _setup import emit, log, percentiles, setup_django, time_calls, timed

BENCH = "workorders"
BUILDINGS, HOUSES_PER_BUILDING = 40, 100
HANDLERS = 40
OPEN_STATUSES = ("accepted", "assigned", "on_the_way", "in_progress", "paused", "awaiting_parts")


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--open", type=int, default=100_000, help="open requests in the database")
    parser.add_argument("--reports", type=int, default=1000, help="requests reported through the API")
    parser.add_argument("--samples", type=int, default=300, help="requests per measured read")
    parser.add_argument("--database-url", default=None, help="PostgreSQL instead of a temporary SQLite")
    parser.add_argument("--keep", action="store_true")
    return parser.parse_args()


def build(open_count: int):
    from django.utils import timezone

    from linli.registry.models import Building, House, Unit
    from linli.testing import factories as f
    from linli.workorders.choices import Kind
    from linli.workorders.models import Handler, Request
    from linli.workorders.services import setup

    rng = random.Random(10)
    community = f.community(None, "工单花园")
    admin = f.staff(community, "community_admin", f"bench-admin-{community.pk}")
    desk = f.staff(community, "front_desk", f"bench-desk-{community.pk}")
    buildings = Building.objects.bulk_create(
        Building(community=community, name=f"{i + 1}号楼") for i in range(BUILDINGS)
    )
    units = Unit.objects.bulk_create(Unit(building=b, name="1单元") for b in buildings)
    House.objects.bulk_create(
        House(
            community=community,
            building=u.building,
            unit=u,
            number=f"{(n // 4) + 1}0{n % 4 + 1}",
            floor=n // 4 + 1,
            area=Decimal("89.00"),
        )
        for u in units
        for n in range(HOUSES_PER_BUILDING)
    )
    team = setup.do_create_team(
        actor=admin, community_id=community.pk, name="工程维修部", kind="property", supervisor=admin
    )
    technicians = []
    for i in range(HANDLERS):
        user = f.staff(community, "technician", f"bench-tech-{community.pk}-{i}")
        # Half cover the community, half one building each; all plumbers, some electricians.
        setup.do_add_handler(
            actor=admin,
            team=team,
            user=user,
            skills=["plumbing"] + (["electric"] if i % 3 == 0 else []),
            building=buildings[i] if i % 2 else None,
        )
        technicians.append(user)
    category = setup.do_create_category(
        actor=admin,
        community_id=community.pk,
        code="leak",
        name="水管漏水",
        kind=Kind.REPAIR,
        skill="plumbing",
        default_team=team,
    )
    houses = list(House.objects.filter(community=community).values_list("id", "building_id"))
    owner_user = f.user(f"bench-owner-{community.pk}", phone="13800009999")
    owner_house = House.objects.filter(community=community).order_by("id").first()
    f.occupy(owner_house, f.person(community, "王业主", phone="13800009999", login=owner_user), "owner")

    now = timezone.now()
    loads = dict.fromkeys(range(HANDLERS), 0)
    batch = []
    with timed() as elapsed:
        for i in range(open_count):
            house_id, building_id = rng.choice(houses)
            status = rng.choice(OPEN_STATUSES)
            who = rng.randrange(HANDLERS) if status != "accepted" else None
            if who is not None:
                loads[who] += 1
            due = now + timedelta(minutes=rng.randint(-7 * 24 * 60, 7 * 24 * 60))
            batch.append(
                Request(
                    community=community,
                    category=category,
                    kind="repair",
                    status=status,
                    description="水管漏水",
                    building_id=building_id,
                    house_id=house_id,
                    team=team,
                    assignee=technicians[who] if who is not None else None,
                    responsible=technicians[who] if who is not None else None,
                    hops=1,
                    respond_due=due - timedelta(hours=8),
                    resolve_due=due,
                    responded_at=(due - timedelta(hours=9))
                    if status not in ("accepted", "assigned")
                    else None,
                    token=secrets.token_hex(16),
                    # The resident's own history: one in 10,000 is theirs.
                    reporter=owner_user if i % 10_000 == 0 else None,
                )
            )
            if len(batch) == 5000:
                Request.objects.bulk_create(batch)
                batch = []
        Request.objects.bulk_create(batch)
    for i, user in enumerate(technicians):
        Handler.objects.filter(user=user).update(open_count=loads[i])
    log(f"built {open_count} open requests in {elapsed():.1f}s")
    return community, category, desk, admin, owner_user, owner_house, technicians


def main():
    args = parse_args()
    setup_django(BENCH, keep=args.keep, database_url=args.database_url)
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from linli.core.dbstats import refresh_planner_statistics
    from linli.workorders.models import Request
    from linli.workorders.services import dispatch, sla

    community, category, desk, admin, owner, house, technicians = build(args.open)
    refresh_planner_statistics()
    engine = connection.vendor
    extra = {"open": args.open, "engine": engine}

    resident = Client()
    resident.force_login(owner)
    body = {
        "community_id": community.pk,
        "category_id": category.pk,
        "description": "厨房水管漏水",
        "house_id": house.pk,
    }
    assigned = 0
    with timed() as elapsed:
        for _ in range(args.reports):
            r = resident.post("/api/v1/workorders/requests", body, content_type="application/json")
            assert r.status_code == 201, r.content
            assigned += r.json()["status"] == "assigned"
    rate = args.reports / elapsed() * 60
    emit(
        BENCH,
        "reported_and_dispatched",
        rate,
        "requests/min",
        args.reports,
        budget=1000,
        assigned=assigned,
        **extra,
    )

    samples = list(Request.objects.filter(community=community).order_by("-id")[: args.samples])
    times = time_calls(lambda i: dispatch.choose(samples[i % len(samples)]), args.samples)
    for name, value in percentiles(times).items():
        emit(BENCH, f"dispatch_decision_{name}", value, "ms", args.samples, budget_p99=50, **extra)

    now = timezone.now()
    for label in ("catch_up_1", "catch_up_2", "catch_up_3"):
        with timed() as elapsed:
            counts = sla.scan(now)
        emit(BENCH, f"sla_scan_{label}", elapsed() * 1000, "ms", 1, budget=2000, **counts, **extra)
        now += timedelta(minutes=1)
    # Catch up with what the bulk load left due; after that a pass meets only what fell due in
    # its minute (about ten orders here: 100,000 deadlines spread over two weeks).
    passes = 3
    while sla.scan(now)["resolution_overdue"] >= 100 and passes < 100:
        now, passes = now + timedelta(minutes=1), passes + 1
    with timed() as elapsed:
        counts = sla.scan(now + timedelta(minutes=1))
    emit(
        BENCH,
        "sla_scan_settled",
        elapsed() * 1000,
        "ms",
        1,
        budget=2000,
        passes_to_settle=passes,
        **counts,
        **extra,
    )

    staff = Client()
    staff.force_login(desk)
    tech = Client()
    tech.force_login(technicians[0])
    office = Client()  # statistics are for those who read aggregates (stats.view), not the desk
    office.force_login(admin)
    reads = {
        "dispatch_board": (staff, f"/api/v1/workorders/communities/{community.pk}/requests?open_only=true"),
        "overdue_board": (staff, f"/api/v1/workorders/communities/{community.pk}/requests?overdue_only=true"),
        "statistics": (office, f"/api/v1/workorders/communities/{community.pk}/statistics"),
        "sla_summary": (staff, f"/api/v1/workorders/communities/{community.pk}/sla"),
        "my_requests": (resident, "/api/v1/workorders/my/requests"),
        "tech_queue": (tech, "/api/v1/workorders/queue"),
        "request_detail": (resident, None),
        # The pages people open (HTML, the shell and the templates included).
        "dispatch_page": (staff, f"/workorders/staff/{community.pk}/dispatch/?overdue=1"),
        "sla_page": (staff, f"/workorders/staff/{community.pk}/sla/"),
        "my_requests_page": (resident, "/workorders/my/"),
        "tech_queue_page": (tech, f"/workorders/staff/{community.pk}/"),
    }
    mine = Request.objects.filter(reporter=owner).order_by("-id").values_list("id", flat=True).first()
    for name, (client, url) in reads.items():
        url = url or f"/api/v1/workorders/requests/{mine}"
        assert client.get(url).status_code == 200, (name, client.get(url).content[:300])
        times = time_calls(lambda i, c=client, u=url: c.get(u), args.samples)
        for cut, value in percentiles(times).items():
            emit(BENCH, f"{name}_{cut}", value, "ms", args.samples, budget_p95=100, **extra)


if __name__ == "__main__":
    main()
