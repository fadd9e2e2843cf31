"""The decision's queries in hand-written SQL: terminal, credential, grants, a pass's use (with
its source check), event insert.

Why not the ORM here: building and compiling a queryset costs about 0.5–1 ms on this class of
machine — more than the indexed lookup itself, and with four of them most of a decision's
budget. The SQL is plain (joins, EXISTS, INSERT … RETURNING) and runs unchanged on SQLite and
PostgreSQL; table and column names come from the models and values are adapted by the models'
own fields. The ORM versions of the grants query (`grants.grants_at_point`) and of a pass's
source check (`rights.pass_source_live`) stay the reference for snapshots and lists and are
checked against these in the tests.
"""

import json
from datetime import UTC, date, datetime
from functools import lru_cache

from django.contrib.auth import get_user_model
from django.db import connection
from django.utils.dateparse import parse_datetime

from linli.access.choices import Reason
from linli.access.models import AccessEvent, AccessPoint, Credential, Grant, Terminal, VisitorPass, Zone
from linli.access.rights import VISITOR_ROLES
from linli.core.models import Membership
from linli.core.rawsql import table
from linli.registry.models import Occupancy, Person
from linli.registry.sql import active_occupancy


@lru_cache(maxsize=16)
def _grants_sql(people: int) -> tuple[str, int]:
    """The grants query for this many people, and how many `today` parameters it takes first."""
    zone_points = connection.ops.quote_name(Zone.points.through._meta.db_table)
    marks = ", ".join(["%s"] * people)
    lives_there, days = active_occupancy("o")
    sql = f"""
        SELECT g.person_id, p.name, g.source, g.valid_from, g.valid_until, g.schedule,
               EXISTS (SELECT 1 FROM {table(Occupancy)} o WHERE o.id = g.source_id AND {lives_there}),
               EXISTS (SELECT 1 FROM {table(Membership)} m
                       WHERE m.id = g.source_id AND (m.valid_until IS NULL OR m.valid_until >= %s))
        FROM {table(Grant)} g
        JOIN {zone_points} zp ON zp.zone_id = g.zone_id
        JOIN {table(Person)} p ON p.id = g.person_id
        WHERE g.person_id IN ({marks}) AND g.revoked_at IS NULL AND zp.accesspoint_id = %s
    """
    return sql, days + 1


@lru_cache(maxsize=1)
def pass_source_live_sql() -> tuple[str, int]:
    """The SQL twin of rights.pass_source_live, on the outer row `vp`: its host still lives in
    its house, or (no host) its issuer still holds a visitor-registering role or is an active
    operator. Returns the condition and how many `today` parameters it takes."""
    roles = ", ".join(f"'{role}'" for role in VISITOR_ROLES)  # our own constants, not input
    lives_there, days = active_occupancy("o")
    condition = f"""(
        (vp.host_id IS NOT NULL AND EXISTS (
            SELECT 1 FROM {table(Occupancy)} o
            WHERE o.person_id = vp.host_id AND o.house_id = vp.house_id AND {lives_there}))
        OR (vp.host_id IS NULL AND (
            EXISTS (SELECT 1 FROM {table(Membership)} m
                    WHERE m.user_id = vp.created_by_id AND m.community_id = vp.community_id
                      AND m.role IN ({roles}) AND (m.valid_until IS NULL OR m.valid_until >= %s))
            OR EXISTS (SELECT 1 FROM {table(get_user_model())} u
                       WHERE u.id = vp.created_by_id AND u.is_active AND u.is_operator))))"""
    return condition, days + 1


@lru_cache(maxsize=1)
def _use_pass_sql() -> str:
    condition, _days = pass_source_live_sql()
    return f"""
        UPDATE {table(VisitorPass)} AS vp SET uses = uses + 1
        WHERE vp.id = %s AND vp.community_id = %s AND vp.revoked_at IS NULL AND vp.uses < vp.max_uses
          AND {condition}
        RETURNING uses >= max_uses
    """


def use_pass(pass_id: int, community_id: int, today: date) -> bool | None:
    """Counts one use of a pass that is unrevoked, has a use left and whose source is still
    there, in one conditional UPDATE (two gates racing on a one-time pass cannot both get it).
    None if it could not be used; else whether that was its last use."""
    day = connection.ops.adapt_datefield_value(today)
    _condition, days = pass_source_live_sql()
    with connection.cursor() as cursor:
        cursor.execute(_use_pass_sql(), [pass_id, community_id, *([day] * days)])
        row = cursor.fetchone()
    return None if row is None else bool(row[0])


@lru_cache(maxsize=1)
def _credential_sql() -> str:
    return f"""
        SELECT c.person_id, p.name, c.revoked_at
        FROM {table(Credential)} c JOIN {table(Person)} p ON p.id = c.person_id
        WHERE c.community_id = %s AND c.kind = %s AND c.lookup = %s
        ORDER BY c.revoked_at IS NOT NULL, c.id DESC
        LIMIT 1
    """


