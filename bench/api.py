"""API benchmark: linli served the way `make run` serves it, driven over real HTTP.

    make bench ONLY=api [ARGS="--quick"]
    .venv/bin/python bench/api.py [--duration 5] [--connections 32] [--rate 1000] [--only health,decide]

Builds the demo community (`seed_demo`) in a throwaway database — SQLite in a temporary
LINLI_VAR_DIR, or, when DATABASE_URL names a PostgreSQL database, a schema of its own in that
database (created and dropped by the run; nothing else in it is touched) — and what the load
needs in-process: bearer tokens of a resident and of the property manager, their session cookies,
a terminal with a card, a page of inbox messages. Then it starts `python -m linli serve` (web
server, task worker and scheduler) and, for each case:

- throughput: wrk at full speed, fixed threads and connections (`--connections`);
- latency at a fixed offered rate: hey, `workers x -q` requests per second (`--rate`, 1000/s for
  the API; `--write-rate`, 500/s, for the write; `--page-rate`, 10/s, for the HTML pages and the
  resident's bills, whose budgets are a user's wait, not throughput; below what one process renders), p50/p95/p99 as the client sees them on 127.0.0.1 (for the pages
  that is the server time plus a loopback round trip);
- every response's status: anything but 2xx is counted (`non_2xx`, `statuses`), never hidden;
- queries per request: the same request once in-process (Django's test client, or the decision
  fast path's handler for /access/decide) under CaptureQueriesContext, after one warm-up call.

The floor is a bare hello app (bench/_floor.py) run by serve's own web command with the app
swapped: same server software, processes and flags. Every line carries its ratio to the floor of
the same run. The load generators share the machine's cores with the server: figures are
indicative, comparable within a run and between runs on the same machine.
"""

import argparse
import http.client
import io
import json
import math
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from _setup import children, log, setup_django

BENCH = "api"
BENCH_DIR = Path(__file__).resolve().parent
TOOLS = {"wrk": "wrk", "hey": "hey"}  # command → the Debian package that has it
CARD = "B0000001"
HEALTH = "/api/v1/health"


@dataclass
class Case:
    name: str
    path: str
    rate: float  # offered requests/s for the latency run
    method: str = "GET"
    headers: dict[str, str] = field(default_factory=dict)
    body: str = ""
    status: int = 200
    expect: str = ""  # a JSON key (or, for a page, a text) the answer must contain
    budget: dict[str, float] = field(default_factory=dict)  # rps (at least), p95_ms / p99_ms (at most)
    queries: Callable[[], int] | None = None  # overrides the test-client count


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=5.0, help="seconds of each wrk and each hey run")
    parser.add_argument("--connections", type=int, default=32, help="wrk connections (2 threads)")
    parser.add_argument("--rate", type=float, default=1000.0, help="offered requests/s for reads and decide")
    parser.add_argument("--write-rate", type=float, default=500.0, help="offered requests/s for the write")
    parser.add_argument("--page-rate", type=float, default=10.0, help="offered requests/s: pages, my bills")
    parser.add_argument("--only", default="", help="comma-separated cases (the floor always runs)")
    parser.add_argument("--quick", action="store_true", help="1.5 s runs: a smoke check, not figures")
    args = parser.parse_args()
    if args.quick:
        args.duration = 1.5
    return args


def require_tools() -> None:
    missing = [package for tool, package in TOOLS.items() if shutil.which(tool) is None]
    if missing:
        log(f"bench/api.py needs {', '.join(missing)}: apt-get install -y {' '.join(missing)}")
        sys.exit(2)


# --- the database ---------------------------------------------------------------------------


def database_url() -> tuple[str | None, Callable[[], None]]:
    """(DATABASE_URL for the run, clean-up). PostgreSQL: a fresh schema in the caller's database,
    reached through search_path, so that the run neither needs nor harms an empty database."""
    url = os.environ.get("DATABASE_URL", "")
    if not url:
        return None, lambda: None
    if not url.startswith(("postgres://", "postgresql://")):
        log("DATABASE_URL: bench/api.py runs on SQLite in a temporary directory, or on PostgreSQL")
        sys.exit(2)
    import psycopg

    schema = f"linli_bench_{os.getpid()}"
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")

    def drop() -> None:
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")

    separator = "&" if "?" in url else "?"
    return f"{url}{separator}options=-c%20search_path%3D{schema}", drop


