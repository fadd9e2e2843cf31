"""`linli serve`: the whole platform from one command — web server, task worker and scheduler.

A small supervisor rather than a dependency (supervisord, honcho): it starts each part as a
child process in its own process group, so a terminal's Ctrl-C reaches only the supervisor,
which then stops the children once and in order instead of them racing their own shutdowns.
A child that dies unexpectedly is restarted with exponential backoff; one that keeps dying
(more than RESTARTS_PER_MINUTE) stops everything with exit code 1 so a service manager notices.
"""

import ctypes
import hashlib
import logging
import os
import resource
import signal
import socket
import subprocess
import sys
import time
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.staticfiles import finders
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connections

from linli.core import processes

log = logging.getLogger("linli.serve")

RESTARTS_PER_MINUTE = 5
STOP_GRACE_SECONDS = 20
TICK_SECONDS = 0.2
STATIC_STAMP = ".linli-collected"
WEB_MAX_OPEN_PER_PROCESS = 20000


@dataclass
class Child:
    name: str
    argv: list[str]
    proc: subprocess.Popen | None = None
    restart_at: float = 0.0
    restarts: list[float] = field(default_factory=list)  # monotonic times of recent restarts


def _die_with_parent_hook():
    """On Linux, children get SIGTERM when the supervisor dies, even by SIGKILL: no orphans."""
    if not sys.platform.startswith("linux"):
        return None
    prctl = ctypes.CDLL(None, use_errno=True).prctl  # resolved before fork: async-signal safety
    pr_set_pdeathsig = 1
    return lambda: prctl(pr_set_pdeathsig, signal.SIGTERM)


class Supervisor:
    def __init__(self, children: list[Child], on_ready):
        self.children = children
        self.on_ready = on_ready
        self.stop_signals = 0
        self.gave_up = False
        self.preexec = _die_with_parent_hook()

    def request_stop(self, signum, frame):
        self.stop_signals += 1
        log.info("serve: %s received, stopping", signal.Signals(signum).name)

    def run(self) -> int:
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, self.request_stop)
        for child in self.children:
            self._start(child)
        announced = False
        while not self.stop_signals and not self.gave_up:
            now = time.monotonic()
            for child in self.children:
                if child.proc is not None and child.proc.poll() is not None:
                    self._schedule_restart(child, child.proc.returncode, now)
                elif child.proc is None and not self.gave_up and now >= child.restart_at:
                    self._start(child)
            if not announced:
                announced = self.on_ready()
            time.sleep(TICK_SECONDS)
        self._stop_all()
        return 1 if self.gave_up else 0

    def _start(self, child: Child) -> None:
        child.proc = subprocess.Popen(child.argv, process_group=0, preexec_fn=self.preexec)
        log.info("serve: started %s (pid %s)", child.name, child.proc.pid)

    def _schedule_restart(self, child: Child, code: int | None, now: float) -> None:
        child.proc = None
        child.restarts = [t for t in child.restarts if now - t < 60]
        if len(child.restarts) >= RESTARTS_PER_MINUTE:
            log.error(
                "serve: %s exited (code %s), restarted %s times within a minute; giving up",
                child.name,
                code,
                len(child.restarts),
            )
            self.gave_up = True
            return
        delay = 2 ** len(child.restarts)
        child.restarts.append(now)
        child.restart_at = now + delay
        log.warning("serve: %s exited unexpectedly (code %s); restarting in %ss", child.name, code, delay)

    def _stop_all(self) -> None:
        running = [(c, c.proc) for c in self.children if c.proc is not None and c.proc.poll() is None]
        for _child, proc in running:
            _signal_group(proc, signal.SIGTERM)
        deadline = time.monotonic() + STOP_GRACE_SECONDS
        killed = False
        while alive := [(c, proc) for c, proc in running if proc.poll() is None]:
            # A second Ctrl-C means "now".
            if not killed and (time.monotonic() > deadline or self.stop_signals > 1):
                for child, proc in alive:
                    log.warning("serve: killing %s (pid %s)", child.name, proc.pid)
                    _signal_group(proc, signal.SIGKILL)
                killed = True
            time.sleep(TICK_SECONDS)
        for child, proc in running:
            log.info("serve: %s stopped (code %s)", child.name, proc.returncode)


def _signal_group(proc: subprocess.Popen, sig: int) -> None:
    """Signal the child's whole group: the web server and a worker have children of their own."""
    try:
        os.killpg(proc.pid, sig)
    except ProcessLookupError:
        pass  # exited between the poll and the signal


def _static_fingerprint() -> str:
    entries = []
    for finder in finders.get_finders():
        for path, storage in finder.list([]):
            stat = os.stat(storage.path(path))
            entries.append(f"{path}\0{stat.st_size}\0{stat.st_mtime_ns}")
    return hashlib.sha256("\n".join(sorted(entries)).encode()).hexdigest()


def collect_static_if_changed() -> None:
    stamp = settings.STATIC_ROOT / STATIC_STAMP
    fingerprint = _static_fingerprint()
    if stamp.exists() and stamp.read_text() == fingerprint:
        return
    log.info("serve: collecting static files into %s", settings.STATIC_ROOT)
    call_command("collectstatic", interactive=False, verbosity=0)
    stamp.write_text(fingerprint)


