"""Event stream under many idle connections: K streams held open against linli served by one
web server process (serve's own command), driven by an asyncio raw-socket client.

    make bench ONLY=sse [ARGS="--streams 2000 --idle 5"]
    .venv/bin/python bench/sse.py [--streams 10000] [--idle 10] [--events 5]

Set-up in-process, in a throwaway SQLite database (or, when DATABASE_URL names a PostgreSQL
database, a schema of its own in it, as bench/api.py does): one community and a user for every 5
streams (the per-user cap is 6), each a property manager of the community with a bearer token.
The server is serve's web command (granian, one process) serving this module's `counted_app`: linli's ASGI application
plus GET /_bench/queries, the number of SQL statements the server process has run on any
connection and thread (the benchmark's own counter; linli serves no such route).

The soft limit of open files is raised to the hard limit; when that does not fit --streams (the
client and the server each hold one socket a stream), the run opens what fits and says so.

Figures, one JSON line each:
- streams opened, and failures (a status other than 200, a refused or dropped connection, no
  `ready` frame within a minute), the time it took to open them;
- the server's RSS per open stream (VmRSS from /proc before the first stream and with all open),
  its threads and its database connections;
- SQL statements per second while every stream is open and idle;
- delivery: from the commit of a publish to its frame on each stream, p50/p99/max over streams
  and rounds, for a community broadcast (one row, every stream) and for one row per user; it
  includes the wait for the poller's next read (0 to LINLI_SSE_POLL_SECONDS, rounds are published
  at random points of it); `fan_out_ms` is first to last stream of the slowest round;
- GET /api/v1/health p50/p99 before any stream, and while all are open.
"""

import argparse
import asyncio
import http.client
import json
import os
import random
import re
import resource
import threading
import time
import weakref
from pathlib import Path

from _setup import children, emit, log, percentiles, setup_django
from api import HEALTH, Server, database_url, free_port

BENCH = "sse"
BENCH_DIR = Path(__file__).resolve().parent
STREAMS_PER_USER = 5
FD_HEADROOM = 500  # files a process needs besides the streams' sockets
MARK = re.compile(rb'data: \{"bench": ?(\d+)')


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--streams", type=int, default=10_000, help="idle streams to open")
    parser.add_argument("--idle", type=float, default=10.0, help="seconds the streams stay idle")
    parser.add_argument("--events", type=int, default=5, help="publish rounds of each kind")
    parser.add_argument("--health", type=int, default=300, help="health requests per measurement")
    parser.add_argument("--at-once", type=int, default=100, help="streams being opened at a time")
    return parser.parse_args()


# --- the server side: linli with a statement counter ----------------------------------------


def counted_app():
    """The ASGI application the bench serves (granian --factory): linli's, plus
    GET /_bench/queries -> {"statements": every SQL statement of this process so far,
    "connections": its database connections open now}."""
    from django.db.backends.signals import connection_created

    from linli.asgi import application

    lock = threading.Lock()
    statements = 0
    wrappers = weakref.WeakSet()  # a connection per thread: Django's DatabaseWrapper objects

    def counted(execute, sql, params, many, context):
        nonlocal statements
        with lock:
            statements += 1
        return execute(sql, params, many, context)

    def install(sender, connection, **kwargs):
        wrappers.add(connection)
        if counted not in connection.execute_wrappers:
            connection.execute_wrappers.append(counted)

    connection_created.connect(install, weak=False)

    async def app(scope, receive, send):
        if scope["type"] != "http" or scope["path"] != "/_bench/queries":
            return await application(scope, receive, send)
        connections = sum(1 for wrapper in list(wrappers) if wrapper.connection is not None)
        body = json.dumps({"statements": statements, "connections": connections}).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [(b"content-type", b"application/json")],
            }
        )
        await send({"type": "http.response.body", "body": body})

    return app


def server_command(port: int) -> list[str]:
    """`linli serve`'s web command with one process and this module's counting application."""
    from linli.core.management.commands.serve import web_command

    return [
        *web_command("127.0.0.1", port, 1, app="sse:counted_app"),
        "--factory",
        "--working-dir",
        str(BENCH_DIR),
    ]


def proc_status(pid: int) -> dict[str, int]:
    """VmRSS (kB) and Threads of the server: its worker process (granian's child), or itself."""
    pid = (children(pid) or [pid])[0]
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _sep, value = line.partition(":")
        if name in ("VmRSS", "Threads"):
            fields[name] = int(value.split()[0])
    return fields


# --- the data ---------------------------------------------------------------------------------


