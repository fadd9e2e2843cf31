"""The big screen (issue 14, DASH-1) for a 10,000-household community: how long its figures take
to compute, how long an alarm takes to reach an open screen, and how much the page weighs.

    make bench ONLY=dashboards
    .venv/bin/python bench/dashboards.py [--households 10000] [--samples 50] [--rounds 20]
    .venv/bin/python bench/dashboards.py --database-url postgres://…   # a schema of its own
    .venv/bin/python bench/dashboards.py --households 2000 --memory-minutes 30   # memory over time

Set-up in-process with bulk inserts (set-up, not a product path): one community of N households
in buildings of 200, 2.8 people a household (15 % floating), a day's passages (4 a person) between
midnight and now, and 6 whole days before, 2,000 devices (a third online) with 300 open alarms and 6,000 cleared over
the year, 20,000 requests over the year (300 open), a year of monthly bills for every household,
an open owners' vote over the whole roll, and the daily job's figures for the last 30 days.

Figures, one JSON line each:
- `data_compute_p50/p95`: screen_data.compute for the community, in process (budget 200 ms);
- `data_request_p50/p95`: GET /screen/<cid>/data with a kiosk token through Django's test client
  (the whole middleware stack and the JSON);
- `event_to_frame_p50/p95/max`: from the commit of an alarm raised through the IoT services to its
  `ticker` frame on a screen stream served by granian (serve's web command, one process); it
  includes the wait for the outbox poller's next read (LINLI_SSE_POLL_SECONDS, 1 s), so rounds are
  raised at random points of it (budget 1 s);
- `page_bytes` / `page_bytes_gzip`: the page and everything it loads (HTML, CSS, JS, ECharts),
  as served, uncompressed and gzip-compressed (budget 1.5 MB);
- `first_paint_ms` / `charts_drawn_ms`: in Debian's chromium at 1920×1080, from navigation to the
  first contentful paint and to every chart drawn (budget 2 s; skipped without chromium);
- with `--memory-minutes M`: `screen_heap_first_mb` / `screen_heap_last_mb` (with every minute's
  sample) and `screen_dom_nodes_last`: the screen left open M minutes while an alarm arrives every
  2 s, its JS heap after a forced garbage collection (Chrome DevTools Protocol).
"""

import argparse
import gzip
import http.client
import json
import os
import random
import re
import sys
import threading
import time
from datetime import date, datetime, timedelta
from datetime import time as dtime
from decimal import Decimal
from pathlib import Path

from _setup import emit, log, percentiles, setup_django, time_calls
from api import Server, database_url, free_port

BENCH = "dashboards"
BUILDING_HOUSES = 200
PEOPLE_PER_HOUSEHOLD = 2.8
PASSAGES_PER_PERSON = 4
DEVICES, ACTIVE_ALARMS, CLEARED_ALARMS = 2000, 300, 6000
REQUESTS, OPEN_REQUESTS = 20_000, 300
CHROMIUM = "/usr/bin/chromium"
ALARM_EVERY = 2  # seconds, while the screen's memory is watched
MEMORY_ALARM_TYPES = 10  # the alarm types that memory run cycles through, as a community's rules do


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--households", type=int, default=10_000)
    parser.add_argument("--samples", type=int, default=50, help="computations / requests measured")
    parser.add_argument("--rounds", type=int, default=20, help="alarms raised for the latency figure")
    parser.add_argument("--database-url", default="", help="PostgreSQL: the run uses a schema of its own")
    parser.add_argument(
        "--memory-minutes", type=float, default=0, help="also leave the screen open this long under alarms"
    )
    return parser.parse_args()


def batched(model, rows, size=5000):
    for i in range(0, len(rows), size):
        model.objects.bulk_create(rows[i : i + size])


