"""The dependency checks of `GET /api/v1/health`: each answers ok, degraded or down with a
figure, never a host name, address or error text (the check is public).

Only the database takes the site down (503): without it nothing works. A late task queue or
scheduler, an unreachable MQTT broker or Redis, a read replica down or behind, or a read-only var
dir degrade the site (200): pages still load, and the load balancer must not take every web
process out for what none of them can fix.
"""

import socket
import tempfile
import time
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from django.conf import settings
from django.db import DatabaseError, connection, connections

from linli.core.dbrouter import REPLICA
from linli.core.monitoring import figures

OK, DEGRADED, DOWN = "ok", "degraded", "down"
RANK = {OK: 0, DEGRADED: 1, DOWN: 2}
BROKER_TIMEOUT_SECONDS = 1.0
MQTT_PORTS = {"mqtt": 1883, "mqtts": 8883}
# On a standby: how far replay is behind the primary. Caught up when everything received is
# replayed (an idle primary sends nothing, and the last replayed commit only grows older).
STANDBY_LAG_SQL = """SELECT pg_is_in_recovery(), CASE
    WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0
    ELSE EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()) END"""


@dataclass
class Check:
    status: str
    figures: dict[str, float] = field(default_factory=dict)


def database() -> Check:
    started = time.perf_counter()
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        return Check(DOWN)
    return Check(OK, {"latency_ms": round((time.perf_counter() - started) * 1000, 1)})


def replica() -> Check:
    """The read replica answers, and on a PostgreSQL standby how late its replay is
    (`lag_seconds`). Down, it only degrades the site: the screens and reports reading from it
    fail, everything else runs on the primary."""
    started = time.perf_counter()
    lag = None
    try:
        with connections[REPLICA].cursor() as cursor:
            if connections[REPLICA].vendor == "postgresql":
                cursor.execute(STANDBY_LAG_SQL)
                standby, lag = cursor.fetchone()
                lag = lag if standby else None
            else:
                cursor.execute("SELECT 1")
    except DatabaseError:
        return Check(DEGRADED)
    latency = {"latency_ms": round((time.perf_counter() - started) * 1000, 1)}
    if lag is None:  # not a standby (the tests' replica is the primary's test database)
        return Check(OK, latency)
    late = _late(float(lag), settings.LINLI_HEALTH_REPLICA_LAG_SECONDS, "lag_seconds")
    return Check(late.status, {**latency, **late.figures})


def _late(seconds: float, limit: float, name: str) -> Check:
    return Check(DEGRADED if seconds > limit else OK, {name: round(seconds, 1)})


def task_queue() -> Check:
    return _late(figures.oldest_task_age(), settings.LINLI_HEALTH_QUEUE_AGE_SECONDS, "oldest_age_seconds")


def scheduler() -> Check:
    return _late(figures.scheduler_lag(), settings.LINLI_HEALTH_SCHEDULER_LAG_SECONDS, "lag_seconds")


def broker() -> Check:
    """A TCP connection to the broker of LINLI_MQTT_URL: enough to tell it is up and reachable."""
    url = urlsplit(settings.LINLI_MQTT_URL)
    try:
        port = url.port or MQTT_PORTS.get(url.scheme, 1883)
        socket.create_connection((url.hostname or "", port), timeout=BROKER_TIMEOUT_SECONDS).close()
    except (OSError, ValueError):
        return Check(DEGRADED)
    return Check(OK)


def var_dir() -> Check:
    """The var dir takes the SQLite database, metrics and collected static files: can we write?"""
    try:
        with tempfile.TemporaryFile(dir=settings.VAR_DIR):
            pass
    except OSError:
        return Check(DEGRADED)
    return Check(OK)


def _read(check) -> Check:
    """A figure the database could not give (a table missing before `migrate`) degrades its
    check: the database itself answered."""
    try:
        return check()
    except DatabaseError:
        return Check(DEGRADED)


def checks() -> dict[str, Check]:
    out = {"database": database()}
    if out["database"].status == DOWN:
        return out  # the others read the database too
    if REPLICA in connections:  # LINLI_REPLICA_URL set
        out["replica"] = replica()
    out["task_queue"] = _read(task_queue)
    out["scheduler"] = _read(scheduler)
    if settings.LINLI_MQTT_URL:
        out["mqtt"] = broker()
    if (redis_up := figures.task_store_up()) is not None:
        out["redis"] = Check(OK if redis_up else DEGRADED)  # tasks then go to the database queue
    out["var_dir"] = var_dir()
    return out


def overall(results: dict[str, Check]) -> str:
    return max((check.status for check in results.values()), key=RANK.__getitem__)
