"""Cluster benchmark: reads with 1 and 2 web processes, the same through nginx, and a backup
taken while linli serves reads and writes.

    make bench ONLY=cluster [ARGS="--quick"]
    DATABASE_URL=postgres://… .venv/bin/python bench/cluster.py [--duration 10] [--rounds 3]

The world is bench/api.py's: the demo community (`seed_demo`), bearer tokens of its owner, in a
throwaway SQLite database or, when DATABASE_URL names PostgreSQL, a schema of its own in that
database (dropped at the end). Every line says which engine it ran on.

- **Processes.** `linli serve` with LINLI_WEB_WORKERS=1, then =2 (alternating, `--rounds` times,
  each in a fresh server), loaded by wrk (one thread, `--connections`) with a mix of the three
  representative reads of bench/api.py — house detail, my passes, inbox page — cycled request by
  request. Figures: 2xx/s and wrk's p50/p99 at full speed (queueing included), then p50/p95/p99
  of house detail at a fixed offered rate (hey, `--rate`), under what one process serves.
  `ratio` is the median rps of 2 processes over that of 1.
- **nginx.** With 2 processes, the same load through nginx (a private minimal site: upstream
  keepalive, HTTP/1.1 to the upstream, one nginx worker, no access log), right after the same load
  direct, in the same server: `ratio` is nginx over direct.
- **Terminal polls.** With 2 processes, `--terminals` door terminals (32) each asking for its
  snapshot's delta since its current version (docs/terminals.md: every 3 s per terminal, nearly
  always nothing new), wrk cycling through them. `--polls-only` runs this alone.
- **Backup while serving.** With 2 processes, wrk runs a mix of reads and visitor-pass creations
  (one write in four) in back-to-back slices of `--slice` seconds; after a few slices `linli
  backup` runs in its own process (pg_dump, or SQLite's online backup API), then a few more
  slices. Every status of every slice that overlapped the backup is counted: the figure is the
  requests that were not 2xx plus socket errors (the budget is 0). Then `linli restore --check`
  decrypts and verifies the archive, and on SQLite `linli restore` into a fresh directory
  rebuilds the database, whose visitor passes are counted against the source's.

wrk (C, epoll) costs a few percent of a core at these rates; it shares the machine's cores with
the server, its task worker and scheduler, nginx and, on a local PostgreSQL, the database. The
load average before and after the run is printed: on a shared machine the figures move with it.
"""

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from _setup import log, setup_django
from api import (
    HEALTH,
    WRK_REPORT,
    Case,
    Server,
    cases,
    check,
    database_url,
    free_port,
    hey,
    lua_string,
    prepare,
    run_wrk,
    serve_command,
)

BENCH = "cluster"
READS = ("house_detail", "my_passes", "inbox")
WRITE = "create_pass"
PASSPHRASE = "bench-cluster-passphrase"
START_SECONDS = 300  # a server's start-up on a loaded 2-core machine took over a minute  # a throwaway archive of a throwaway database

# Minimal, private: what a proxy in front of linli needs for these figures (persistent upstream
# connections); TLS, static files and the event stream's settings are the production site's.
NGINX_CONF = """
worker_processes 1;
daemon off;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log warn;
events {{ worker_connections 4096; }}
http {{
    access_log off;
    client_body_temp_path {prefix}/body;
    proxy_temp_path {prefix}/proxy;
    fastcgi_temp_path {prefix}/fastcgi;
    uwsgi_temp_path {prefix}/uwsgi;
    scgi_temp_path {prefix}/scgi;
    upstream linli {{
        server 127.0.0.1:{upstream};
        keepalive 64;
    }}
    server {{
        listen 127.0.0.1:{port};
        location / {{
            proxy_pass http://linli;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto $scheme;
        }}
    }}
}}
"""


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=10.0, help="seconds of each wrk and hey run")
    parser.add_argument("--rounds", type=int, default=3, help="servers started per process count")
    parser.add_argument("--connections", type=int, default=32, help="wrk connections (one thread)")
    parser.add_argument("--rate", type=float, default=200.0, help="offered house details/s for latency")
    parser.add_argument("--slice", type=float, default=1.0, help="seconds of each wrk slice (backup)")
    parser.add_argument("--no-nginx", action="store_true", help="skip the runs through nginx")
    parser.add_argument("--terminals", type=int, default=32, help="terminals polling (wrk cycles them)")
    parser.add_argument("--polls-only", action="store_true", help="only the terminal polls")
    parser.add_argument("--quick", action="store_true", help="3 s runs, one round: a smoke check")
    args = parser.parse_args()
    if args.quick:
        args.duration, args.rounds = 3.0, 1
    # bench/api.py's cases read these; only the reads and the write are used here.
    args.write_rate = args.page_rate = args.rate
    return args