def build(households: int) -> dict:
    from django.utils import timezone

    from linli.access.models import AccessEvent, AccessPoint
    from linli.billing.models import Bill, FeeItem, FeeStandard
    from linli.dashboards.services import daily_figures
    from linli.dashboards.services.screens import do_issue_screen_token
    from linli.engage.services import votes
    from linli.iot.models import Alarm, Device, DeviceState, Profile
    from linli.iot.services.devices import ensure_profiles
    from linli.registry.models import Building, House, Occupancy, Person, Unit
    from linli.testing import factories as f
    from linli.workorders.choices import Kind
    from linli.workorders.models import Category, Request

    rng = random.Random(14)
    now = timezone.now()
    today = timezone.localdate()
    c = f.community("bench", "望京花园")
    admin = f.staff(c, "community_admin", "bench_admin")

    log(f"registry: {households} households")
    buildings = Building.objects.bulk_create(
        Building(community=c, name=f"{n + 1}号楼", floors=25)
        for n in range(-(-households // BUILDING_HOUSES))
    )
    units = Unit.objects.bulk_create(Unit(building=b, name="1单元") for b in buildings)
    houses = [
        House(
            community=c,
            building=units[n // BUILDING_HOUSES].building,
            unit=units[n // BUILDING_HOUSES],
            number=f"{n % BUILDING_HOUSES + 101}",
            floor=n % 25 + 1,
            area=Decimal("89.50"),
            type="residential",
        )
        for n in range(households)
    ]
    batched(House, houses)
    houses = list(House.objects.filter(community=c).order_by("id"))
    people_count = int(households * PEOPLE_PER_HOUSEHOLD)
    batched(
        Person,
        [Person(community=c, name=f"住户{n}", hukou_local=rng.random() > 0.15) for n in range(people_count)],
    )
    people = list(Person.objects.filter(community=c).order_by("id").values_list("id", flat=True))
    batched(
        Occupancy,
        [
            Occupancy(
                house=houses[n % households],
                person_id=p,
                relation="owner" if n < households else "family",
                valid_from=date(2020, 1, 1),
            )
            for n, p in enumerate(people)
        ],
    )

    log("access: passages of today (a whole day's worth, up to now) and the six days before")
    gate = AccessPoint.objects.create(community=c, name="南门", kind="community_gate")
    midnight = timezone.make_aware(datetime.combine(today, dtime.min))
    per_day = people_count * PASSAGES_PER_PERSON
    for day in range(7):
        start = midnight - timedelta(days=day)
        span = (now - start).total_seconds() if day == 0 else 86400
        batched(
            AccessEvent,
            [
                AccessEvent(
                    community=c,
                    point=gate,
                    at=start + timedelta(seconds=rng.random() * span),
                    method="plate" if rng.random() < 0.1 else rng.choice(("card", "face", "qr")),
                    allowed=rng.random() > 0.02,
                    reason="granted",
                    direction=rng.choice(("in", "out")),
                )
                for _ in range(per_day)
            ],
        )
    log(f"  {7 * per_day} passages, {per_day} of them today")

    log("iot: devices and alarms")
    ensure_profiles(c.id)
    profiles = list(Profile.objects.filter(community=c))
    batched(
        Device,
        [
            Device(
                community=c,
                profile=profiles[n % len(profiles)],
                code=f"d{n}",
                name=f"设备{n}",
                building=buildings[n % len(buildings)],
                token_hash=f"{n:064d}",
            )
            for n in range(DEVICES)
        ],
    )
    devices = list(Device.objects.filter(community=c).order_by("id"))
    batched(DeviceState, [DeviceState(device=d, online=n % 3 == 0) for n, d in enumerate(devices)])
    alarms = []
    for n in range(ACTIVE_ALARMS + CLEARED_ALARMS):
        active = n < ACTIVE_ALARMS
        at = now - timedelta(days=rng.random() * (30 if active else 365))
        device = devices[n % DEVICES]  # one active alarm per device and type
        alarms.append(
            Alarm(
                community=c,
                device=device,
                building_id=device.building_id,
                type=rng.choice(("smoke", "co_high", "offline")) if not active else "offline",
                title="告警",
                severity=rng.choice(("critical", "major", "minor", "warning")),
                status="active" if active else "cleared",
                first_at=at,
                last_at=at,
                cleared_at=None if active else at,
            )
        )
    batched(Alarm, alarms)

    log("work orders: a year of requests")
    category = Category.objects.create(community=c, code="leak", name="水管漏水", kind=Kind.REPAIR)
    created = [now - timedelta(days=rng.random() * 365) for _ in range(REQUESTS)]
    batched(
        Request,
        [
            Request(
                community=c,
                category=category,
                kind=Kind.REPAIR,
                status="submitted" if n < OPEN_REQUESTS else "closed",
                description="漏水",
                building=buildings[n % len(buildings)],
                token=f"t{n}",
                resolved_at=None if n < OPEN_REQUESTS else at + timedelta(hours=rng.random() * 72),
                resolution_overdue=n >= OPEN_REQUESTS and rng.random() < 0.1,
                response_overdue=n < OPEN_REQUESTS and rng.random() < 0.2,
            )
            for n, at in enumerate(created)
        ],
    )
    # created_at is set on insert: spread it over the year as the resolutions are.
    ids = list(Request.objects.filter(community=c).order_by("id").values_list("id", flat=True))
    for n in range(0, len(ids), 100):
        Request.objects.filter(pk__in=ids[n : n + 100]).update(created_at=created[n])

    log("billing: a year of monthly bills")
    item = FeeItem.objects.create(community=c, name="物业费", kind="property")
    standard = FeeStandard.objects.create(
        fee_item=item,
        community=c,
        version=1,
        effective_from=date(2020, 1, 1),
        unit_price_fen=Decimal("250"),
        published_at=now,
    )
    bills = []
    first = today.replace(day=1)
    for m in range(12):
        months = first.year * 12 + first.month - 1 - m
        start = date(months // 12, months % 12 + 1, 1)
        for h in houses:
            paid = rng.random() < (0.6 if m == 0 else 0.93)
            bills.append(
                Bill(
                    community=c,
                    building_id=h.building_id,
                    house=h,
                    fee_item=item,
                    standard=standard,
                    period_start=start,
                    period_end=start + timedelta(days=27),
                    quantity=Decimal("1"),
                    amount_fen=22375,
                    paid_fen=22375 if paid else 0,
                    due_on=start,
                    status="paid" if paid else "issued",
                )
            )
        batched(Bill, bills)
        bills = []

    log("engage: an open vote over the roll")
    vote = votes.do_create_vote(actor=admin, community=c, title="续聘物业服务企业", art278_item=4)
    votes.do_open_vote(actor=admin, vote=vote)

    log("dashboards: 30 days of daily figures")
    for n in range(30, -1, -1):
        daily_figures.do_compute_daily_figures(c.id, today - timedelta(days=n))
    _token, raw = do_issue_screen_token(actor=admin, community=c, label="大厅")
    return {"community": c, "token": raw, "device": devices[1], "admin": admin}


def measure_compute(c, samples: int) -> None:
    """Cold: the first computation in a process (the day's passages counted once, the slow charts
    computed). Warm: as screens refresh, with 20 new passages arriving before each computation."""
    from django.utils import timezone

    from linli.access.models import AccessEvent, AccessPoint
    from linli.dashboards import screen_counters, screen_data

    start = time.perf_counter()
    screen_data.compute((c.id,))
    emit(BENCH, "data_compute_cold", (time.perf_counter() - start) * 1000, "ms", n=1)
    gate = AccessPoint.objects.get(community=c, name="南门")
    ms = []
    for _ in range(samples):
        AccessEvent.objects.bulk_create(
            AccessEvent(
                community=c,
                point=gate,
                at=timezone.now(),
                method="card",
                allowed=True,
                reason="granted",
                direction="in" if i % 2 else "out",
            )
            for i in range(20)
        )
        start = time.perf_counter()
        screen_data.compute((c.id,))
        ms.append((time.perf_counter() - start) * 1000)
    cuts = percentiles(ms)
    emit(BENCH, "data_compute_p50", cuts["p50"], "ms", n=samples)
    emit(BENCH, "data_compute_p95", cuts["p95"], "ms", n=samples, budget=200)
    start = time.perf_counter()
    screen_counters.slow_charts = screen_counters.Recent(screen_counters.SLOW_CHARTS_SECONDS)
    screen_data.compute((c.id,))
    emit(BENCH, "data_compute_slow_charts_due", (time.perf_counter() - start) * 1000, "ms", n=1)
    from linli.iot import queries as iot_queries

    now, today, ids = timezone.now(), timezone.localdate(), [c.id]
    parts = {
        "hours": lambda: screen_data._hours(ids, now),
        "hours_full_count": lambda: screen_counters.TodayPassages().hours(c.id, now),
        "devices": lambda: iot_queries.fleet(c.id),
        "population": lambda: screen_data._population(ids),
        "alarms": lambda: screen_data._alarms(ids),
        "requests": lambda: screen_data._requests(ids, now),
        "fees": lambda: screen_data._fees(ids, today),
        "votes": lambda: screen_data._votes(ids),
        "charts_30_days": lambda: (
            screen_data._alarms_by_type(ids, today),
            screen_data._breakdown(ids, "requests.opened", "category:", today),
        ),
        "collection": lambda: screen_data._collection(ids, today),
        "satisfaction": lambda: screen_data._satisfaction(ids),
    }
    for name, part in parts.items():
        emit(
            BENCH,
            f"part_{name}_p50",
            percentiles(time_calls(lambda i, p=part: p(), 20, warmup=2))["p50"],
            "ms",
            n=20,
        )


def measure_request(c, raw: str, samples: int) -> None:
    from django.test import Client

    client = Client()
    ms = time_calls(lambda i: client.get(f"/screen/{c.id}/data", {"token": raw}), samples, warmup=3)
    cuts = percentiles(ms)
    emit(BENCH, "data_request_p50", cuts["p50"], "ms", n=samples)
    emit(BENCH, "data_request_p95", cuts["p95"], "ms", n=samples)


class Ticker(threading.Thread):
    """One screen's stream, read as its EventSource reads it: when each ticker title arrived."""

    def __init__(self, port: int, path: str):
        super().__init__(daemon=True)
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        self.conn.request("GET", path, headers={"Accept": "text/event-stream"})
        self.response = self.conn.getresponse()
        assert self.response.status == 200, self.response.status
        self.arrived: dict[str, float] = {}
        self.ready = threading.Event()

    def run(self) -> None:
        event = ""
        for raw in self.response.fp:
            line = raw.decode().rstrip("\n")
            if line.startswith("event: "):
                event = line[7:]
                if event == "ready":
                    self.ready.set()
            elif line.startswith("data: ") and event == "ticker":
                self.arrived.setdefault(json.loads(line[6:])["title"], time.perf_counter())
            elif not line:
                event = ""


def measure_latency(c, raw: str, device, admin, rounds: int, memory_minutes: float = 0) -> None:
    from django.conf import settings
    from django.utils import timezone

    from linli.iot.services import alarms

    port = free_port()
    server = Server(*web(port), port, Path(os.environ["LINLI_VAR_DIR"]) / "server.log")
    try:
        server.wait_until_up("/api/v1/health")
        ticker = Ticker(port, f"/screen/{c.id}/stream?token={raw}")
        ticker.start()
        assert ticker.ready.wait(30), "no ready frame"
        rng = random.Random(1)
        committed = {}
        for n in range(rounds):
            time.sleep(rng.random() * settings.LINLI_SSE_POLL_SECONDS + 0.2)
            title = f"bench-{n}"
            alarms.open_alarm(
                device=device,
                alarm_type=f"bench_{n}",
                title=title,
                severity="major",
                at=timezone.now(),
                details={},
            )
            committed[title] = time.perf_counter()  # open_alarm has committed (autocommit) when it returns
        deadline = time.monotonic() + 10
        while len(ticker.arrived) < rounds and time.monotonic() < deadline:
            time.sleep(0.05)
        ms = [(ticker.arrived[t] - at) * 1000 for t, at in committed.items() if t in ticker.arrived]
        cuts = percentiles(ms)
        emit(BENCH, "event_to_frame_p50", cuts["p50"], "ms", n=len(ms))
        emit(BENCH, "event_to_frame_p95", cuts["p95"], "ms", n=len(ms), budget=1000)
        emit(BENCH, "event_to_frame_max", max(ms), "ms", n=len(ms), lost=rounds - len(ms))
        measure_page(port, c, raw)
        if memory_minutes:
            measure_memory(port, c, raw, device, admin, memory_minutes)
    finally:
        server.stop()


def fetch_body(port: int, path: str) -> bytes:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", path)
    response = conn.getresponse()
    body = response.read()
    assert response.status == 200, (path, response.status)
    return body


def measure_page(port: int, c, raw: str) -> None:
    path = f"/screen/{c.id}/?token={raw}"
    html = fetch_body(port, path)
    assets = re.findall(rb'(?:src|href)="(/static/[^"]+)"', html)
    bodies = [html] + [fetch_body(port, a.decode()) for a in assets]
    emit(BENCH, "page_bytes", sum(map(len, bodies)), "B", files=len(bodies), budget=1_500_000)
    emit(BENCH, "page_bytes_gzip", sum(len(gzip.compress(b)) for b in bodies), "B", files=len(bodies))
    if not Path(CHROMIUM).exists():
        log(f"{CHROMIUM} missing: first paint not measured")
        return
    from playwright.sync_api import sync_playwright

    drawn_js = """() => [...document.querySelectorAll('[data-chart] canvas')].length === 5"""
    paints, drawn = [], []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        for _ in range(5):
            context = browser.new_context(viewport={"width": 1920, "height": 1080})
            page = context.new_page()
            start = time.perf_counter()
            page.goto(f"http://127.0.0.1:{port}{path}")
            page.wait_for_function(drawn_js)
            page.wait_for_selector("#screen[data-rendered-at]")
            drawn.append((time.perf_counter() - start) * 1000)
            paints.append(
                page.evaluate("performance.getEntriesByName('first-contentful-paint')[0].startTime")
            )
            context.close()
        browser.close()
    emit(BENCH, "first_paint_ms", sorted(paints)[2], "ms", n=5, budget=2000)
    emit(BENCH, "charts_drawn_ms", sorted(drawn)[2], "ms", n=5)


def measure_memory(port: int, c, raw: str, device, admin, minutes: float) -> None:
    """The screen left open while alarms arrive, one every ALARM_EVERY seconds (each a ticker row
    and a refresh of the counters and charts): its JavaScript heap after a forced garbage
    collection, and its DOM nodes, sampled every minute. Flat means the last samples are where the
    first ones were, not growing with the alarms.

    The alarms are a community's: MEMORY_ALARM_TYPES types raised in turn on one device, each
    cleared by staff just before its type is raised again, so the open alarms stay about as many
    as at the start. (Until 2026-12-07 every alarm had a type of its own and none was cleared: the
    open alarms grew without bound. It made no difference to the heap, since the alarms-by-type
    chart reads the daily figures, but it was no community's pattern.)"""
    from django.utils import timezone
    from playwright.sync_api import sync_playwright

    from linli.iot.services import alarms

    # Playwright's sync API runs an event loop in this thread; the alarms are raised through the
    # ORM between its calls, never inside it.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        context = browser.new_context(viewport={"width": 1920, "height": 1080})
        page = context.new_page()
        page.goto(f"http://127.0.0.1:{port}/screen/{c.id}/?token={raw}")
        page.wait_for_selector("#screen[data-rendered-at]")
        cdp = context.new_cdp_session(page)
        cdp.send("Performance.enable")

        def sample() -> tuple[float, int]:
            cdp.send("HeapProfiler.collectGarbage")
            metrics = {m["name"]: m["value"] for m in cdp.send("Performance.getMetrics")["metrics"]}
            return metrics["JSHeapUsedSize"] / 1e6, int(metrics["Nodes"])

        samples = [sample()]
        raised, ends, next_sample = 0, time.monotonic() + minutes * 60, time.monotonic() + 60
        open_ids: dict[str, int] = {}
        while time.monotonic() < ends:
            alarm_type = f"memory_{raised % MEMORY_ALARM_TYPES}"
            if alarm_type in open_ids:  # the condition went away: staff clear it before it recurs
                alarms.do_clear(actor=admin, alarm_id=open_ids.pop(alarm_type))
            open_ids[alarm_type] = alarms.open_alarm(
                device=device,
                alarm_type=alarm_type,
                title=f"memory-{raised}",
                severity="major",
                at=timezone.now(),
                details={},
            )["id"]
            raised += 1
            page.wait_for_timeout(ALARM_EVERY * 1000)  # the browser keeps running meanwhile
            if time.monotonic() >= next_sample:
                samples.append(sample())
                next_sample += 60
                # a long run's progress, readable before it ends (stdout keeps the JSON lines)
                print(f"minute {len(samples) - 1}: {samples[-1][0]:.2f} MB", file=sys.stderr, flush=True)
        samples.append(sample())
        rows = page.locator("#ticker li").count()
        browser.close()
    heap = [round(mb, 2) for mb, _nodes in samples]
    nodes = [n for _mb, n in samples]
    emit(BENCH, "screen_heap_first_mb", heap[0], "MB")
    emit(BENCH, "screen_heap_last_mb", heap[-1], "MB", minutes=minutes, alarms=raised, heap=heap)
    emit(BENCH, "screen_dom_nodes_last", nodes[-1], "nodes", first=nodes[0], ticker_rows=rows)


def web(port: int):
    from linli.core.management.commands.serve import web_command

    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    return web_command("127.0.0.1", port, 1), env


def main() -> None:
    args = parse_args()
    cleanup = lambda: None  # noqa: E731
    url = None
    if args.database_url:
        os.environ["DATABASE_URL"] = args.database_url
        url, cleanup = database_url()
    setup_django(BENCH, database_url=url)
    try:
        log(f"load average {os.getloadavg()}")
        started = time.perf_counter()
        built = build(args.households)
        log(f"built in {time.perf_counter() - started:.0f} s")
        c = built["community"]
        measure_compute(c, args.samples)
        measure_request(c, built["token"], args.samples)
        measure_latency(c, built["token"], built["device"], built["admin"], args.rounds, args.memory_minutes)
    finally:
        cleanup()


if __name__ == "__main__":
    main()
