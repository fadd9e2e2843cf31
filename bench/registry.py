"""Registry at operator scale: 1,000,000 people in 300,000 houses on SQLite, read through the API.

    .venv/bin/python bench/registry.py               # full size (about two minutes to build)
    .venv/bin/python bench/registry.py --scale 0.01  # 10,000 people, a quick check
    .venv/bin/python bench/registry.py --analyze     # the same after ANALYZE (planner statistics)

The data is built with raw executemany (set-up, not a product path) but with everything the
product stores: AES-GCM ciphertexts of every phone and ID number and their HMAC blind indexes,
computed in a process pool. Communities hold 5,000 houses each, as a large real one does
(--community-houses 300000 puts everything in one, like the embedded default).

Requests go through Django's test Client in-process (the whole middleware and Ninja stack, no
socket), signed in as the property manager of the last community built: its rows have the
highest ids, the worst case for any plan that walks the primary key.
"""

import argparse
import multiprocessing
import os
import random
from datetime import timedelta
from decimal import Decimal

from _setup import emit, log, percentiles, setup_django, time_calls, timed

BENCH = "registry"
PEOPLE_AT_SCALE_1 = 1_000_000
HOUSES_AT_SCALE_1 = 300_000
FLOORS, UNITS, FLATS_PER_FLOOR = 24, 2, 4
VEHICLE_SHARE = 0.35
TENANT_SHARE = 0.15
BUDGETS_MS = {"search": 20, "house_detail": 15}
SURNAMES = ("王", "李", "张", "刘", "陈")


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scale", type=float, default=1.0, help="1.0 = 1M people / 300k houses")
    parser.add_argument("--samples", type=int, default=300, help="requests per measured endpoint")
    parser.add_argument(
        "--community-houses",
        type=int,
        default=5_000,
        help="houses per community; the embedded default has one community for everything",
    )
    parser.add_argument(
        "--analyze",
        action="store_true",
        help="run ANALYZE after the build (SQLite planner statistics; see docs/benchmarks.md)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the temporary database")
    return parser.parse_args()


# --- data generation (runs in worker processes: pure computation, no database) -------------


def phone_of(person_id: int) -> str:
    """A distinct mobile number per person: 3^18 is coprime with 10^9, so this is a bijection."""
    return f"1{'3578'[person_id % 4]}{(person_id * 387_420_489 + 12_345) % 1_000_000_000:09d}"


def plate_of(vehicle_id: int, province: str) -> str:
    """Distinct per vehicle: 14 issuing letters x 100,000 numbers, visited by a coprime stride."""
    n = (vehicle_id * 7_919) % 1_400_000
    return f"{province}{'ABCEFGHJKLMNPQ'[n // 100_000]}{n % 100_000:05d}"


def community_rows(job: dict) -> dict:
    """People, occupancies and vehicles of one community, with ids fixed in advance so that
    workers need no database and the parent can insert in any order."""
    from linli.core import crypto
    from linli.demo import names
    from linli.demo.identifiers import make_id_number
    from linli.registry.models import Person, Vehicle

    rng = random.Random(job["community_id"])
    now, today = job["now"], job["today"]
    id_aad = Person._meta.get_field("id_number").aad()
    phone_aad = Person._meta.get_field("phone").aad()
    plate_aad = Vehicle._meta.get_field("plate").aad()
    people, occupancies, vehicles = [], [], []
    seen_ids: set[str] = set()
    person_id, occupancy_id, vehicle_id = job["first_person"], job["first_occupancy"], job["first_vehicle"]
    houses, persons = job["house_ids"], job["people"]
    for index, house_id in enumerate(houses):
        size = persons * (index + 1) // len(houses) - persons * index // len(houses)
        let = rng.random() < TENANT_SHARE
        for member in range(size):
            age = rng.randint(30, 75) if member == 0 else rng.randint(1, 90)
            male = rng.random() < 0.5
            born = today - timedelta(days=365 * age + rng.randint(0, 364))
            id_number = make_id_number(rng, born=born, male=male)
            while id_number in seen_ids:
                id_number = make_id_number(rng, born=born, male=male)
            seen_ids.add(id_number)
            phone = phone_of(person_id)
            people.append(
                (
                    person_id,
                    job["community_id"],
                    names.full_name(rng, male=male, born_year=born.year),
                    "M" if male else "F",
                    born.isoformat(),
                    crypto.encrypt(id_number, id_aad),
                    crypto.blind_index("id_number", id_number),
                    crypto.encrypt(phone, phone_aad),
                    crypto.blind_index("phone", phone),
                    rng.random() < 0.8,
                    now,
                    now,
                )
            )
            if member == 0:
                relation, lives_here, valid_to = "owner", not let, None
            elif let and member == 1:
                relation, lives_here, valid_to = "tenant", True, today + timedelta(days=rng.randint(1, 700))
            else:
                relation, lives_here, valid_to = ("co_owner" if member == 1 else "family"), True, None
            since = today - timedelta(days=rng.randint(30, 3000))
            occupancies.append(
                (
                    occupancy_id,
                    house_id,
                    person_id,
                    relation,
                    lives_here,
                    since.isoformat(),
                    valid_to and valid_to.isoformat(),
                    "",
                    now,
                    now,
                )
            )
            if member == 0 and not let and rng.random() < VEHICLE_SHARE / (1 - TENANT_SHARE):
                plate = plate_of(vehicle_id, job["province"])
                vehicles.append(
                    (
                        vehicle_id,
                        job["community_id"],
                        crypto.encrypt(plate, plate_aad),
                        crypto.blind_index("plate", plate),
                        "car",
                        "白色",
                        person_id,
                        house_id,
                        now,
                        now,
                    )
                )
                vehicle_id += 1
            person_id += 1
            occupancy_id += 1
    return {"people": people, "occupancies": occupancies, "vehicles": vehicles}