def prepare() -> dict:
    """The demo community and what the load needs: credentials, ids, a page of messages."""
    from django.conf import settings
    from django.core.management import call_command
    from django.test import Client

    from linli.access import services as access
    from linli.access.models import AccessPoint
    from linli.accounts.models import User
    from linli.accounts.services import do_issue_token
    from linli.core.crypto import blind_index
    from linli.core.models import Community
    from linli.demo.builder import OWNER_PHONE
    from linli.notify.services import notify
    from linli.registry.models import Occupancy, Person

    call_command("seed_demo", stdout=io.StringIO())  # as `make run` does
    community = Community.objects.get(code="demo-xingfuli")
    person = Person.objects.get(community=community, phone_bidx=blind_index("phone", OWNER_PHONE))
    resident = person.user
    house = Occupancy.objects.filter(person=person, ended_at__isnull=True).order_by("id").first().house
    manager = User.objects.get(username="manager")  # the property manager of 幸福里
    admin = User.objects.get(username="admin")
    gate = AccessPoint.objects.get(community=community, name="南门")
    terminal, terminal_secret = access.do_register_terminal(actor=admin, point=gate, name="压测终端")
    access.do_issue_card(actor=admin, person=person, number=CARD)
    notify(
        users=[resident], kind="notice", title="停水通知", body="明天9点到12点停水", community_id=community.pk
    )
    for i in range(59):  # more than a page (20), a third unread
        notify(users=[resident], kind="notice", title=f"通知{i}", body="小区通知", community_id=community.pk)

    def session(user) -> str:
        client = Client()
        client.force_login(user)
        return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"

    return {
        "community": community.pk,
        "house": house.pk,
        "building": house.building_id,
        "resident_token": do_issue_token(actor=resident, name="bench").raw,
        "staff_token": do_issue_token(actor=manager, name="bench").raw,
        "resident_cookie": session(resident),
        "staff_cookie": session(manager),
        "terminal": terminal,
        "terminal_secret": terminal_secret,
    }


def cases(world: dict, args) -> list[Case]:
    resident = {"Authorization": f"Bearer {world['resident_token']}"}
    staff = {"Authorization": f"Bearer {world['staff_token']}"}
    json_body = {"Content-Type": "application/json"}
    reads = {"rps": 1500, "p99_ms": 50}
    decide_body = json.dumps({"method": "card", "card": CARD})
    terminal = {"Authorization": f"Bearer {world['terminal_secret']}"}
    return [
        Case("health", HEALTH, args.rate, expect="status", budget={"rps": 3000}),
        Case("house_detail", f"/api/v1/houses/{world['house']}", args.rate, headers=resident,
             expect="household", budget=reads),
        Case("my_passes", "/api/v1/access/me/passes", args.rate, headers=resident, expect="visitor_name",
             budget=reads),
        Case("inbox", "/api/v1/inbox?limit=20", args.rate, headers=resident, expect="unread_count",
             budget=reads),
        Case("houses_list", f"/api/v1/houses?community={world['community']}&building={world['building']}"
             "&type=residential&limit=50", args.rate, headers=staff, expect="next_cursor"),
        Case("create_pass", f"/api/v1/access/houses/{world['house']}/passes", args.write_rate, "POST",
             {**resident, **json_body}, json.dumps({"visitor_name": "压测访客"}, ensure_ascii=False),
             status=201, expect="token", budget={"rps": 500}),
        Case("decide", "/api/v1/access/decide", args.rate, "POST", {**terminal, **json_body}, decide_body,
             expect="allow", budget={"rps": 1000}, queries=lambda: decide_queries(terminal, decide_body)),
        Case("resident_page", "/", args.page_rate, headers={"Cookie": world["resident_cookie"]},
             expect="<!doctype html>", budget={"p95_ms": 50}),
        Case("console_page", f"/staff/c/{world['community']}/", args.page_rate,
             headers={"Cookie": world["staff_cookie"]}, expect="<!doctype html>", budget={"p95_ms": 50}),
        Case("my_bills", "/api/v1/billing/my/bills", args.page_rate, headers=resident, expect="owed_fen",
             budget={"p95_ms": 50}),
        Case("bills_page", "/billing/", args.page_rate, headers={"Cookie": world["resident_cookie"]},
             expect="<!doctype html>", budget={"p95_ms": 50}),
    ]  # fmt: skip