def prepare(users: int) -> tuple[int, list[str], list[int]]:
    """(community id, a bearer token per user, the user ids). Set-up, not a product path."""
    from django.utils import timezone

    from linli.accounts.models import ApiToken, User, hash_token
    from linli.core.models import Community, Membership

    community = Community.objects.create(name="压测小区", code="bench-sse")
    people = User.objects.bulk_create(
        [User(username=f"sse{i}", password="!") for i in range(users)], batch_size=2000
    )
    Membership.objects.bulk_create(
        [Membership(user=u, community=community, role="property_manager") for u in people], batch_size=2000
    )
    raws = [ApiToken.new_raw() for _ in people]
    now = timezone.now()  # used just now: opening a stream does not write the token's last use
    ApiToken.objects.bulk_create(
        [
            ApiToken(user=u, name="bench", prefix=raw[:12], key_hash=hash_token(raw), last_used_at=now)
            for u, raw in zip(people, raws, strict=True)
        ],
        batch_size=2000,
    )
    return community.pk, raws, [u.pk for u in people]


def publish_round(seq: int, community_id: int, user_ids: list[int] | None) -> float:
    """Publishes one bench event (to the community's staff, or one row per user) and returns the
    perf_counter of its commit."""
    from django.db import transaction

    from linli.core.events import publish

    with transaction.atomic():
        if user_ids is None:
            publish("bench.ping", {"bench": seq}, community_id=community_id)
        else:
            publish("bench.ping", {"bench": seq}, users=user_ids)
    return time.perf_counter()


# --- the client -------------------------------------------------------------------------------


class Stream(asyncio.Protocol):
    """One stream over a raw socket: the request written on connect, the frames scanned for the
    bench's events as they come (each frame is one chunk, so none is split by chunk sizes)."""

    def __init__(self, request: bytes, received: dict[int, int]):
        self.request = request
        self.received = received  # seq -> streams that have it, shared by all streams
        self.opened: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        self.transport: asyncio.Transport | None = None
        self.status = 0
        self.tail = b""
        self.arrived: dict[int, float] = {}

    def connection_made(self, transport):
        self.transport = transport
        transport.write(self.request)

    def data_received(self, data):
        now = time.perf_counter()
        text = self.tail + data
        if not self.status and text.startswith(b"HTTP/1.1 "):
            self.status = int(text[9:12])
            if self.status != 200:
                self.opened.set_result(False)
                self.transport.close()
                return
        if not self.opened.done() and b"event: ready" in text:
            self.opened.set_result(True)
        for match in MARK.finditer(text):
            seq = int(match.group(1))
            if seq not in self.arrived:
                self.arrived[seq] = now
                self.received[seq] = self.received.get(seq, 0) + 1
        self.tail = text[-80:]  # a mark cut between two reads is found in the next one

    def connection_lost(self, exc):
        if not self.opened.done():
            self.opened.set_result(False)


