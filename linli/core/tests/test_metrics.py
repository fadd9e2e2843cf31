"""/metrics: behind its token, requests by route pattern, the task queue read at scrape time,
and counters that add up across the processes of a machine."""

import subprocess
import sys
import textwrap

import pytest
from django.test import Client
from django_tasks import task
from prometheus_client import CollectorRegistry
from prometheus_client.multiprocess import MultiProcessCollector

from linli.core.monitoring.multiprocess import fold_dead_processes
from linli.testing.metrics import TOKEN, scrape, value

HISTOGRAM = "linli_http_request_duration_seconds"


@task()
def chore(n: int) -> int:
    return n


@pytest.mark.parametrize("header", [None, "", "Bearer ", f"Bearer {TOKEN}", f"Basic {TOKEN}"])
def test_it_does_not_exist_without_a_token_configured(settings, header):
    settings.LINLI_METRICS_TOKEN = ""
    extra = {} if header is None else {"HTTP_AUTHORIZATION": header}
    assert Client().get("/metrics", **extra).status_code == 404


@pytest.mark.parametrize(
    "header", [None, "", "Bearer ", "Bearer wrong", f"Bearer {TOKEN}x", f"Basic {TOKEN}"]
)
def test_it_answers_a_wrong_or_missing_token_as_if_it_did_not_exist(settings, header):
    settings.LINLI_METRICS_TOKEN = TOKEN
    extra = {} if header is None else {"HTTP_AUTHORIZATION": header}
    response = Client().get("/metrics", **extra)
    assert response.status_code == 404
    assert b"linli_" not in response.content


@pytest.mark.django_db
def test_it_answers_the_right_token(settings):
    settings.LINLI_METRICS_TOKEN = TOKEN
    response = Client().get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")


def test_it_times_a_request_under_its_route_pattern_not_its_path(world, api, settings):
    route = "api/v1/communities/<community_id>"
    labels = {"route": route, "method": "GET", "status": "2xx"}
    before = scrape(settings)
    assert api(world.staff).get(f"/communities/{world.a.pk}").status_code == 200
    assert api(world.outsider).get(f"/communities/{world.a.pk}").status_code == 404
    after = scrape(settings)

    assert value(after, f"{HISTOGRAM}_count", **labels) == value(before, f"{HISTOGRAM}_count", **labels) + 1
    missed = {**labels, "status": "4xx"}
    assert value(after, f"{HISTOGRAM}_count", **missed) == value(before, f"{HISTOGRAM}_count", **missed) + 1
    routes = {dict(labels)["route"] for name, labels in after if name == f"{HISTOGRAM}_count"}
    assert not any(str(world.a.pk) in r.split("/") for r in routes), routes


@pytest.mark.django_db
def test_it_counts_a_path_no_route_matches_under_one_label(settings):
    labels = {"route": "<unmatched>", "method": "GET", "status": "4xx"}
    before = value(scrape(settings), f"{HISTOGRAM}_count", **labels)
    assert Client().get("/no/such/page/12345").status_code == 404
    assert value(scrape(settings), f"{HISTOGRAM}_count", **labels) == before + 1


@pytest.mark.django_db
def test_queue_depth_and_age_follow_the_tasks_waiting(settings):
    assert value(scrape(settings), "linli_task_queue_depth", queue="default") == 0
    chore.enqueue(1)
    chore.enqueue(2)
    samples = scrape(settings)
    assert value(samples, "linli_task_queue_depth", queue="default") == 2
    assert ("linli_task_queue_oldest_age_seconds", frozenset({("queue", "default")})) in samples


@pytest.mark.django_db
def test_it_reports_the_scheduler_lag(settings):
    assert ("linli_scheduler_lag_seconds", frozenset()) in scrape(settings)


OBSERVE = textwrap.dedent(
    """
    from linli.core.monitoring.requests import REQUEST_SECONDS
    REQUEST_SECONDS.labels("api/v1/health", "GET", "2xx").observe(0.02)
    """
)


def _total(directory) -> float:
    registry = CollectorRegistry()
    MultiProcessCollector(registry, path=str(directory))
    return registry.get_sample_value(
        f"{HISTOGRAM}_count", {"route": "api/v1/health", "method": "GET", "status": "2xx"}
    )


def test_counts_of_two_processes_add_up_and_outlive_them(tmp_path):
    """Two processes each time a request; the sum is 2, and stays 2 once their files are folded
    into the archive (a drop would read as a counter reset to Prometheus)."""
    env = {"PROMETHEUS_MULTIPROC_DIR": str(tmp_path), "PYTHONPATH": ":".join(sys.path)}
    for _process in range(2):
        subprocess.run([sys.executable, "-c", OBSERVE], env=env, check=True, timeout=60)
    assert len(list(tmp_path.glob("histogram_*.db"))) == 2
    assert _total(tmp_path) == 2

    assert fold_dead_processes(tmp_path) == 2
    assert [p.name for p in tmp_path.glob("*.db")] == ["histogram_archive.db"]
    assert _total(tmp_path) == 2

    subprocess.run([sys.executable, "-c", OBSERVE], env=env, check=True, timeout=60)
    fold_dead_processes(tmp_path)
    assert _total(tmp_path) == 3
