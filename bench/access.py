"""Access control benchmark: decisions with 1,000,000 grants in the database, terminal snapshots.

    .venv/bin/python bench/access.py [--grants 1000000] [--seconds 15] [--connections 8]

Builds its own throwaway SQLite database: one community, 50 buildings, N/2 people in N/4
houses (owner + family), each person with an ownership/residence grant (checked against its
occupancy at every decision, as in production) and a manual grant to a garage zone, and an IC
card; some PINs and visitor passes. The data is inserted with raw executemany (set-up, not a
product path); the card digests are the real keyed HMACs. PINs get a placeholder offline
verifier (scrypt for 10,000 PINs would only measure scrypt).

Figures (one JSON line each on stdout):
- decision latency in-process through the service (card, PIN, QR pass) and through the full
  Django stack with the test client (middleware, auth, parsing, event insert): the server time;
- sustained decisions/s over HTTP: the web server as `linli serve` runs it, 2 workers, and an asyncio keep-alive client on
  127.0.0.1 (client and server share the machine's 2 cores), with client-observed latency and
  the decision's own time from the Server-Timing header;
- snapshot: full snapshot of a building door (build time, size), a delta after one
  revocation, and the single delta after a "day" of 1,000 changes.
"""

import argparse
import asyncio
import hashlib
import hmac
import json
import os
import random
import socket
import subprocess
import time
import uuid
from datetime import timedelta

from _setup import children, emit, log, percentiles, setup_django, time_calls, timed

BENCH = "access"
BUILDINGS = 50


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--grants", type=int, default=1_000_000)
    parser.add_argument("--samples", type=int, default=3000)
    parser.add_argument("--seconds", type=float, default=15.0, help="HTTP load duration")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--rate", type=float, default=1000.0, help="offered decisions/s for the paced run")
    parser.add_argument("--processes", type=int, default=2, help="web server processes (one per core)")
    return parser.parse_args()


def insert(model, columns: list[str], rows, batch: int = 50_000) -> None:
    from django.db import connection

    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(c) for c in columns)
    sql = f"INSERT INTO {table} ({names}) VALUES ({', '.join(['%s'] * len(columns))})"
    rows = list(rows)
    with connection.cursor() as cursor:
        for start in range(0, len(rows), batch):
            cursor.executemany(sql, rows[start : start + batch])


def card_number(person_id: int) -> str:
    return f"{person_id:010X}"


def pin_of(person_id: int) -> str:
    return f"{person_id * 7919 % 10**6:06d}"  # the two people of a house never share one


