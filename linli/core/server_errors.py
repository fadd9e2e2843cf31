"""What a user sees when a request fails unhandled (Django's `handler500`).

A lost database (PostgreSQL restarting, a network cut, SQLite's write lock held past its busy
timeout) is not a bug in the request: the answer is 503 with Retry-After and the stable code
`database_unavailable`, so that an app or a gate retries, and a person is told to try again in a
moment. Everything else stays a 500, other OperationalErrors included (a deadlock, a statement
timeout, a missing table: a retry in 5 s would not help). Django calls the handler inside its `except` block, so the
exception is the one being handled.
"""

import sqlite3
import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.template import loader
from django.utils.translation import gettext as _
from django.views.decorators.csrf import requires_csrf_token
from django.views.defaults import server_error as django_server_error

from linli.core.errors import ServiceError

RETRY_AFTER_SECONDS = 5


# PostgreSQL's classes of a connection that failed or a server shutting down or starting up.
LOST_SQLSTATES = ("08", "57P")
SQLITE_LOST = ("unable to open database file", "database is locked")


def database_lost(exc: BaseException | None) -> bool:
    if isinstance(exc, InterfaceError):
        return True
    if not isinstance(exc, OperationalError):
        return False
    cause = exc.__cause__
    if isinstance(cause, sqlite3.OperationalError):
        return str(cause).startswith(SQLITE_LOST)
    sqlstate = getattr(cause, "sqlstate", None)
    # psycopg has no SQLSTATE when no server answered at all (refused, reset, closed)
    return sqlstate is None or sqlstate.startswith(LOST_SQLSTATES)


@requires_csrf_token
def server_error(request):
    if not database_lost(sys.exc_info()[1]):
        return django_server_error(request)
    response: HttpResponse
    if request.path.startswith("/api/"):
        error = ServiceError("database_unavailable", _("服务暂时不可用，请稍后重试"), status=503)
        response = JsonResponse(error.as_dict(), status=503, json_dumps_params={"ensure_ascii": False})
    else:
        response = HttpResponse(loader.get_template("503.html").render(), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response
