"""The Redis task queue (LINLI_TASKS_BACKEND=redis) with a real redis-server and real RQ workers:
a paid notice goes through Redis and is delivered once; `linli worker` runs the Redis queue, and
with Redis stopped under it the next task waits in the database queue (an error in the log) and
the database worker beside the RQ worker delivers it; health and /metrics report Redis and its
queue."""

import logging
import os
import signal
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pytest
from django.db import connection
from django_tasks_db.models import DBTaskResult
from django_tasks_rq.backend import Job
from redis import Redis
from rq import SimpleWorker

from linli.notify.models import Notification
from linli.notify.tasks import send_sms_to_users
from linli.testing.billing_counter import issue_bill
from linli.testing.metrics import scrape, value
from linli.testing.redis_server import RedisServer

JAN, FEB = date(2026, 1, 1), date(2026, 2, 1)
# Starting a worker (three Django processes) on a busy CI machine.
WAIT_SECONDS = 120


@pytest.fixture
def redis_server(tmp_path):
    server = RedisServer(tmp_path)
    yield server
    server.stop()


@pytest.fixture
def redis_tasks(settings, redis_server):
    """This process enqueues into the test's Redis, as settings.py sets it up for
    LINLI_TASKS_BACKEND=redis."""
    settings.RQ_QUEUES = {"default": {"URL": f"{redis_server.url}?socket_connect_timeout=2&socket_timeout=5"}}
    settings.TASKS = {
        "default": {"BACKEND": "linli.core.redis_queue.RedisBackend", "OPTIONS": {"fallback": "database"}},
        "database": {"BACKEND": "django_tasks_db.DatabaseBackend"},
    }
    return redis_server


def pay_at_the_counter(api, world, key: str, month: date = JAN) -> None:
    """A cash payment of the owner's bill of a month: billing enqueues its paid notice after commit."""
    bill = issue_bill(world.house, 10000, month, payer=world.owner_person)
    body = {"channel": "cash", "amount_fen": 10000, "bill_ids": [bill.pk], "idempotency_key": key}
    r = api(world.front_desk).post(f"/billing/counter/houses/{world.house.pk}/payments", body)
    assert r.status_code == 201, r.content


def run_redis_queue(server: RedisServer) -> None:
    """A real RQ worker in this process (SimpleWorker: no fork, so it sees the test's
    transaction), in burst mode: it runs what is queued and returns."""
    connection = Redis.from_url(server.url)
    SimpleWorker(["default"], connection=connection, job_class=Job).work(burst=True)


def told_of_payment(world) -> list[int]:
    return sorted(Notification.objects.filter(kind="billing.paid").values_list("recipient_id", flat=True))


def test_a_paid_notice_waits_in_redis_and_is_delivered_once(
    world, api, redis_tasks, settings, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        pay_at_the_counter(api, world, "paid-via-redis")

    assert told_of_payment(world) == []  # queued, not run
    assert not DBTaskResult.objects.exists()
    samples = scrape(settings)
    assert value(samples, "linli_task_queue_depth", queue="default") == 1
    assert value(samples, "linli_redis_up") == 1

    run_redis_queue(redis_tasks)
    run_redis_queue(redis_tasks)  # a second pass finds nothing left to run

    assert told_of_payment(world) == sorted([world.owner.pk, world.tenant.pk])
    assert value(scrape(settings), "linli_task_queue_depth", queue="default") == 0


def worker_env(server: RedisServer) -> dict[str, str]:
    """The environment of a `linli worker` of this installation: the test's database, Redis as
    its task queue."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        url = f"sqlite:///{db['NAME']}"
    else:
        url = f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "linli.settings",
        "PYTHONPATH": ":".join(sys.path),
        "DATABASE_URL": url,
        "LINLI_TASKS_BACKEND": "redis",
        "LINLI_REDIS_URL": server.url,
    }


def wait_for(condition, what: str, log: Path) -> None:
    deadline = time.monotonic() + WAIT_SECONDS
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(
                f"gave up after {WAIT_SECONDS}s waiting for {what}; the worker said:\n{log.read_text()}"
            )
        time.sleep(0.2)


@pytest.mark.django_db(transaction=True)
def test_linli_worker_runs_the_redis_queue_and_what_the_database_took_while_redis_was_down(
    world, api, redis_tasks, caplog, tmp_path
):
    pay_at_the_counter(api, world, "paid-before-the-worker-started")  # committed: queued in Redis
    log = tmp_path / "worker.log"
    with log.open("w") as out:
        worker = subprocess.Popen(
            [sys.executable, "-m", "linli", "worker"],
            env=worker_env(redis_tasks),
            stdout=out,
            stderr=subprocess.STDOUT,
            process_group=0,
        )
    try:
        wait_for(lambda: len(told_of_payment(world)) == 2, "the RQ worker to tell the household", log)
        assert api().get("/health").json()["checks"]["redis"] == {"status": "ok"}

        redis_tasks.stop()
        with caplog.at_level(logging.ERROR):
            pay_at_the_counter(api, world, "paid-while-redis-was-down", month=FEB)
        assert "Redis did not take task linli.billing.tasks.tell_paid" in caplog.text
        response = api().get("/health")
        assert response.status_code == 200  # degraded, not down: tasks still get queued
        assert (response.json()["status"], response.json()["checks"]["redis"]) == (
            "degraded",
            {"status": "degraded"},
        )
        wait_for(lambda: len(told_of_payment(world)) == 4, "the database worker to tell the household", log)
    finally:
        os.killpg(worker.pid, signal.SIGTERM)  # the supervisor stops its workers and exits
        worker.wait(timeout=WAIT_SECONDS)
    assert worker.returncode == 0, log.read_text()

    # Each payment told the owner and the tenant once: nothing ran twice, and the task that went
    # to the database is recorded there as done.
    assert told_of_payment(world) == sorted([world.owner.pk, world.tenant.pk] * 2)
    fallback = DBTaskResult.objects.get()
    assert (fallback.backend_name, fallback.task_path, fallback.status) == (
        "database",
        "linli.billing.tasks.tell_paid",
        "SUCCESSFUL",
    )


def test_a_process_enqueues_over_one_connection(redis_tasks):
    """django-rq alone opened a connection to Redis for every task enqueued."""
    probe = Redis.from_url(redis_tasks.url)
    before = probe.info("stats")["total_connections_received"]  # the probe's own connection
    for _ in range(5):
        send_sms_to_users.enqueue([], "notification", {})
    assert probe.info("stats")["total_connections_received"] == before + 1
    assert probe.llen("rq:queue:default") == 5