async def open_streams(
    port: int, tokens: list[str], count: int, at_once: int, received: dict
) -> tuple[list[Stream], int]:
    loop = asyncio.get_running_loop()
    gate = asyncio.Semaphore(at_once)

    async def open_one(i: int) -> Stream | None:
        token = tokens[i // STREAMS_PER_USER]
        request = (
            f"GET /events/stream HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAccept: text/event-stream\r\n"
            f"Authorization: Bearer {token}\r\n\r\n"
        ).encode()
        async with gate:
            try:
                _transport, stream = await loop.create_connection(
                    lambda: Stream(request, received), "127.0.0.1", port
                )
                if await asyncio.wait_for(stream.opened, 60):
                    return stream
                stream.transport.close()
            except (OSError, TimeoutError) as error:
                log(f"stream {i}: {error!r}")
            return None

    opened = await asyncio.gather(*(open_one(i) for i in range(count)))
    streams = [s for s in opened if s is not None]
    return streams, count - len(streams)


def health_times(port: int, samples: int) -> list[float]:
    """Milliseconds per GET /api/v1/health on one keep-alive connection (run in a thread)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    times = []
    try:
        for _ in range(samples):
            start = time.perf_counter()
            conn.request("GET", HEALTH)
            response = conn.getresponse()
            response.read()
            times.append((time.perf_counter() - start) * 1000)
            if response.status != 200:
                raise SystemExit(f"health: {response.status}")
    finally:
        conn.close()
    return times


async def health(port: int, samples: int, label: str, **extra) -> None:
    times = await asyncio.get_running_loop().run_in_executor(None, health_times, port, samples)
    for cut, value in percentiles(times).items():
        if cut != "p95":
            emit(BENCH, f"health_{cut}_{label}", value, "ms", n=len(times), **extra)


def server_counts(port: int) -> dict[str, int]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("GET", "/_bench/queries")
        return json.loads(conn.getresponse().read())
    finally:
        conn.close()


def fitting_streams(wanted: int) -> int:
    """Raises the soft limit of open files to the hard one (inherited by the server); the streams
    that fit in it, the client and the server each holding one socket a stream."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    limit = hard if hard != resource.RLIM_INFINITY else wanted + FD_HEADROOM
    fits = min(wanted, limit - FD_HEADROOM)
    if fits < wanted:
        log(f"open files limited to {limit}: {fits} streams instead of {wanted}")
    return fits


async def measure(args, port: int, server: Server, community_id: int, tokens, user_ids, count: int) -> None:
    loop = asyncio.get_running_loop()
    pid = server.proc.pid
    await health(port, args.health, "no_streams")
    before = proc_status(pid)

    received: dict[int, int] = {}
    log(f"opening {count} streams, {args.at_once} at a time")
    started = time.perf_counter()
    streams, failures = await open_streams(port, tokens, count, args.at_once, received)
    opening = time.perf_counter() - started
    emit(BENCH, "streams_opened", len(streams), "streams", n=count, failures=failures, wanted=args.streams)
    emit(BENCH, "open_all_seconds", opening, "s", n=len(streams))
    if not streams:
        return

    await asyncio.sleep(3)  # let the opening settle
    after = proc_status(pid)
    emit(
        BENCH, "server_rss_per_stream", (after["VmRSS"] - before["VmRSS"]) / len(streams), "KB", n=len(streams),
        rss_before_mb=round(before["VmRSS"] / 1024, 1), rss_open_mb=round(after["VmRSS"] / 1024, 1),
        threads_before=before["Threads"], threads_open=after["Threads"],
        db_connections=(await loop.run_in_executor(None, server_counts, port))["connections"],
    )  # fmt: skip

    first = (await loop.run_in_executor(None, server_counts, port))["statements"]
    t0 = time.perf_counter()
    await asyncio.sleep(args.idle)
    idle_statements = (await loop.run_in_executor(None, server_counts, port))["statements"] - first
    seconds = time.perf_counter() - t0
    emit(
        BENCH,
        "idle_queries_per_second",
        idle_statements / seconds,
        "queries/s",
        n=len(streams),
        seconds=round(seconds, 1),
    )

    await health(port, args.health, "streams_open", streams=len(streams))

    seq, jitter = 0, random.Random(8)
    for kind, audience in (("broadcast", None), ("per_user", user_ids)):
        delays, spreads, missed = [], [], 0
        for _round in range(args.events):
            seq += 1
            committed = await loop.run_in_executor(None, publish_round, seq, community_id, audience)
            deadline = time.perf_counter() + 30
            while received.get(seq, 0) < len(streams) and time.perf_counter() < deadline:
                await asyncio.sleep(0.005)
            got = [s.arrived[seq] - committed for s in streams if seq in s.arrived]
            missed += len(streams) - len(got)
            delays += [max(0.0, d) * 1000 for d in got]
            spreads.append((max(got, default=0) - min(got, default=0)) * 1000)
            await asyncio.sleep(jitter.uniform(1, 2))  # publish at any point of the poller's interval
        cuts = percentiles(delays) if len(delays) > 1 else {"p50": float("nan"), "p99": float("nan")}
        extra = {
            "rounds": args.events,
            "missed": missed,
            "max_ms": round(max(delays, default=float("nan")), 1),
            "fan_out_ms": round(max(spreads), 1),  # first to last stream, the slowest round
        }
        emit(BENCH, f"delivery_{kind}_p50", cuts["p50"], "ms", n=len(streams), **extra)
        emit(BENCH, f"delivery_{kind}_p99", cuts["p99"], "ms", n=len(streams), **extra)

    still_open = sum(1 for s in streams if not s.transport.is_closing())
    emit(BENCH, "streams_still_open", still_open, "streams", n=len(streams))
    for stream in streams:
        stream.transport.close()


def main() -> None:
    args = parse_args()
    count = fitting_streams(args.streams)
    url, drop_schema = database_url()
    try:
        var_dir = setup_django(BENCH, database_url=url)
        users = -(-count // STREAMS_PER_USER)
        community_id, tokens, user_ids = prepare(users)
        log(f"{users} users with a token each; starting the web server")
        port = free_port()
        env = {**os.environ, "PYTHONUNBUFFERED": "1", "LINLI_SSE_MAX_SECONDS": "3600"}
        logfile = var_dir / "server.log"  # removed at exit with the rest of the run
        server = Server(server_command(port), env, port, logfile)
        try:
            server.wait_until_up(HEALTH)
            asyncio.run(measure(args, port, server, community_id, tokens, user_ids, count))
        finally:
            server.stop()
            errors = [
                line for line in logfile.read_text().splitlines() if "Error" in line or "Traceback" in line
            ]
            if errors:
                log(f"the server logged {len(errors)} error lines, the first: {errors[0]}")
    finally:
        drop_schema()


if __name__ == "__main__":
    main()
