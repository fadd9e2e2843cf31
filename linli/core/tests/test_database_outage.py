"""While the database cannot be reached (PostgreSQL restarting, a cut network), every request is
answered at once with 503, Retry-After and a stable code, not a 500 as for a bug; once it is back
the same process serves again without a restart."""

import pytest
from django.db import DatabaseError, connection, transaction
from django.test import Client

from linli.core.server_errors import server_error
from linli.testing.client import ApiClient


@pytest.fixture
def unreachable_database():
    """The real connection pointed at a database that is not there, then back."""
    real = dict(connection.settings_dict)
    connection.close()
    if connection.vendor == "sqlite":
        connection.settings_dict["NAME"] = "/nonexistent-linli-dir/linli.sqlite3"
    else:
        connection.settings_dict["PORT"] = "1"  # nothing listens there
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict.update(real)


@pytest.mark.django_db(transaction=True)
def test_the_api_and_the_pages_say_try_again_while_the_database_is_away(world, request):
    api = ApiClient(world.staff)
    assert api.get("/communities").status_code == 200
    page = Client(raise_request_exception=False)
    page.force_login(world.staff)
    assert page.get("/staff/").status_code in (200, 302)

    request.getfixturevalue("unreachable_database")
    api.client.raise_request_exception = False
    down = api.get("/communities")
    assert down.status_code == 503 and down["Retry-After"] == "5"
    assert (
        down.json()["code"] == "database_unavailable"
        and down.json()["message"] == "服务暂时不可用，请稍后重试"
    )
    shown = page.get("/staff/")
    assert shown.status_code == 503 and "服务暂时不可用" in shown.content.decode()


@pytest.mark.django_db
def test_a_query_the_database_refuses_is_a_server_error_not_an_outage(rf):
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SELECT * FROM linli_no_such_table")
    except DatabaseError:
        answer = server_error(rf.get("/api/v1/communities"))
    assert answer.status_code == 500 and "Retry-After" not in answer


def test_a_bug_is_still_a_server_error(rf):
    try:
        raise ZeroDivisionError("a bug in a view")
    except ZeroDivisionError:
        answer = server_error(rf.get("/api/v1/communities"))
    assert answer.status_code == 500 and "Retry-After" not in answer
