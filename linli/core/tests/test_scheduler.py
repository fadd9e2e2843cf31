"""The `@periodic` registry (linli.core.periodic) and the `linli scheduler` command.

Times are passed in explicitly, so "an hour later" needs no waiting.
"""

import signal
import subprocess
import sys
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from linli.core import periodic
from linli.core.models import PeriodicJob
from linli.core.tests.test_serve import WAIT_SECONDS, linli_env, var_dir, wait_for  # noqa: F401 (fixture)
from linli.testing.legs import sqlite_leg_only

HOUR = timedelta(hours=1)


@pytest.fixture
def register():
    """Registers jobs the way an app's periodic.py does, for the length of one test."""
    added = []

    def add(name, fn, **options):
        periodic.periodic(name=name, **options)(fn)
        added.append(name)
        return periodic.REGISTRY[name]

    yield add
    for name in added:
        periodic.REGISTRY.pop(name, None)


def test_it_runs_a_job_when_due_and_not_before(db, register):
    calls = []
    register("test.hourly", calls.append, every=HOUR)
    t0 = timezone.now()

    assert "test.hourly" in periodic.run_due(t0)  # a job never run before is due at once
    assert "test.hourly" not in periodic.run_due(t0 + HOUR - timedelta(seconds=1))
    assert "test.hourly" in periodic.run_due(t0 + HOUR)

    assert calls == [t0, t0 + HOUR]
    job = PeriodicJob.objects.get(name="test.hourly")
    assert (job.runs, job.last_status, job.next_run_at, job.locked_until) == (2, "ok", t0 + 2 * HOUR, None)


def test_it_lets_only_one_of_two_schedulers_claim_a_job(db, register):
    spec = register("test.contended", lambda now: None, every=HOUR)
    now = timezone.now()

    first = periodic.claim(spec, now, "scheduler-a")
    second = periodic.claim(spec, now, "scheduler-b")

    assert (first, second) == (True, False)
    assert PeriodicJob.objects.get(name="test.contended").locked_by == "scheduler-a"


def test_it_records_a_failing_job_and_still_runs_the_others(db, register):
    def fail(now):
        raise RuntimeError("meter gateway unreachable")

    calls = []
    register("test.failing", fail, every=HOUR)
    register("test.healthy", calls.append, every=HOUR)  # registered after, so it runs after
    now = timezone.now()

    ran = periodic.run_due(now)

    assert {"test.failing", "test.healthy"} <= set(ran)
    assert calls == [now]
    failed = PeriodicJob.objects.get(name="test.failing")
    assert failed.last_status == "error"
    assert "meter gateway unreachable" in failed.last_error
    # not stuck: unlocked and scheduled for its next period like any other run
    assert (failed.locked_until, failed.next_run_at) == (None, now + HOUR)
    assert PeriodicJob.objects.get(name="test.healthy").last_status == "ok"


def test_it_runs_a_job_again_once_a_crashed_runs_lease_expires(db, register):
    calls = []
    spec = register("test.crashy", calls.append, every=timedelta(minutes=1), lease=timedelta(minutes=10))
    t0 = timezone.now()
    assert periodic.claim(spec, t0, "scheduler-that-crashes")  # ...and never finishes the run

    assert "test.crashy" not in periodic.run_due(t0 + timedelta(minutes=9))  # lease still held
    assert "test.crashy" in periodic.run_due(t0 + timedelta(minutes=11))

    assert calls == [t0 + timedelta(minutes=11)]


def test_it_runs_due_jobs_once_from_the_command(db, register):
    calls = []
    register("test.command", calls.append, every=HOUR)

    call_command("scheduler", once=True)
    call_command("scheduler", once=True)

    assert len(calls) == 1


# A separate process that registers one job and runs a single scheduler pass: starting it
# twice is a restart, with a fresh registry and the same database.
RESTARTABLE = """
import sys
from datetime import timedelta

import django

django.setup()
from django.core.management import call_command

from linli.core.periodic import periodic


@periodic(every=timedelta(hours=1), name="test.restart")
def mark(now):
    with open(sys.argv[1], "a") as fh:
        fh.write(now.isoformat() + "\\n")


call_command("scheduler", once=True)
"""


@sqlite_leg_only("the restarted scheduler runs on the embedded default in both legs")
def test_it_keeps_the_schedule_across_a_restart(var_dir, tmp_path):  # noqa: F811 (fixture)
    marks = tmp_path / "marks"

    for _ in range(2):
        subprocess.run(
            [sys.executable, "-c", RESTARTABLE, str(marks)],
            env=linli_env(var_dir),
            check=True,
            capture_output=True,
            timeout=WAIT_SECONDS,
        )

    assert len(marks.read_text().splitlines()) == 1  # the second process knew it was not due yet


@sqlite_leg_only("the signalled scheduler runs on the embedded default in both legs")
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_it_stops_the_loop_cleanly_on_a_signal(var_dir, tmp_path, sig):  # noqa: F811 (fixture)
    log_path = tmp_path / "scheduler.log"
    with open(log_path, "wb") as log:
        scheduler = subprocess.Popen(
            [sys.executable, "-m", "linli", "scheduler", "--interval", "60"],
            env=linli_env(var_dir),
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        # logged once the signal handlers are in place
        wait_for(lambda: "running due jobs every" in log_path.read_text(), "the scheduler loop")

        scheduler.send_signal(sig)

        assert scheduler.wait(timeout=WAIT_SECONDS) == 0  # the 60 s sleep is cut short
    finally:
        if scheduler.poll() is None:
            scheduler.kill()
            scheduler.wait()
