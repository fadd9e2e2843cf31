"""The registry's rules as SQL fragments, for the hand-written reads (linli.core.rawsql) of the
registry and of the apps above it: each rule is written in SQL once, and a test holds it to its
ORM twin (registry/tests/test_active_sql.py)."""

from functools import cache

from django.db import connection

from linli.registry.models import Occupancy


@cache
def active_occupancy(alias: str) -> tuple[str, int]:
    """The SQL twin of `Occupancy.objects.active(on)` for the occupancy row named `alias`: not
    ended (nobody moved it out), started on or before the day, its end date not passed. Returns
    the condition and how many times it takes the day as a parameter (the same local date each
    time)."""
    columns = {field.name: str(field.column) for field in Occupancy._meta.concrete_fields}

    def column(name: str) -> str:
        return f"{alias}.{connection.ops.quote_name(columns[name])}"

    ended_at, valid_from, valid_to = column("ended_at"), column("valid_from"), column("valid_to")
    condition = f"({ended_at} IS NULL AND {valid_from} <= %s AND ({valid_to} IS NULL OR {valid_to} >= %s))"
    return condition, 2