def _check_port_free(host: str, port: int) -> None:
    """Fail now with a clear message rather than after a minute of web server restarts."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError as exc:
            raise CommandError(f"cannot listen on {host}:{port} ({exc.strerror}); try --port") from exc


def _port_open(host: str, port: int) -> bool:
    try:
        socket.create_connection((host, port), timeout=0.2).close()
    except OSError:
        return False
    return True


def _demo() -> tuple[list[dict], list[tuple[str, str]]]:
    """The demo accounts and the pages to look at first, if this installation has them:
    production ones have none to print."""
    if not apps.is_installed("linli.demo"):
        return [], []  # the demo seeder is optional; production installs may leave it out
    demo: Any = apps.get_app_config("demo")  # linli.demo.apps.DemoConfig
    try:
        rows = demo.logins()
        seeded = get_user_model().objects.filter(username__in=[row["login"] for row in rows]).exists()
        pages = demo.pages() if seeded else []
    finally:
        connections.close_all()  # the supervisor must not hold a database connection for days
    return (rows, pages) if seeded else ([], [])


def export_address(host: str, port: int) -> None:
    """The children read settings afresh: hand them the address actually served, so that the
    public URL (pass issuers, share links, CSRF origin) follows `--port` as it follows LINLI_PORT."""
    os.environ["LINLI_HOST"] = host
    os.environ["LINLI_PORT"] = str(port)


def web_command(host: str, port: int, workers: int, app: str = "linli.asgi:application") -> list[str]:
    """granian running linli.asgi (docs/decisions/0005-serving.md): one process per core, each
    with its event loop for the streams and its thread pool for the views."""
    return [
        *[sys.executable, "-m", "granian", "--interface", "asginl", app],
        *["--host", host, "--port", str(port), "--workers", str(workers), "--no-ws"],
        # A client must finish its headers in time (slowloris); bodies have their own deadline
        # in linli.core.edge.
        *["--http1-header-read-timeout", str(int(settings.LINLI_HEADER_TIMEOUT_SECONDS * 1000))],
        # Open event streams count as requests in flight: let thousands of them in per process;
        # linli.core.edge refuses the excess of the other requests with 503.
        *["--backlog", "2048", "--backpressure", str(WEB_MAX_OPEN_PER_PROCESS)],
        # Streams never end by themselves: give open connections 5 s on shutdown.
        *["--workers-kill-timeout", "5", "--log-level", "warning"],
    ]


# The scheduler's arguments to `linli` (deploy/systemd runs the same); the workers' are
# linli.core.processes.task_workers().
SCHEDULER_ARGS = ("scheduler",)


def _children(host: str, port: int, url: str) -> list[Child]:
    linli = [sys.executable, "-m", "linli"]
    workers = int(os.environ.get("LINLI_WEB_WORKERS") or os.cpu_count() or 1)
    return [
        Child("web", web_command(host, port, workers)),
        *[Child(name, [*linli, *argv]) for name, argv in processes.task_workers()],
        Child("scheduler", [*linli, *SCHEDULER_ARGS]),
        *[Child(name, [*linli, *argv]) for name, argv in processes.wanted(url)],
    ]


def raise_open_files_limit() -> None:
    """Each open connection is a file descriptor; many systems start processes at 1,024 while
    allowing far more. The children inherit the raised limit."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = hard if hard != resource.RLIM_INFINITY else max(soft, 65536)
    if soft < wanted:
        resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))


class Command(BaseCommand):
    help = "Serve the platform: web server (granian), task worker and scheduler, supervised."

    def add_arguments(self, parser):
        parser.add_argument("--host", default=os.environ.get("LINLI_HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("LINLI_PORT", "8000")))

    def handle(self, *, host: str, port: int, **options):
        _check_port_free(host, port)
        export_address(host, port)
        raise_open_files_limit()
        collect_static_if_changed()
        local = "127.0.0.1" if host in ("0.0.0.0", "::") else host
        url = f"http://{f'[{local}]' if ':' in local else local}:{port}"

        def announce_when_ready() -> bool:
            if not _port_open(local, port):
                return False
            self._banner(url)
            return True

        code = Supervisor(_children(host, port, url), announce_when_ready).run()
        if code:
            raise CommandError("a part of linli kept failing; see the log above", returncode=code)

    def _banner(self, url: str) -> None:
        lines = ["", f"邻里 linli 已启动: {url}", f"  接口文档 (API docs): {url}/api/v1/docs"]
        logins, pages = _demo()
        if pages:
            lines.append("  演示页面 (demo pages):")
            lines += [f"    {label}: {url}{path}" for label, path in pages]
        if logins:
            lines.append("  演示账号 (demo logins):")
            by_community: dict[str, list[dict]] = {}
            for row in logins:
                by_community.setdefault(row["community"], []).append(row)
            width = max(_cells(row["role"]) for row in logins)
            for community, rows in by_community.items():
                lines.append(f"    {community or '平台 (platform)'}")
                lines += [f"      {_pad(r['role'], width)}  {r['login']:<14} {r['password']}" for r in rows]
        lines += ["  按 Ctrl-C 停止 (press Ctrl-C to stop)", ""]
        self.stdout.write("\n".join(lines))


def _cells(text: str) -> int:
    """Terminal width of text: CJK characters take two cells."""
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _cells(text))
