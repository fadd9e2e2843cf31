"""The read replica (LINLI_REPLICA_URL): the code that opts in reads through the alias
`replica`, a request reads its own writes from the primary, and the health check reports the
replica (without LINLI_REPLICA_URL: test_read_replica_unset.py).

Settings are read once per process, so the alias is added here as settings add it (a mirror of
the primary's test database, Django's TEST MIRROR) with the router, for this module; what each
database served is seen in its connection's own query log. A mirror is a second connection, which sees committed
rows only: the tests run in transactions of their own (transaction=True)."""

import copy
from datetime import date

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.signals import request_started
from django.db import connection, connections
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django_tasks import task

from linli.billing import queries
from linli.core.dbrouter import REPLICA
from linli.testing.billing_counter import issue_bill

JAN = date(2026, 1, 1)


@pytest.fixture(scope="module", autouse=True)
def replica(django_db_setup):
    """Before each test's database set-up, which lets a test use only the aliases it names."""
    primary = connections["default"].settings_dict
    connections.settings[REPLICA] = {
        **copy.deepcopy(primary),
        "TEST": {**primary["TEST"], "MIRROR": "default"},
    }
    with override_settings(DATABASE_ROUTERS=["linli.core.dbrouter.ReplicaRouter"]):
        yield
    connections[REPLICA].close()
    del connections[REPLICA]
    del connections.settings[REPLICA]


with_replica = pytest.mark.django_db(transaction=True, databases=["default", REPLICA])


class Reads:
    """The queries each database served within."""

    def __enter__(self):
        self.contexts = [CaptureQueriesContext(connection), CaptureQueriesContext(connections[REPLICA])]
        for context in self.contexts:
            context.__enter__()
        return self

    def __exit__(self, *exc):
        for context in self.contexts:
            context.__exit__(*exc)

    @property
    def primary(self) -> int:
        return len(self.contexts[0])

    @property
    def replica(self) -> int:
        return len(self.contexts[1])


def new_request() -> None:
    request_started.send(sender=None)  # what the web handler sends before each request


@with_replica
def test_the_reports_read_from_the_replica_and_the_rest_from_the_primary(world, api):
    issue_bill(world.house, 10000, JAN)
    client = api(world.staff)
    with Reads() as arrears:
        response = client.get("/billing/reports/arrears", {"community": world.a.pk})
    assert response.status_code == 200 and response.json()["houses"][0]["owed_fen"] == 10000
    # The report's two grouped queries (and the scope they are restricted to) on the replica;
    # the session and the sign-in on the primary.
    assert arrears.replica >= 2 and arrears.primary >= 1
    with Reads() as house:
        assert client.get(f"/houses/{world.house.pk}").status_code == 200
    assert house.replica == 0 and house.primary > 0  # nothing else opts in


@with_replica
def test_a_request_that_wrote_reads_its_own_writes_from_the_primary(world):
    new_request()
    with Reads() as before:
        assert queries.arrears_houses(world.staff, world.a.pk) == []
    # The report on the replica; the user's scope (hand-written SQL, core/restrict.py) is read
    # from the primary, so what a user may see never lags.
    assert before.replica > 0

    issue_bill(world.house, 10000, JAN)  # the same request writes: an ORM write on the primary
    with Reads() as after:
        assert [h["owed"] for h in queries.arrears_houses(world.staff, world.a.pk)] == [10000]
    assert after.replica == 0 and after.primary > 0

    new_request()  # the next request has written nothing
    with Reads() as next_request:
        queries.arrears_houses(world.staff, world.a.pk)
    assert next_request.replica > 0 and next_request.primary == 0


@with_replica
def test_a_write_in_one_request_leaves_the_next_on_the_replica(world, api):
    """The test client serves each request on this thread, as a web thread serves many."""
    bill = issue_bill(world.house, 10000, JAN)
    client = api(world.front_desk)
    body = {"channel": "cash", "amount_fen": 10000, "bill_ids": [bill.pk], "idempotency_key": "replica-0001"}
    assert client.post(f"/billing/counter/houses/{world.house.pk}/payments", body).status_code == 201
    with Reads() as reads:
        assert client.get("/billing/reports/arrears", {"community": world.a.pk}).status_code == 200
    assert reads.replica >= 2


@task()
def arrears_report(user_id: int, community_id: int) -> None:
    queries.arrears_houses(get_user_model().objects.get(pk=user_id), community_id)


@with_replica
def test_a_task_the_worker_runs_starts_afresh_and_one_run_inline_keeps_the_request_s_writes(
    world, inline_tasks
):
    new_request()
    issue_bill(world.house, 10000, JAN)  # the request wrote; its inline task is part of it
    with Reads() as inline:
        arrears_report.enqueue(world.staff.pk, world.a.pk)
    assert inline.replica == 0 and inline.primary > 0


@with_replica
def test_a_task_the_worker_runs_reads_from_the_replica(world):
    new_request()
    issue_bill(world.house, 10000, JAN)
    arrears_report.enqueue(world.staff.pk, world.a.pk)  # this thread wrote...
    with Reads() as worker:  # ...and then runs the queue as `linli db_worker` does
        call_command("db_worker", "--batch", "--no-startup-delay", "--queue-name", "*", verbosity=0)
    assert worker.replica > 0


@with_replica
def test_the_health_check_reports_the_replica(api):
    checks = api().get("/health").json()["checks"]
    # The tests' replica is the primary's own database, no standby: no replay lag to report.
    assert checks["replica"]["status"] == "ok" and checks["replica"]["latency_ms"] >= 0
    assert "lag_seconds" not in checks["replica"]