def count_queries(call: Callable[[], object]) -> int:
    """Queries of the second of two calls: the first may do once-a-minute bookkeeping."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    call()
    with CaptureQueriesContext(connection) as captured:
        call()
    return len(captured)


def client_queries(case: Case) -> int:
    from django.test import Client

    client = Client()

    def call():
        response = client.generic(
            case.method, case.path, case.body, content_type="application/json", headers=case.headers
        )
        if response.status_code != case.status:
            raise SystemExit(f"{case.name} in-process: {response.status_code} {response.content[:300]!r}")

    return count_queries(call)


def decide_queries(headers: dict, body: str) -> int:
    """/access/decide is answered by the ASGI fast path in front of Django: count its handler."""
    from linli.access.decide.asgi import PATH, TerminalFastPath

    fast_path = TerminalFastPath(None)
    lowered = {k.lower(): v for k, v in headers.items()}

    def call():
        status, payload, _headers = fast_path.handle(lowered, PATH, body.encode())
        if status != 200 or not json.loads(payload)["allow"]:
            raise SystemExit(f"decide in-process: {status} {payload[:300]!r}")

    try:
        return count_queries(call)
    finally:
        fast_path.pool.shutdown()


# --- the server -----------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def serve_command(port: int) -> tuple[list[str], dict[str, str]]:
    """How `make run` serves, on another port. The one seam between this bench and serve: serve
    picks its web server and processes itself (LINLI_WEB_SERVER, LINLI_WEB_WORKERS and the like
    are passed through from the caller's environment), and the floor copies whatever it picked."""
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    env.pop("LINLI_TASKS_BACKEND", None)  # serve's own default: tasks in the database, a worker
    return [sys.executable, "-m", "linli", "serve", "--port", str(port)], env


class Server:
    """A process group started in the background, its output in a log file, stopped by SIGTERM."""

    def __init__(
        self, argv: list[str], env: dict[str, str], port: int, logfile: Path, cwd: Path | None = None
    ):
        self.port, self.logfile = port, logfile
        with logfile.open("ab") as out:
            self.proc = subprocess.Popen(
                argv, env=env, cwd=cwd, stdout=out, stderr=subprocess.STDOUT, process_group=0
            )

    def wait_until_up(self, path: str, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                break
            try:
                if fetch(self.port, path)[0] == 200:
                    return
            except OSError:
                pass  # not listening yet
            time.sleep(0.2)
        self.stop()
        sys.exit(f"server on :{self.port} did not come up; its log:\n{self.logfile.read_text()[-3000:]}")

    def stop(self) -> None:
        try:
            os.killpg(self.proc.pid, signal.SIGTERM)
            self.proc.wait(timeout=30)
        except ProcessLookupError:
            pass
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()


APP = re.compile(r"^linli\.(asgi|wsgi):\w+$")


def web_command(server: Server) -> list[str]:
    """The argv of serve's web server child: the process naming linli's ASGI/WSGI application."""
    for pid in children(server.proc.pid):
        try:
            argv = Path(f"/proc/{pid}/cmdline").read_bytes().decode().split("\0")[:-1]
        except OSError:
            continue
        if any(APP.match(arg) for arg in argv):
            return argv
    server.stop()
    sys.exit(
        "no child of `linli serve` names linli.asgi:… or linli.wsgi:…; teach web_command() the new shape"
    )


def floor_command(web: list[str], port: int, floor_port: int) -> list[str]:
    """Serve's web command with the hello app and another port: same server, processes, flags."""

    def swap(arg: str) -> str:
        if match := APP.match(arg):
            return f"_floor:{match.group(1)}_app"
        if arg == str(port) or arg.endswith(f":{port}"):  # --port 8000, --bind 127.0.0.1:8000
            return arg[: -len(str(port))] + str(floor_port)
        return arg

    return [swap(arg) for arg in web]


def fetch(port: int, path: str, method: str = "GET", headers: dict | None = None, body: str = ""):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request(method, path, body.encode() or None, headers or {})
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def check(case: Case, port: int) -> None:
    """The answer over HTTP is the expected one: a fast wrong answer is not a result."""
    status, body = fetch(port, case.path, case.method, case.headers, case.body)
    if status != case.status or case.expect.encode() not in body:
        sys.exit(f"{case.name}: expected {case.status} with {case.expect!r}, got {status}: {body[:300]!r}")


# --- the load -------------------------------------------------------------------------------


def lua_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


# Counts every status per thread and prints one JSON line at the end (wrk itself only counts
# "non-2xx or 3xx"; a redirect to the sign-in page must not pass for a page).
WRK_REPORT = """
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) statuses = {} end
function response(status, headers, body) statuses[status] = (statuses[status] or 0) + 1 end
function done(summary, latency, requests)
  local counts = {}
  for _, thread in ipairs(threads) do
    for status, n in pairs(thread:get("statuses")) do counts[status] = (counts[status] or 0) + n end
  end
  local parts = {}
  for status, n in pairs(counts) do parts[#parts + 1] = string.format('"%d": %d', status, n) end
  local e = summary.errors
  io.write(string.format('WRK {"duration_us": %d, "requests": %d, "errors": %d, "p50_us": %d, ' ..
    '"p99_us": %d, "statuses": {%s}}\\n', summary.duration, summary.requests,
    e.connect + e.read + e.write + e.timeout, latency:percentile(50), latency:percentile(99),
    table.concat(parts, ", ")))
end
"""


def wrk(case: Case, port: int, seconds: float, connections: int, scripts: Path) -> dict:
    script = scripts / f"{case.name}.lua"
    lines = [f"wrk.method = {lua_string(case.method)}", f"wrk.body = {lua_string(case.body)}"]
    lines += [f"wrk.headers[{lua_string(k)}] = {lua_string(v)}" for k, v in case.headers.items()]
    script.write_text("\n".join(lines) + WRK_REPORT)
    return run_wrk(script, f"http://127.0.0.1:{port}{case.path}", seconds, connections)


def run_wrk(script: Path, url: str, seconds: float, connections: int, threads: int = 2) -> dict:
    """wrk with a script that ends in WRK_REPORT: 2xx per second, every status, socket errors,
    and wrk's own p50/p99 (latency at full speed, so queueing included)."""
    argv = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{max(1, round(seconds))}s", "--timeout", "10s"]
    out = run([*argv, "-s", str(script), url])
    result = json.loads(out.split("WRK ", 1)[1].splitlines()[0])
    seconds = result["duration_us"] / 1e6
    ok = sum(n for status, n in result["statuses"].items() if 200 <= int(status) < 300)
    return {
        "rps": ok / seconds,
        "requests": result["requests"],
        "p50_ms": result["p50_us"] / 1000,
        "p99_ms": result["p99_us"] / 1000,
        "statuses": result["statuses"],
        "errors": result["errors"],
        "non_2xx": result["requests"] - ok - result["errors"],
    }


def hey(case: Case, port: int, seconds: float) -> dict:
    """Latency at a fixed offered rate: hey's workers each send at most q requests/s. At a low
    rate (the pages) the run is longer, up to twice, for about 100 answers behind each p95."""
    seconds = min(max(seconds, 100 / case.rate), 2 * seconds)
    # hey's workers tick in step, so the load arrives in bursts of `workers` requests every 1/q s;
    # q = 50 (a burst every 20 ms) keeps the bursts small and still lets a worker wait 20 ms for
    # an answer without skipping its next tick (the floor at 1000/s: p50 3 ms, 8 ms with q = 20).
    workers = max(1, min(100, math.ceil(case.rate / 50)))
    argv = ["hey", "-z", f"{seconds}s", "-c", str(workers), "-q", f"{case.rate / workers:.3f}", "-t", "10"]
    argv += ["-m", case.method, "-disable-redirects"]
    for name, value in case.headers.items():
        argv += ["-T", value] if name == "Content-Type" else ["-H", f"{name}: {value}"]
    if case.body:
        argv += ["-d", case.body]
    out = run([*argv, f"http://127.0.0.1:{port}{case.path}"])
    latency = {int(p): float(s) * 1000 for p, s in re.findall(r"(\d+)% in ([\d.]+) secs", out)}
    report, _, failures = out.partition("Error distribution:")
    statuses = {s: int(n) for s, n in re.findall(r"\[(\d+)\]\s+(\d+) responses", report)}
    errors = sum(int(n) for n in re.findall(r"^\s*\[(\d+)\]", failures, re.MULTILINE))
    ok = sum(n for status, n in statuses.items() if 200 <= int(status) < 300)
    return {
        "achieved": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        "p50_ms": latency.get(50),
        "p95_ms": latency.get(95),
        "p99_ms": latency.get(99),
        "statuses": statuses,
        "errors": errors,
        "non_2xx": sum(statuses.values()) - ok,
    }


def run(argv: list[str]) -> str:
    done = subprocess.run(argv, capture_output=True, text=True)
    if done.returncode:
        sys.exit(f"{argv[0]} failed ({done.returncode}): {done.stderr[-2000:]}")
    return done.stdout


def measure(case: Case, port: int, args, scripts: Path) -> dict:
    wrk(case, port, min(1.0, args.duration), args.connections, scripts)  # warm-up: imports, caches
    throughput = wrk(case, port, args.duration, args.connections, scripts)
    latency = hey(case, port, args.duration)
    statuses = dict(throughput["statuses"])
    for status, n in latency["statuses"].items():
        statuses[status] = statuses.get(status, 0) + n
    return {
        "rps": throughput["rps"],
        "rate": case.rate,
        "achieved": latency["achieved"],
        "p50_ms": latency["p50_ms"],
        "p95_ms": latency["p95_ms"],
        "p99_ms": latency["p99_ms"],
        "errors": throughput["errors"] + latency["errors"],
        "non_2xx": throughput["non_2xx"] + latency["non_2xx"],
        "statuses": statuses,
    }


def verdict(case: Case, figures: dict) -> bool | None:
    if not case.budget:
        return None
    if figures["errors"] or figures["non_2xx"]:
        return False
    return all(
        figures["rps"] >= limit if key == "rps" else (figures[key] or float("inf")) <= limit
        for key, limit in case.budget.items()
    )


def emit(case: Case, figures: dict, floor: dict, **extra) -> None:
    def ratio(key: str) -> float | None:
        return round(figures[key] / floor[key], 3) if figures[key] and floor[key] else None

    rounded = {k: round(v, 2) if isinstance(v, float) else v for k, v in figures.items()}
    row = {"bench": BENCH, "case": case.name, "method": case.method, **rounded, **extra}
    row["floor_ratio"] = {key: ratio(key) for key in ("rps", "p50_ms", "p99_ms")}
    row["budget"] = case.budget or None
    row["met"] = verdict(case, figures)
    print(json.dumps(row, ensure_ascii=False), flush=True)


def main() -> None:
    args = parse_args()
    require_tools()
    url, drop_schema = database_url()
    try:
        bench(args, url)
    finally:
        drop_schema()


def bench(args, url: str | None) -> None:
    var_dir = setup_django(BENCH, database_url=url, tasks=None)
    from django.db import connections

    log(f"database: {os.environ['DATABASE_URL'].split('@')[-1]}; seeding the demo community …")
    world = prepare()
    all_cases = cases(world, args)
    only = set(filter(None, args.only.split(",")))
    if unknown := only - {c.name for c in all_cases}:
        sys.exit(f"unknown cases {sorted(unknown)}; known: {', '.join(c.name for c in all_cases)}")
    chosen = [c for c in all_cases if not only or c.name in only]
    queries = {c.name: (c.queries or (lambda c=c: client_queries(c)))() for c in chosen}
    connections.close_all()

    port, logs = free_port(), var_dir
    argv, env = serve_command(port)
    server = Server(argv, env, port, logs / "serve.log")
    server.wait_until_up(HEALTH)
    web = web_command(server)
    server.stop()  # the floor runs alone, as each case will
    log(f"web server: {' '.join(web)}")

    floor_port = free_port()
    floor_env = {**env, "PYTHONPATH": str(BENCH_DIR)}
    floor_case = Case("floor", "/", args.rate, expect="ok")
    floor_server = Server(
        floor_command(web, port, floor_port), floor_env, floor_port, logs / "floor.log", BENCH_DIR
    )
    try:
        floor_server.wait_until_up("/")
        check(floor_case, floor_port)
        log(f"floor: hello app on the same server, {args.duration:g} s wrk + {args.duration:g} s hey …")
        floor = measure(floor_case, floor_port, args, var_dir)
        # The floor's latency at each offered rate the cases use, so that ratios compare like with like.
        floors = {args.rate: floor}
        for rate in sorted({c.rate for c in chosen} - {args.rate}):
            floors[rate] = {**floor, **hey(Case("floor", "/", rate), floor_port, args.duration)}
    finally:
        floor_server.stop()
    database = connections["default"].vendor
    web_args = " ".join(web[1:])  # without the interpreter's path
    emit(floor_case, floor, floor, queries=0, load=os.getloadavg()[0], database=database, web=web_args)

    server = Server(argv, env, port, logs / "serve.log")
    try:
        server.wait_until_up(HEALTH)
        for case in chosen:
            check(case, port)
        for case in chosen:
            log(f"{case.name}: {case.method} {case.path} …")
            figures = measure(case, port, args, var_dir)
            emit(case, figures, floors[case.rate], queries=queries[case.name], load=os.getloadavg()[0])
    finally:
        server.stop()


if __name__ == "__main__":
    main()
