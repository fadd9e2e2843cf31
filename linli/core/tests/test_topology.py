"""Many processes on one database, as an operator runs them (docs/install.md's units): two web
servers, two task workers and two schedulers, real subprocesses started with production's
commands, against the test database. What runs once runs once, both web servers stream every
event in the same order, limits and one-time passes hold across them; and when a process is
killed with SIGKILL the others carry on as docs/operations.md ("Running several processes") says.

Both legs: SQLite in WAL mode takes several processes too (decision 0001).
"""

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from linli.accounts.services import do_issue_token
from linli.core.management.commands.serve import SCHEDULER_ARGS, web_command
from linli.core.models import OutboxEvent, PeriodicJob
from linli.core.processes import DB_WORKER
from linli.core.tests import topology_procs as procs
from linli.testing import access as access_testing
from linli.testing.servers import database_url, free_port

pytestmark = pytest.mark.django_db(transaction=True)

ROOT = Path(__file__).resolve().parents[3]
WAIT_SECONDS = 60  # for anything the processes do; only reached when something is wrong


def wait_for(condition, what: str):
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        if result := condition():
            return result
        time.sleep(0.05)
    pytest.fail(f"gave up after {WAIT_SECONDS}s waiting for {what}")


class Process:
    """One part, in its own process group (a web server has a worker process of its own), so that
    SIGKILL takes all of it, as the OOM killer or a pulled plug would."""

    def __init__(self, name: str, argv: list[str], env: dict, log_dir: Path):
        self.name = name
        self.log = open(log_dir / f"{name}.log", "wb")
        self.proc = subprocess.Popen(
            argv, cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT, process_group=0
        )

    @property
    def pid(self) -> int:
        return self.proc.pid

    def kill(self) -> None:
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.proc.wait(30)

    def terminate(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)

    def stop(self) -> None:
        """After `terminate`: waits for the process to end, else kills it."""
        try:
            self.proc.wait(15)
        except subprocess.TimeoutExpired:
            self.kill()
        self.log.close()


def stop_all(processes: list[Process]) -> None:
    """All at once: each takes a few seconds to stop, and the test waits for the slowest only."""
    for process in processes:
        process.terminate()
    for process in processes:
        process.stop()