def emit(**row) -> None:
    rounded = {k: round(v, 2) if isinstance(v, float) else v for k, v in row.items()}
    print(json.dumps({"bench": BENCH, **rounded}, ensure_ascii=False), flush=True)


def mix_script(cases: list[Case], directory: Path, name: str) -> Path:
    """A wrk script cycling through the cases' requests, one after the other. They are built on
    the first call: wrk.format needs wrk.host, which is set after the script is loaded."""
    lines = ["local requests = {}", "local function build()"]
    for case in cases:
        headers = ", ".join(f"[{lua_string(k)}] = {lua_string(v)}" for k, v in case.headers.items())
        body = lua_string(case.body) if case.body else "nil"
        lines.append(
            f"  table.insert(requests, wrk.format({lua_string(case.method)}, {lua_string(case.path)}, "
            f"{{{headers}}}, {body}))"
        )
    lines += [
        "end",
        "local next = 0",
        "function request()",
        "  if #requests == 0 then build() end",
        "  next = next % #requests + 1",
        "  return requests[next]",
        "end",
    ]
    script = directory / f"{name}.lua"
    script.write_text("\n".join(lines) + WRK_REPORT)
    return script


def web_server(workers: int, logs: Path) -> Server:
    port = free_port()
    argv, env = serve_command(port)
    env["LINLI_WEB_WORKERS"] = str(workers)
    server = Server(argv, env, port, logs / f"serve-{workers}.log")
    server.wait_until_up(HEALTH, timeout=START_SECONDS)
    return server


def ready(port: int, cases: list[Case]) -> None:
    """Each case answers as expected; a fresh worker on a loaded machine may first time out."""
    for case in cases:
        for attempt in range(3):
            try:
                check(case, port)
                break
            except TimeoutError:
                log(f"{case.name}: timed out on a fresh server (attempt {attempt + 1}); again")
        else:
            sys.exit(f"{case.name}: no answer in 3 tries")


class Nginx:
    """nginx in the foreground with the private site above, its files in a temporary prefix."""

    def __init__(self, upstream: int, directory: Path):
        self.prefix = directory / "nginx"
        self.prefix.mkdir(exist_ok=True)
        self.port = free_port()
        conf = self.prefix / "nginx.conf"
        conf.write_text(NGINX_CONF.format(prefix=self.prefix, upstream=upstream, port=self.port))
        nginx = shutil.which("nginx") or "/usr/sbin/nginx"
        self.server = Server([nginx, "-p", str(self.prefix), "-c", str(conf)], dict(os.environ), self.port,
                             self.prefix / "stdout.log")  # fmt: skip

    def __enter__(self) -> "Nginx":
        self.server.wait_until_up(HEALTH, timeout=START_SECONDS)
        return self

    def __exit__(self, *exc) -> None:
        self.server.stop()


def nginx_available(args) -> bool:
    if args.no_nginx:
        return False
    if shutil.which("nginx") or Path("/usr/sbin/nginx").exists():
        return True
    log("nginx is not installed (apt-get install -y nginx): the runs through nginx are skipped")
    return False


def load(port: int, script: Path, args) -> dict:
    run_wrk(script, f"http://127.0.0.1:{port}/", min(2.0, args.duration), args.connections, threads=1)
    return run_wrk(script, f"http://127.0.0.1:{port}/", args.duration, args.connections, threads=1)


def latency(port: int, case: Case, args) -> dict:
    fixed = hey(Case(case.name, case.path, args.rate, headers=case.headers), port, args.duration)
    return {f"fixed_{k}": v for k, v in fixed.items() if k in ("achieved", "p50_ms", "p95_ms", "p99_ms")} | {
        "fixed_failed": fixed["errors"] + fixed["non_2xx"]
    }


def measure(port: int, script: Path, reads: list[Case], args) -> dict:
    figures = load(port, script, args)
    fixed = latency(port, reads[0], args)
    failed = figures["errors"] + figures["non_2xx"] + fixed.pop("fixed_failed")
    keep = ("rps", "p50_ms", "p99_ms", "requests")
    return {k: figures[k] for k in keep} | fixed | {"failed": failed, "load": os.getloadavg()[0]}