# --- database build ------------------------------------------------------------------------


def insert(model, columns: list[str], rows: list[tuple]) -> None:
    from django.db import connection

    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(c) for c in columns)
    marks = ", ".join(["%s"] * len(columns))
    with connection.cursor() as cursor:
        cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", rows)


def unsafe_fast_writes() -> None:
    """A throwaway database need not survive a power cut: skip fsync while building."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("PRAGMA synchronous=OFF")


def build(scale: float, per_community: int) -> dict:
    from django.db import connection, connections, transaction
    from django.utils import timezone

    from linli.core import crypto
    from linli.core.models import Community
    from linli.registry.models import Building, House, Occupancy, Person, Unit, Vehicle

    total_houses = max(500, round(HOUSES_AT_SCALE_1 * scale))
    total_people = round(total_houses * PEOPLE_AT_SCALE_1 / HOUSES_AT_SCALE_1)
    per_building = UNITS * FLOORS * FLATS_PER_FLOOR
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    today = timezone.localdate()
    unsafe_fast_writes()

    jobs, house_rows, next_house = [], [], 1
    with transaction.atomic():
        remaining = total_houses
        while remaining:
            count = min(per_community, remaining)
            n = len(jobs) + 1
            community = Community.objects.create(
                name=f"压测社区{n:03d}", code=f"bench-{n:03d}", city="北京市"
            )
            buildings = Building.objects.bulk_create(
                Building(community=community, name=f"{b + 1}号楼", floors=FLOORS)
                for b in range(-(-count // per_building))
            )
            units = Unit.objects.bulk_create(
                Unit(building=b, name=f"{u + 1}单元") for b in buildings for u in range(UNITS)
            )
            ids = []
            for i in range(count):
                unit = units[i // (FLOORS * FLATS_PER_FLOOR)]
                floor, flat = divmod(i % (FLOORS * FLATS_PER_FLOOR), FLATS_PER_FLOOR)
                area = Decimal(("89.37", "128.56", "76.12", "105.20")[flat])
                number = f"{floor + 1}{flat + 1:02d}"
                house_rows.append(
                    (
                        next_house,
                        community.id,
                        unit.building_id,
                        unit.id,
                        number,
                        floor + 1,
                        "residential",
                        area,
                        now,
                        now,
                    )
                )
                ids.append(next_house)
                next_house += 1
            jobs.append({"community_id": community.id, "house_ids": ids, "province": "京"})
            remaining -= count
        insert(
            House,
            [
                "id",
                "community_id",
                "building_id",
                "unit_id",
                "number",
                "floor",
                "type",
                "area",
                "created_at",
                "updated_at",
            ],
            house_rows,
        )
    first_person = first_occupancy = first_vehicle = 1
    for job in jobs:
        # Cumulative rounding, so that the communities add up to exactly total_people.
        last_house = job["house_ids"][-1]
        job["people"] = total_people * last_house // total_houses - (first_person - 1)
        job.update(now=now, today=today, first_person=first_person, first_occupancy=first_occupancy)
        job["first_vehicle"] = first_vehicle
        first_person += job["people"]
        first_occupancy += job["people"]
        first_vehicle += job["people"]  # an upper bound: vehicles never outnumber people

    crypto.keyring()  # loaded before the fork, so the workers inherit it
    connections.close_all()  # workers must not share the parent's SQLite handle
    counts = {"people": 0, "occupancies": 0, "vehicles": 0}
    ctx = multiprocessing.get_context("fork")
    with ctx.Pool(os.cpu_count()) as pool:
        unsafe_fast_writes()
        for done, rows in enumerate(pool.imap(community_rows, jobs), start=1):
            with transaction.atomic():
                insert(
                    Person,
                    ["id", "community_id", "name", "gender", "birth_date", "id_number", "id_number_bidx", "phone",
                     "phone_bidx", "hukou_local", "created_at", "updated_at"],
                    rows["people"],
                )  # fmt: skip
                insert(
                    Occupancy,
                    ["id", "house_id", "person_id", "relation", "lives_here", "valid_from", "valid_to",
                     "end_reason", "created_at", "updated_at"],
                    rows["occupancies"],
                )  # fmt: skip
                insert(
                    Vehicle,
                    ["id", "community_id", "plate", "plate_bidx", "kind", "color", "person_id", "house_id",
                     "created_at", "updated_at"],
                    rows["vehicles"],
                )  # fmt: skip
            for key in counts:
                counts[key] += len(rows[key])
            if done % 10 == 0 or done == len(jobs):
                log(f"  {done}/{len(jobs)} communities, {counts['people']:,} people")
    return {"houses": total_houses, "communities": len(jobs), "last": jobs[-1], **counts}


# --- measurement ---------------------------------------------------------------------------


def measure(world: dict, samples: int) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from linli.core.models import Community
    from linli.core.roles import Role
    from linli.registry.models import Vehicle
    from linli.testing import factories
    from linli.testing.client import ApiClient

    job = world["last"]
    community = Community.objects.get(pk=job["community_id"])
    staff = factories.staff(community, Role.PROPERTY_MANAGER, "bench_manager")
    client = ApiClient(staff)
    rng = random.Random(7)
    person_ids = range(job["first_person"], job["first_person"] + job["people"])
    phones = [phone_of(rng.choice(person_ids)) for _ in range(samples)]
    vehicle_ids = list(Vehicle.objects.filter(community=community).values_list("id", flat=True))
    plates = [plate_of(rng.choice(vehicle_ids), job["province"]) for _ in range(samples)]
    houses = [rng.choice(job["house_ids"]) for _ in range(samples)]
    c = community.id

    # metric: (budget kind, request i, whether a result list must be non-empty)
    endpoints = {
        "search_name": (
            "search",
            lambda i: client.get("/people", {"community": c, "q": SURNAMES[i % len(SURNAMES)]}),
            True,
        ),
        "search_phone": ("search", lambda i: client.get("/people", {"community": c, "q": phones[i]}), True),
        "search_plate": (
            "search",
            lambda i: client.get("/vehicles", {"community": c, "plate": plates[i]}),
            True,
        ),
        "house_detail": ("house_detail", lambda i: client.get(f"/houses/{houses[i]}"), False),
        "houses_list": ("list", lambda i: client.get("/houses", {"community": c}), True),
        "people_list": ("list", lambda i: client.get("/people", {"community": c}), True),
    }
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    log(f"load average before measuring: {load} (other processes skew the tail)")
    for metric, (kind, request, lists) in endpoints.items():
        with CaptureQueriesContext(connection) as queries:
            first = request(0)
        query_count = len(queries)  # now: every request start clears the connection's query log
        assert first.status_code == 200, first.content[:300]
        assert not lists or first.json()["items"], f"{metric} found nothing"

        def call(i, request=request):
            assert request(i % samples).status_code == 200

        times = time_calls(call, samples)
        for name, value in percentiles(times).items():
            budget = BUDGETS_MS.get(kind) if name == "p95" else None
            emit(BENCH, f"{metric}_{name}", value, "ms", samples, **({"budget": budget} if budget else {}))
        emit(BENCH, f"{metric}_queries", query_count, "queries", 1)


def main() -> None:
    args = parse_args()
    setup_django(BENCH, keep=args.keep)
    log(f"building the registry at scale {args.scale} ...")
    with timed() as elapsed:
        world = build(args.scale, args.community_houses)
    log(f"built {world['people']:,} people, {world['houses']:,} houses in {world['communities']} communities")
    emit(
        BENCH,
        "build_time",
        elapsed(),
        "s",
        world["people"],
        houses=world["houses"],
        vehicles=world["vehicles"],
    )
    if args.analyze:
        from django.db import connection

        with timed() as elapsed, connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        emit(BENCH, "analyze_time", elapsed(), "s", world["people"])
    measure(world, args.samples)


if __name__ == "__main__":
    main()