def build(grants: int) -> dict:
    from django.db import connection, transaction
    from django.utils import timezone

    from linli.access import digests, services
    from linli.access.choices import Direction, PointKind
    from linli.access.models import AccessPoint, Credential, Grant, SyncCursor
    from linli.registry.models import Building, House, Occupancy, Person, Unit
    from linli.testing import factories as f

    with connection.cursor() as cursor:
        cursor.execute("PRAGMA synchronous=OFF")  # a throwaway database need not survive a power cut
    operator = f.user("bench-operator", is_operator=True)
    community = f.community("bench", "基准小区")
    buildings = [Building.objects.create(community=community, name=f"{b + 1}号楼") for b in range(BUILDINGS)]
    units = [Unit.objects.create(building=b, name="1单元") for b in buildings]
    gate = services.do_create_point(
        actor=operator,
        community=community,
        name="南门",
        kind=PointKind.COMMUNITY_GATE,
        direction=Direction.IN,
    )
    services.do_create_point(actor=operator, community=community, name="车库", kind=PointKind.GARAGE_BARRIER)
    doors = [
        services.do_create_point(
            actor=operator,
            community=community,
            name=f"{b.name}大门",
            kind=PointKind.BUILDING_DOOR,
            building=b,
        )
        for b in buildings
    ]
    zones = [services.layout.ensure_building_zone(b) for b in buildings]
    barrier = AccessPoint.objects.get(community=community, name="车库")
    garage = services.do_create_zone(actor=operator, community=community, name="车库", points=[barrier])
    people = grants // 2
    houses = people // 2
    now = timezone.now()
    today = timezone.localdate()
    key = digests.card_key(community.id)
    with timed() as t, transaction.atomic():
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
            (
                (
                    h + 1,
                    community.id,
                    buildings[h % BUILDINGS].id,
                    units[h % BUILDINGS].id,
                    str(h + 1),
                    1 + h % 30,
                    "residential",
                    "89.50",
                    now,
                    now,
                )
                for h in range(houses)
            ),
        )
        insert(
            Person,
            [
                "id",
                "community_id",
                "name",
                "gender",
                "id_number",
                "phone",
                "hukou_local",
                "created_at",
                "updated_at",
            ],
            ((p + 1, community.id, f"住户{p + 1}", "", "", "", True, now, now) for p in range(people)),
        )
        insert(
            Occupancy,
            [
                "id",
                "house_id",
                "person_id",
                "relation",
                "lives_here",
                "valid_from",
                "end_reason",
                "created_at",
                "updated_at",
            ],
            (
                (
                    p + 1,
                    p // 2 + 1,
                    p + 1,
                    "owner" if p % 2 == 0 else "family",
                    True,
                    today - timedelta(days=365),
                    "",
                    now,
                    now,
                )
                for p in range(people)
            ),
        )
        start = now - timedelta(days=365)
        insert(
            Grant,
            [
                "community_id",
                "person_id",
                "zone_id",
                "house_id",
                "source",
                "source_id",
                "label",
                "valid_from",
                "revoke_reason",
                "created_at",
                "updated_at",
            ],
            (
                (
                    community.id,
                    p + 1,
                    zones[(p // 2) % BUILDINGS].id,
                    p // 2 + 1,
                    "ownership" if p % 2 == 0 else "residence",
                    p + 1,
                    "",
                    start,
                    "",
                    now,
                    now,
                )
                for p in range(people)
            ),
        )
        insert(
            Grant,
            [
                "community_id",
                "person_id",
                "zone_id",
                "source",
                "label",
                "valid_from",
                "revoke_reason",
                "created_at",
                "updated_at",
            ],
            ((community.id, p + 1, garage.id, "manual", "车位", start, "", now, now) for p in range(people)),
        )
        insert(
            Credential,
            [
                "community_id",
                "person_id",
                "kind",
                "lookup",
                "offline_verifier",
                "label",
                "embedding",
                "created_at",
                "updated_at",
            ],
            (
                (
                    community.id,
                    p + 1,
                    "card",
                    d := hmac.new(key, card_number(p + 1).encode(), hashlib.sha256).hexdigest(),
                    d,
                    "卡",
                    "",
                    now,
                    now,
                )
                for p in range(people)
            ),
        )
        pins = min(10_000, people)
        insert(
            Credential,
            [
                "community_id",
                "person_id",
                "kind",
                "house_id",
                "lookup",
                "offline_verifier",
                "label",
                "embedding",
                "created_at",
                "updated_at",
            ],
            (
                (
                    community.id,
                    p + 1,
                    "pin",
                    p // 2 + 1,
                    digests.pin_lookup(community.id, p // 2 + 1, pin_of(p + 1)),
                    "bench-placeholder",
                    "密码",
                    "",
                    now,
                    now,
                )
                for p in range(pins)
            ),
        )
    emit(BENCH, "build_seconds", t(), "s", n=grants, people=people)
    # The grants above are what the registry consumer would have derived: mark it caught up.
    SyncCursor.objects.update_or_create(
        name="registry",
        defaults={"last_occupancy_id": people, "last_outbox_id": 0, "memberships_seen_at": now},
    )
    terminals = {
        "gate": services.do_register_terminal(actor=operator, point=gate, name="南门终端"),
        "door": services.do_register_terminal(actor=operator, point=doors[0], name="1号楼终端"),
    }
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return {
        "community": community,
        "operator": operator,
        "people": people,
        "pins": pins,
        "terminals": terminals,
        "doors": doors,
        "gate": gate,
    }


def in_process(world: dict, samples: int) -> None:
    from django.test import Client

    from linli.access import pass_tokens, services

    terminal = world["terminals"]["gate"][0]
    rng = random.Random(7)
    people = world["people"]

    def card(_i):
        services.do_decide(terminal=terminal, method="card", card=card_number(rng.randint(1, people)))

    report("service_card", time_calls(card, samples))

    def stranger(i):
        services.do_decide(terminal=terminal, method="card", card=f"BAD{i:07d}")

    # Every one a denial: event, security event bump, "five in a minute?" check (an attack).
    report("service_card_denied", time_calls(stranger, samples))

    def pin(_i):
        p = rng.randint(1, world["pins"])
        services.do_decide(terminal=terminal, method="pin", house_id=(p - 1) // 2 + 1, pin=pin_of(p))

    # Spread over two minutes of "now" would be truer; the PIN throttle counts only failures.
    report("service_pin", time_calls(pin, samples))

    house = world["community"].houses.first()
    tokens = [
        pass_tokens.pass_token(
            services.do_create_pass(
                actor=world["operator"], house=house, visitor_name=f"访客{i}", max_uses=50
            )
        )
        for i in range(200)
    ]

    def qr(i):
        services.do_decide(terminal=terminal, method="qr", qr=tokens[i % len(tokens)])

    report("service_qr_pass", time_calls(qr, min(samples, 200 * 45)))

    client = Client()
    auth = {"HTTP_AUTHORIZATION": f"Bearer {world['terminals']['gate'][1]}"}

    def http(_i):
        body = json.dumps(
            {"method": "card", "card": card_number(rng.randint(1, people)), "event_id": str(uuid.uuid4())}
        )
        r = client.post("/api/v1/access/decide", body, content_type="application/json", **auth)
        assert r.status_code == 200 and r.json()["allow"], r.content

    report("django_stack_card", time_calls(http, samples))


def report(name: str, samples_ms: list[float]) -> None:
    cuts = percentiles(samples_ms)
    for key in ("p50", "p95", "p99"):
        emit(BENCH, f"{name}_{key}", cuts[key], "ms", n=len(samples_ms))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(app: str, processes: int) -> tuple[subprocess.Popen, int]:
    """The web server as `linli serve` runs it (its own command line), with `app` swapped in."""
    from linli.core.management.commands.serve import web_command

    port = free_port()
    server = subprocess.Popen(
        web_command("127.0.0.1", port, processes, app), env={**os.environ, "LINLI_LOG_LEVEL": "ERROR"}
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as s:
                s.sendall(b"GET /api/v1/health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
                if b"200" in s.recv(64):
                    return server, port
        except OSError:
            time.sleep(0.3)
    server.terminate()
    raise RuntimeError("the web server did not come up in 60 s")


def cpu_seconds(pid: int) -> float:
    """CPU time of the server and its workers (children's own time, not waited-for totals)."""
    total = 0.0
    for each in [pid, *children(pid)]:
        fields = open(f"/proc/{each}/stat").read().rsplit(")", 1)[1].split()
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


async def load(
    ports: list[int], token: str, people: int, seconds: float, connections: int, rate: float = 0
) -> dict:
    """Keep-alive HTTP/1.1 clients spread over the servers, each sending one decision after the
    other until the deadline (bounded: it stops by itself). With `rate` (decisions/s in total)
    each connection paces itself to its share; latency then counts from the scheduled send,
    so a server that falls behind is charged for the queue (no coordinated omission)."""
    latencies: list[float] = []
    server_ms: list[float] = []
    errors = 0
    deadline = time.perf_counter() + seconds

    async def client(seed: int) -> None:
        nonlocal errors
        rng = random.Random(seed)
        interval = connections / rate if rate else 0.0
        scheduled = time.perf_counter() + interval * seed / connections
        reader, writer = await asyncio.open_connection("127.0.0.1", ports[seed % len(ports)])
        head = (
            f"POST /api/v1/access/decide HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {token}\r\n"
            "Content-Type: application/json\r\n"
        )
        while time.perf_counter() < deadline:
            body = json.dumps(
                {"method": "card", "card": card_number(rng.choice(people)), "event_id": str(uuid.uuid4())}
            ).encode()
            if interval:
                await asyncio.sleep(max(0.0, scheduled - time.perf_counter()))
                start, scheduled = scheduled, scheduled + interval
            else:
                start = time.perf_counter()
            writer.write(f"{head}Content-Length: {len(body)}\r\n\r\n".encode() + body)
            raw = await reader.readuntil(b"\r\n\r\n")
            headers = raw.decode("latin-1").lower()
            length = int(headers.split("content-length:")[1].split("\r\n")[0])
            await reader.readexactly(length)
            latencies.append((time.perf_counter() - start) * 1000)
            if " 200 " not in headers.split("\r\n")[0] + " ":
                errors += 1
            elif "server-timing:" in headers:
                server_ms.append(float(headers.split("dur=")[1].split("\r\n")[0]))
        writer.close()

    started = time.perf_counter()
    await asyncio.gather(*(client(i) for i in range(connections)))
    return {
        "latencies": latencies,
        "server_ms": server_ms,
        "errors": errors,
        "elapsed": time.perf_counter() - started,
    }


def over_http(world: dict, args, app: str, name: str) -> None:
    from django.db import connections

    connections.close_all()
    servers = [start_server(app, args.processes)]
    ports = [port for _server, port in servers]
    token = world["terminals"]["door"][1]
    # The residents of 1号楼, whose door this terminal is: the load is the everyday allowed passage.
    residents = [p for p in range(1, world["people"] + 1) if (p - 1) // 2 % BUILDINGS == 0]
    try:
        asyncio.run(load(ports, token, residents, 2.0, args.connections))  # warm-up
        cpu_before, client_before = sum(cpu_seconds(s.pid) for s, _p in servers), time.process_time()
        result = asyncio.run(load(ports, token, residents, args.seconds, args.connections))
        server_cpu = sum(cpu_seconds(s.pid) for s, _p in servers) - cpu_before
        client_cpu = time.process_time() - client_before
        paced = asyncio.run(load(ports, token, residents, args.seconds, args.connections, rate=args.rate))
    finally:
        for server, _port in servers:
            server.terminate()
            server.wait(timeout=30)
    n = len(result["latencies"])
    emit(
        BENCH,
        f"{name}_decisions_per_second",
        n / result["elapsed"],
        "1/s",
        n=n,
        processes=args.processes,
        connections=args.connections,
        errors=result["errors"],
    )
    emit(
        BENCH,
        f"{name}_server_cpu_per_decision",
        server_cpu / n * 1000,
        "ms",
        n=n,
        client_cpu_ms=round(client_cpu / n * 1000, 3),
        note="CPU time of the server processes per decision; 2 free cores give 2000/this decisions/s",
    )
    report(f"{name}_saturated_client_latency", result["latencies"])
    if result["server_ms"]:
        report(f"{name}_saturated_decision_time", result["server_ms"])
    n = len(paced["latencies"])
    emit(
        BENCH,
        f"{name}_paced_decisions_per_second",
        n / paced["elapsed"],
        "1/s",
        n=n,
        offered=args.rate,
        errors=paced["errors"],
    )
    report(f"{name}_paced_client_latency", paced["latencies"])
    if paced["server_ms"]:
        report(f"{name}_paced_decision_time", paced["server_ms"])


def snapshots(world: dict) -> None:
    from django.utils import timezone

    from linli.access import services
    from linli.access.decide import snapshot
    from linli.access.models import ChangeLog, Credential

    terminal = world["terminals"]["door"][0]
    with timed() as t:
        full = services.do_sync_terminal(terminal=terminal, since=0)
    emit(
        BENCH,
        "snapshot_full_door_seconds",
        t(),
        "s",
        n=len(snapshot.entries_for(terminal, None, timezone.now())),
    )
    emit(BENCH, "snapshot_full_door_bytes", len(full["snapshot"]), "bytes")
    ChangeLog.objects.update(at=timezone.now() - timedelta(seconds=10))
    version = services.do_sync_terminal(terminal=terminal, since=0)["version"]
    in_zone = list(
        Credential.objects.filter(kind="card", person__access_grants__zone__points=terminal.point_id)
        .values_list("pk", flat=True)
        .distinct()[:1001]
    )
    operator = world["operator"]
    one = Credential.objects.select_related("person").get(pk=in_zone[0])
    services.do_revoke_credential(actor=operator, credential=one)
    with timed() as t:
        delta = services.do_sync_terminal(terminal=terminal, since=version)
    emit(BENCH, "snapshot_delta_one_revocation_ms", t() * 1000, "ms", n=1)
    emit(
        BENCH,
        "revocation_to_terminal_seconds",
        snapshot.POLL_SECONDS + t(),
        "s",
        note="worst case: poll interval + delta time; the delta carries changes not yet settled",
    )
    assert delta["full"] is False
    for credential in Credential.objects.select_related("person").filter(pk__in=in_zone[1:]):
        services.do_revoke_credential(actor=operator, credential=credential)
    with timed() as t:
        day = services.do_sync_terminal(terminal=terminal, since=version)
    emit(
        BENCH,
        "snapshot_delta_after_1000_changes_ms",
        t() * 1000,
        "ms",
        n=len(in_zone),
        full=day["full"],
        bytes=len(day["snapshot"]),
    )


def face(world: dict, samples: int) -> None:
    """1:N over 10,000 enrolled faces at one door, and the end-to-end decision on a 640x480 frame."""
    try:
        import numpy as np
        from PIL import Image

        from linli.access import faces
        from linli.access.face.engine import get_engine

        get_engine().load()
    except Exception as exc:  # no linli[face] extra: nothing to measure
        log(f"face figures skipped: {exc}")
        return
    import io
    from pathlib import Path

    from django.utils import timezone

    from linli.access.models import Credential

    terminal = world["terminals"]["gate"][0]
    rng = np.random.default_rng(7)
    now = timezone.now()
    people = min(10_000, world["people"])
    # Synthetic enrolments around the ResNet's typical scale, plus one real face (the fixture's).
    vectors = rng.normal(0, 0.09, size=(people, 128)).astype(np.float32)
    fixture = Path(__file__).resolve().parent.parent / "linli/access/tests/fixtures/astronaut.jpg"
    frame = Image.new("RGB", (640, 480), (200, 205, 210))
    frame.paste(Image.open(fixture).convert("RGB"), (160, 80))
    out = io.BytesIO()
    frame.save(out, "JPEG", quality=85)
    image = out.getvalue()
    vectors[0] = get_engine().embed(image).vector
    Credential.objects.bulk_create(
        Credential(
            community_id=world["community"].id,
            person_id=p + 1,
            kind="face",
            label="人脸",
            embedding=faces.encode(vectors[p]),
            lookup=None,
            offline_verifier="",
        )
        for p in range(people)
    )
    index = faces.index_for(terminal.point, now)
    emit(BENCH, "face_index_people", len(index), "people")
    probe = vectors[0] + rng.normal(0, 0.01, 128).astype(np.float32)
    report("face_match_10k", time_calls(lambda _i: faces.match(index, probe), samples))
    report("face_embed_640x480", time_calls(lambda _i: get_engine().embed(image), 50, warmup=3))
    from linli.access import services

    def decide(_i):
        d = services.do_decide(terminal=terminal, method="face", image=image)
        assert d.allowed, d.reason

    report("face_decision_end_to_end", time_calls(decide, 50, warmup=3))


def main() -> None:
    args = parse_args()
    setup_django(BENCH)
    log(f"building {args.grants:,} grants …")
    world = build(args.grants)
    log("in-process decisions …")
    in_process(world, args.samples)
    log(f"HTTP load for {args.seconds:.0f} s on {args.processes} web processes, fast path …")
    over_http(world, args, "linli.asgi:application", "http_fastpath")
    log("… and through the ordinary route (linli.asgi:ordinary_route) for comparison")
    over_http(world, args, "linli.asgi:ordinary_route", "http_django_route")
    log("snapshots …")
    snapshots(world)
    log("faces …")
    face(world, args.samples)


if __name__ == "__main__":
    main()