def processes(reads: list[Case], args, var_dir: Path, database: str, nginx: bool) -> None:
    script = mix_script(reads, var_dir, "reads")
    rps: dict[str, list[float]] = {"1": [], "2": [], "2+nginx": []}
    for round_ in range(1, args.rounds + 1):
        for workers in (1, 2):
            server = web_server(workers, var_dir)
            try:
                ready(server.port, reads)
                log(f"round {round_}: {workers} web process(es), direct …")
                figures = measure(server.port, script, reads, args)
                rps[str(workers)].append(figures["rps"])
                emit(case="reads", database=database, workers=workers, via="direct", round=round_, **figures)
                if nginx and workers == 2:
                    with Nginx(server.port, var_dir) as proxy:
                        log(f"round {round_}: {workers} web processes through nginx …")
                        figures = measure(proxy.port, script, reads, args)
                    rps["2+nginx"].append(figures["rps"])
                    emit(case="reads", database=database, workers=2, via="nginx", round=round_, **figures)
            finally:
                server.stop()
    median = {key: statistics.median(values) for key, values in rps.items() if values}
    emit(case="reads_ratio", database=database, metric="rps 2 processes / 1 process",
         value=median["2"] / median["1"], rps_1=median["1"], rps_2=median["2"], rounds=args.rounds)  # fmt: skip
    if "2+nginx" in median:
        emit(case="nginx_ratio", database=database, metric="rps through nginx / direct, 2 processes",
             value=median["2+nginx"] / median["2"], rps_direct=median["2"], rps_nginx=median["2+nginx"])  # fmt: skip


def terminal_polls(polls: list[Case], args, var_dir: Path, database: str) -> None:
    """The request an operator's fleet makes most: every terminal asks for its snapshot's delta
    every few seconds (docs/terminals.md), nearly always with nothing new."""
    script = mix_script(polls, var_dir, "terminal_poll")
    server = web_server(2, var_dir)
    try:
        ready(server.port, polls[:1])
        log("terminal polls, nothing changed, 2 web processes …")
        figures = load(server.port, script, args)
    finally:
        server.stop()
    cpus = os.cpu_count() or 1
    emit(case="terminal_poll", database=database, workers=2, terminals=len(polls), rps=figures["rps"], p50_ms=figures["p50_ms"],
         p99_ms=figures["p99_ms"], failed=figures["errors"] + figures["non_2xx"],
         cpu_ms_per_poll=cpus * 1000 / figures["rps"], load=os.getloadavg()[0])  # fmt: skip


class Slices(threading.Thread):
    """wrk in back-to-back slices until stopped: each slice's start, end and figures."""

    def __init__(self, port: int, script: Path, args):
        super().__init__(daemon=True)
        self.port, self.script, self.args = port, script, args
        self.done: list[tuple[float, float, dict]] = []
        self.stopping = threading.Event()

    def run(self) -> None:
        while not self.stopping.is_set():
            start = time.monotonic()
            figures = run_wrk(self.script, f"http://127.0.0.1:{self.port}/", self.args.slice,
                              self.args.connections, threads=1)  # fmt: skip
            self.done.append((start, time.monotonic(), figures))

    def wait_slices(self, n: int) -> None:
        target = len(self.done) + n
        while len(self.done) < target:
            time.sleep(0.05)


def linli(*argv: str, env: dict[str, str]) -> tuple[float, str]:
    """`python -m linli …` in its own process: (seconds, output); a failure ends the bench."""
    start = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "linli", *argv], env=env, capture_output=True, text=True)
    if done.returncode:
        sys.exit(f"linli {argv[0]} failed ({done.returncode}): {done.stderr[-2000:]}")
    return time.monotonic() - start, done.stdout


def summed(slices: list[tuple[float, float, dict]]) -> dict:
    statuses: dict[str, int] = {}
    for _start, _end, figures in slices:
        for status, n in figures["statuses"].items():
            statuses[status] = statuses.get(status, 0) + n
    seconds = sum(end - start for start, end, _ in slices)
    return {
        "requests": sum(f["requests"] for _s, _e, f in slices),
        "failed": sum(f["errors"] + f["non_2xx"] for _s, _e, f in slices),
        "rps": sum(f["rps"] * (end - start) for start, end, f in slices) / seconds if seconds else 0.0,
        "statuses": statuses,
    }


