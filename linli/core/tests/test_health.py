"""/api/v1/health reports each dependency: ok, or degraded (still 200) when the queue or the
scheduler runs late or the broker is unreachable; never a host name."""

import json
import os
import socket
import subprocess
import sys
from datetime import timedelta

import pytest
from django.utils import timezone
from django_tasks import task
from django_tasks_db.models import DBTaskResult

from linli.core.models import PeriodicJob
from linli.core.periodic import refresh_planner_statistics

pytestmark = pytest.mark.django_db


@task()
def chore() -> None:
    pass


def test_it_reports_each_dependency_and_keeps_the_old_fields(api, settings):
    settings.LINLI_MQTT_URL = ""  # no broker configured (CI sets one): its check is not listed
    response = api().get("/health")
    body = response.json()
    assert response.status_code == 200
    assert body["status"] == "ok"
    assert {"version", "database", "time"} <= body.keys() and body["database"] in {"sqlite", "postgresql"}
    checks = body["checks"]
    assert set(checks) == {"database", "task_queue", "scheduler", "var_dir"}
    assert {check["status"] for check in checks.values()} == {"ok"}
    assert checks["database"]["latency_ms"] >= 0
    assert checks["task_queue"]["oldest_age_seconds"] == 0


def test_an_old_queued_task_degrades_it_without_taking_it_down(api, settings):
    settings.LINLI_HEALTH_QUEUE_AGE_SECONDS = 600
    chore.enqueue()
    assert api().get("/health").json()["checks"]["task_queue"]["status"] == "ok"

    DBTaskResult.objects.update(enqueued_at=timezone.now() - timedelta(hours=1))
    response = api().get("/health")
    body = response.json()
    assert response.status_code == 200
    assert body["status"] == "degraded"
    assert body["checks"]["task_queue"]["status"] == "degraded"
    assert body["checks"]["task_queue"]["oldest_age_seconds"] >= 3600


def test_an_overdue_periodic_job_degrades_it(api, settings):
    settings.LINLI_HEALTH_SCHEDULER_LAG_SECONDS = 600
    job = "core.refresh_planner_statistics"
    assert refresh_planner_statistics  # registered under that name
    PeriodicJob.objects.create(name=job, next_run_at=timezone.now() - timedelta(minutes=1))
    assert api().get("/health").json()["checks"]["scheduler"]["status"] == "ok"

    PeriodicJob.objects.filter(name=job).update(next_run_at=timezone.now() - timedelta(hours=1))
    body = api().get("/health").json()
    assert (body["status"], body["checks"]["scheduler"]["status"]) == ("degraded", "degraded")
    assert body["checks"]["scheduler"]["lag_seconds"] >= 3600


def test_a_removed_jobs_stale_row_does_not_count_as_lag(api):
    PeriodicJob.objects.create(name="gone.job", next_run_at=timezone.now() - timedelta(days=30))
    assert api().get("/health").json()["checks"]["scheduler"]["status"] == "ok"


def test_it_checks_the_broker_when_one_is_configured_and_names_no_host(api, settings):
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = listener.getsockname()[1]
        settings.LINLI_MQTT_URL = f"mqtt://127.0.0.1:{port}"
        response = api().get("/health")
        assert response.json()["checks"]["mqtt"] == {"status": "ok"}
    response = api().get("/health")  # nothing listens on that port any more
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["checks"]["mqtt"]["status"]) == (
        "degraded",
        "degraded",
    )
    assert b"127.0.0.1" not in response.content


DOWN = """
import django, json
django.setup()
from django.test import Client
response = Client().get("/api/v1/health")
print(response.status_code, json.dumps(response.json()))
"""


@pytest.mark.django_db(False)
def test_without_the_database_it_is_down_with_503(tmp_path):
    """A process whose database refuses connections (nothing listens on port 1)."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "linli.settings",
        "PYTHONPATH": ":".join(sys.path),
        "DATABASE_URL": "postgres://linli:secret@127.0.0.1:1/linli?connect_timeout=2",
    }
    run = subprocess.run([sys.executable, "-c", DOWN], env=env, capture_output=True, text=True, timeout=120)
    status, body = run.stdout.strip().splitlines()[-1].split(" ", 1)
    answer = json.loads(body)
    assert status == "503"
    assert (answer["status"], answer["checks"]["database"]["status"]) == ("down", "down")
    assert "secret" not in body and "127.0.0.1" not in body