class Web(Process):
    def __init__(self, name: str, env: dict, log_dir: Path):
        self.port = free_port()
        super().__init__(name, web_command("127.0.0.1", self.port, 1), env, log_dir)

    def listening(self) -> bool:
        assert self.proc.poll() is None, f"{self.name} exited"
        with socket.socket() as sock:
            return sock.connect_ex(("127.0.0.1", self.port)) == 0

    def post(self, path: str, body: dict, token: str = "") -> tuple[int, dict]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        headers = {"Content-Type": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        try:
            conn.request("POST", f"/api/v1{path}", json.dumps(body), headers)
            response = conn.getresponse()
            return response.status, json.loads(response.read() or b"{}")
        finally:
            conn.close()


class Stream(threading.Thread):
    """A client of GET /events/stream, read in the background as an EventSource does."""

    def __init__(self, web: Web, token: str, last_event_id: int | None = None):
        super().__init__(daemon=True)
        self.conn = http.client.HTTPConnection("127.0.0.1", web.port, timeout=60)
        self.headers = {"Authorization": f"Bearer {token}"}
        if last_event_id is not None:
            self.headers["Last-Event-ID"] = str(last_event_id)
        self.frames: list[dict] = []
        self.start()

    def run(self):
        try:
            self.conn.request("GET", "/events/stream", headers=self.headers)
            response = self.conn.getresponse()
            fields: dict = {}
            while line := response.readline():
                name, _sep, value = line.decode().rstrip("\n").partition(": ")
                if name:
                    fields[name] = value
                elif fields:
                    self.frames.append(fields)
                    fields = {}
        except (OSError, http.client.HTTPException):
            pass  # the server went away, or the test hung up

    def ready(self) -> int | None:
        found = [int(f["id"]) for f in self.frames if f.get("event") == "ready"]
        return found[0] if found else None

    def ids(self) -> list[int]:
        return [int(f["id"]) for f in self.frames if "id" in f and f.get("event") not in (None, "ready")]

    def close(self) -> None:
        try:
            self.conn.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.join(10)


@pytest.fixture
def topology(transactional_db, tmp_path, settings):
    """Two of each part, on the test database; every process is stopped however the test ends."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}  # what the workers read
    marks = tmp_path / "marks"
    marks.mkdir()
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "LINLI_TASKS_BACKEND": "database",
        "LINLI_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "LINLI_TOPOLOGY_DIR": str(marks),
        "LINLI_SSE_HEARTBEAT_SECONDS": "1",
        "PYTHONPATH": str(ROOT),
    }
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    # The slow job waits until the test makes it due.
    PeriodicJob.objects.create(name=procs.SLOW_JOB, next_run_at=timezone.now() + timedelta(days=1))
    worker = [sys.executable, "-m", "linli", *DB_WORKER]
    scheduler = [sys.executable, "-m", procs.__name__, *SCHEDULER_ARGS, "--interval", "1"]
    parts: dict[str, Process] = {}
    try:
        for name in ("web1", "web2"):
            parts[name] = Web(name, env, tmp_path)
        for name, argv in (
            ("worker1", worker),
            ("worker2", worker),
            ("scheduler1", scheduler),
            ("scheduler2", scheduler),
        ):
            parts[name] = Process(name, argv, env, tmp_path)
        wait_for(lambda: all(p.listening() for p in parts.values() if isinstance(p, Web)), "the web servers")
        yield parts, marks
    finally:
        stop_all(list(parts.values()))


def scan_at_once(webs: list[Web], terminal_token: str, pass_token: str) -> list[dict]:
    """The same pass shown at a gate of each web server at the same moment."""
    start = threading.Barrier(len(webs))
    answers: list[dict] = [{} for _ in webs]

    def scan(index: int, web: Web):
        start.wait(10)
        answers[index] = web.post("/access/decide", {"method": "qr", "qr": pass_token}, terminal_token)[1]

    threads = [threading.Thread(target=scan, args=(i, web)) for i, web in enumerate(webs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return answers


def test_two_of_each_part_on_one_database(world, topology):
    parts, marks = topology
    web1, web2 = parts["web1"], parts["web2"]
    site = access_testing.install(world)
    gate = site.token("gate")
    owner = do_issue_token(actor=world.owner, name="topology").raw
    OutboxEvent.objects.create(topic="tests.topology.start", payload={})  # the streams' starting point

    # Both web servers stream the owner's events, each from its own reader of the outbox.
    streams = [Stream(web1, owner), Stream(web2, owner)]
    wait_for(lambda: all(s.ready() is not None for s in streams), "both streams to start")

    # Tasks: each runs once, whichever of the two workers takes it.
    for key in range(20):
        procs.record_run.enqueue(str(key))

    # A one-time pass shown at both servers at once opens the gate once; each use tells its host.
    verdicts = []
    for visitor in ("张快递", "李外卖", "王维修"):
        status, issued = web1.post(
            f"/access/houses/{world.house.id}/passes", {"visitor_name": visitor, "max_uses": 1}, owner
        )
        assert status == 201, issued
        answers = scan_at_once([web1, web2], gate, issued["token"])
        verdicts.append(sorted((a["allow"], "" if a["allow"] else a["reason"]) for a in answers))
    assert verdicts == [[(False, "pass_used_up"), (True, "")]] * 3

    # A rate limit holds across the servers: one code a minute per phone, whichever server is asked.
    answers = [web.post("/auth/sms-code", {"phone": "13800138999"})[0] for web in (web1, web2, web1, web2)]
    assert sorted(answers) == [202, 429, 429, 429]

    wait_for(lambda: all(procs.marks(marks, f"task-{key}.done") for key in range(20)), "the tasks")
    wait_for(lambda: not DBTaskResult.objects.filter(status__in=["READY", "RUNNING"]).exists(), "the queue")
    assert all(len(procs.marks(marks, f"task-{key}.started")) == 1 for key in range(20))
    assert {pid for key in range(20) for pid in procs.marks(marks, f"task-{key}.done")} <= {
        parts["worker1"].pid,
        parts["worker2"].pid,
    }

    # Every event for the owner (the visitors' arrivals, told by the workers) reaches both
    # streams, in id order.
    mine = list(
        OutboxEvent.objects.filter(user_id=world.owner.id, id__gt=streams[0].ready()).values_list(
            "id", flat=True
        )
    )
    assert len(mine) >= 3  # a 访客已到达 message per visitor
    wait_for(lambda: all(set(mine) <= set(s.ids()) for s in streams), "the events on both streams")
    assert streams[0].ids() == streams[1].ids() == sorted(mine)

    # --- faults -----------------------------------------------------------------------------
    # A web server dies: its stream's client reconnects to the other with Last-Event-ID and
    # misses nothing published meanwhile.
    web1.kill()
    streams[0].close()
    last_seen = streams[0].ids()[-1]
    status, issued = web2.post(
        f"/access/houses/{world.house.id}/passes", {"visitor_name": "赵保洁", "max_uses": 1}, owner
    )
    assert status == 201
    assert web2.post("/access/decide", {"method": "qr", "qr": issued["token"]}, gate)[1]["allow"] is True
    resumed = Stream(web2, owner, last_event_id=last_seen)
    mine = list(
        OutboxEvent.objects.filter(user_id=world.owner.id, id__gt=last_seen).values_list("id", flat=True)
    )
    wait_for(lambda: set(mine) <= set(resumed.ids()), "the resumed stream to catch up")
    assert resumed.ids() == sorted(mine)

    # A worker dies in the middle of a task: the task stays RUNNING (django-tasks-db never takes
    # it back); the other worker goes on with new tasks; re-queued, the task runs to its end.
    enqueued = procs.record_run.enqueue("stalled", stall=True)
    [stalled_in] = wait_for(lambda: procs.marks(marks, "task-stalled.started"), "the stalling task")
    victim = next(p for p in (parts["worker1"], parts["worker2"]) if p.pid == stalled_in)
    victim.kill()
    procs.record_run.enqueue("after")
    wait_for(lambda: procs.marks(marks, "task-after.done"), "the surviving worker")
    stalled = DBTaskResult.objects.get(pk=enqueued.id)
    assert stalled.status == TaskResultStatus.RUNNING
    # What docs/operations.md tells the operator to do once no worker runs it.
    DBTaskResult.objects.filter(pk=stalled.pk, status=TaskResultStatus.RUNNING).update(
        status=TaskResultStatus.READY
    )
    wait_for(lambda: procs.marks(marks, "task-stalled.done"), "the re-queued task")
    assert procs.marks(marks, "task-stalled.started") == [
        stalled_in,
        *procs.marks(marks, "task-stalled.done"),
    ]

    # A scheduler dies in the middle of a job: once the job's lease has passed, the other
    # scheduler runs it. A job due once ran once, on one of the two.
    PeriodicJob.objects.filter(name=procs.SLOW_JOB).update(next_run_at=timezone.now())
    [slow_in] = wait_for(lambda: procs.marks(marks, "job-slow.started"), "the slow job")
    killed = next(p for p in (parts["scheduler1"], parts["scheduler2"]) if p.pid == slow_in)
    killed.kill()
    [finished_in] = wait_for(
        lambda: procs.marks(marks, "job-slow.done"), "the other scheduler to run the job"
    )
    survivor = ({parts["scheduler1"].pid, parts["scheduler2"].pid} - {slow_in}).pop()
    assert finished_in == survivor
    job = PeriodicJob.objects.get(name=procs.SLOW_JOB)
    assert (job.runs, job.last_status) == (1, "ok")
    assert len(procs.marks(marks, "job-once.done")) == 1
    assert PeriodicJob.objects.get(name=procs.ONCE_JOB).runs == 1

    for stream in (*streams, resumed):
        stream.close()