def backup_while_serving(reads: list[Case], write: Case, args, var_dir: Path, database: str) -> None:
    script = mix_script([*reads, write], var_dir, "reads_and_writes")
    archives = var_dir / "backups"
    env = {**os.environ, "LINLI_BACKUP_PASSPHRASE": PASSPHRASE}
    server = web_server(2, var_dir)
    try:
        ready(server.port, [write])
        slices = Slices(server.port, script, args)
        slices.start()
        slices.wait_slices(3)
        log("backup while serving reads and writes …")
        started = time.monotonic()
        seconds, _out = linli("backup", "--to", str(archives), env=env)
        ended = time.monotonic()
        slices.wait_slices(3)
        slices.stopping.set()
        slices.join()
    finally:
        server.stop()
    during = [s for s in slices.done if s[0] < ended and s[1] > started]
    others = [s for s in slices.done if s not in during]
    archive = next(archives.glob("*.linlibackup"))
    emit(case="backup_while_serving", database=database, workers=2, backup_s=seconds,
         archive_bytes=archive.stat().st_size, during=summed(during), outside=summed(others),
         writes_share=0.25, load=os.getloadavg()[0])  # fmt: skip
    check_s, _out = linli("restore", "--check", str(archive), env=env)
    emit(case="restore_check", database=database, seconds=check_s)
    if database == "sqlite":
        restore_sqlite(archive, env, database)


def restore_sqlite(archive: Path, env: dict[str, str], database: str) -> None:
    """The archive rebuilt on "a new machine": a fresh directory, its own first key ring."""
    from linli.access.models import VisitorPass

    source_passes = VisitorPass.objects.count()
    fresh = Path(tempfile.mkdtemp(prefix="linli-bench-cluster-restore-"))
    try:
        target = {**env, "LINLI_VAR_DIR": str(fresh), "DATABASE_URL": f"sqlite:///{fresh / 'linli.sqlite3'}"}
        seconds, _out = linli("restore", str(archive), env=target)
        script = "from linli.access.models import VisitorPass; print(VisitorPass.objects.count())"
        _s, out = linli("shell", "-c", script, env=target)  # its last line: shell first names its imports
        emit(case="restore", database=database, seconds=seconds, passes_restored=int(out.split()[-1]),
             passes_now=source_passes, note="passes_now includes those created after the backup")  # fmt: skip
    finally:
        shutil.rmtree(fresh, ignore_errors=True)


def terminal_poll_cases(world: dict, args) -> list[Case]:
    """`--terminals` terminals at the bench's gate, each asking for its delta since its current
    version: wrk cycles through them, as a fleet's polls arrive from distinct terminals (one
    terminal's polls would queue on its own row, which each poll updates)."""
    from linli.access import services as access
    from linli.accounts.models import User

    admin = User.objects.get(username="admin")
    polls = []
    for i in range(args.terminals):
        terminal, secret = access.do_register_terminal(
            actor=admin, point=world["terminal"].point, name=f"轮询{i}"
        )
        version = access.do_sync_terminal(terminal=terminal, since=0)["version"]
        path = f"/api/v1/terminals/me/snapshot?since={version}"
        polls.append(
            Case(
                f"poll{i}", path, args.rate, headers={"Authorization": f"Bearer {secret}"}, expect="snapshot"
            )
        )
    return polls


def main() -> None:
    args = parse_args()
    missing = [tool for tool in ("wrk", "hey") if shutil.which(tool) is None]
    if missing:
        log(f"bench/cluster.py needs {', '.join(missing)}: apt-get install -y {' '.join(missing)}")
        sys.exit(2)
    url, drop_schema = database_url()
    try:
        bench(args, url)
    finally:
        drop_schema()


def bench(args, url: str | None) -> None:
    var_dir = setup_django(BENCH, database_url=url, tasks=None)
    from django.db import connections

    database = connections["default"].vendor
    log(f"database: {database}; seeding the demo community …")
    world = prepare()
    by_name = {case.name: case for case in cases(world, args)}
    reads, write = [by_name[name] for name in READS], by_name[WRITE]
    polls = terminal_poll_cases(world, args)
    connections.close_all()
    emit(case="machine", cpus=os.cpu_count(), load_before=list(os.getloadavg()), database=database,
         load_generator="wrk -t1 (mix: one request of each read in turn), hey for the fixed rate")  # fmt: skip
    if not args.polls_only:
        processes(reads, args, var_dir, database, nginx_available(args))
    terminal_polls(polls, args, var_dir, database)
    if not args.polls_only:
        backup_while_serving(reads, write, args, var_dir, database)
    emit(case="machine", load_after=list(os.getloadavg()))


if __name__ == "__main__":
    main()