def _aware(value) -> datetime | None:
    """SQLite gives naive UTC (or text), PostgreSQL aware datetimes."""
    if value is None:
        return None
    if isinstance(value, str):
        value = parse_datetime(value)
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def _json(value):
    return json.loads(value) if isinstance(value, str | bytes) else value


def grant_rows(person_ids: list[int], point_id: int, today: date) -> list[tuple]:
    """(person_id, name, source, valid_from, valid_until, schedule, occupancy_ok, membership_ok)
    for the live (unrevoked) grants of these people that reach the point."""
    sql, days = _grants_sql(len(person_ids))
    day = connection.ops.adapt_datefield_value(today)
    with connection.cursor() as cursor:
        cursor.execute(sql, [*([day] * days), *person_ids, point_id])
        rows = cursor.fetchall()
    return [
        (p, n, s, _aware(f), _aware(u), _json(sch), bool(o), bool(m)) for p, n, s, f, u, sch, o, m in rows
    ]


def credential_row(community_id: int, kind: str, lookup: str) -> tuple | None:
    """(person_id, name, revoked_at) of the credential, the active one first."""
    with connection.cursor() as cursor:
        cursor.execute(_credential_sql(), [community_id, kind, lookup])
        row = cursor.fetchone()
    return None if row is None else (row[0], row[1], _aware(row[2]))


_TERMINAL_FIELDS = (
    "id",
    "community_id",
    "point_id",
    "name",
    "token_prefix",
    "public_key",
    "revoked_at",
    "last_seen_at",
    "last_version",
)
_POINT_FIELDS = (
    "community_id",
    "name",
    "kind",
    "building_id",
    "unit_id",
    "direction",
    "allow_temporary_parking",
    "is_active",
)


@lru_cache(maxsize=2)
def _terminal_sql(by: str) -> str:
    columns = ", ".join([f"t.{c}" for c in _TERMINAL_FIELDS] + [f"p.{c}" for c in _POINT_FIELDS])
    return f"""
        SELECT {columns} FROM {table(Terminal)} t JOIN {table(AccessPoint)} p ON p.id = t.point_id
        WHERE t.{by} = %s
    """


def terminal(by: str, value) -> Terminal | None:
    """The terminal with its point (as `terminal.point`), by token digest or by id."""
    with connection.cursor() as cursor:
        cursor.execute(_terminal_sql(by), [value])
        row = cursor.fetchone()
    if row is None:
        return None
    values = dict(zip(_TERMINAL_FIELDS, row[: len(_TERMINAL_FIELDS)], strict=True))
    values["revoked_at"], values["last_seen_at"] = (
        _aware(values["revoked_at"]),
        _aware(values["last_seen_at"]),
    )
    found = Terminal(**values)
    point = dict(zip(_POINT_FIELDS, row[len(_TERMINAL_FIELDS) :], strict=True))
    point["allow_temporary_parking"], point["is_active"] = (
        bool(point["allow_temporary_parking"]),
        bool(point["is_active"]),
    )
    found.point = AccessPoint(id=found.point_id, **point)
    return found


_EVENT_COLUMNS = (
    "community",
    "point",
    "terminal",
    "person",
    "visitor_pass",
    "at",
    "method",
    "allowed",
    "reason",
    "direction",
    "uuid",
    "offline",
    "detail",
)


@lru_cache(maxsize=1)
def _event_sql() -> tuple[str, list]:
    fields = [AccessEvent._meta.get_field(name) for name in _EVENT_COLUMNS]
    names = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    marks = ", ".join(["%s"] * len(fields))
    return f"INSERT INTO {table(AccessEvent)} ({names}) VALUES ({marks}) RETURNING id", fields


def insert_event(**values) -> int:
    """One access event; values by field name (foreign keys as ids). Returns its id."""
    sql, fields = _event_sql()
    params = [f.get_db_prep_save(values.get(f.attname, values.get(f.name)), connection) for f in fields]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()[0]


@lru_cache(maxsize=2)
def _denials_sql(by_method: bool) -> str:
    method = "AND method = %s" if by_method else ""
    return f"""
        SELECT COUNT(*) FROM (
            SELECT 1 FROM {table(AccessEvent)}
            WHERE point_id = %s AND at >= %s AND allowed = %s AND reason <> %s {method}
            LIMIT %s
        ) AS recent
    """


def recent_denials(point_id: int, since: datetime, *, method: str | None = None, cap: int) -> int:
    """Denials at a point since an instant, counted up to `cap` only: under an attack of a
    thousand wrong cards a second, the question "at least five?" must stay a five-row read."""
    params = [point_id, connection.ops.adapt_datetimefield_value(since), False, Reason.PARKING_FEE_UNPAID]
    params += [method] if method else []
    with connection.cursor() as cursor:
        cursor.execute(_denials_sql(method is not None), [*params, cap])
        return cursor.fetchone()[0]
