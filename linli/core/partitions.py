"""Monthly range partitions on PostgreSQL for the tables that only grow: access events, device
readings, the audit trail. A month's rows are one table, so retention drops the table instead of
deleting row by row, and a list of the newest rows reads only the newest months.

PostgreSQL's own declarative partitioning (`PARTITION BY RANGE`), nothing home-made: each
partition is `<table>_pYYYYMM` for one calendar month in UTC, and `<table>_default` catches a
row outside every month (a terminal's clock years off). SQLite keeps plain tables; there the
apps' retention deletes rows as before, and every function here does nothing.

Apps register their tables in `AppConfig.ready` (`register_partitioned`), so the daily job that
creates the months ahead names no app; each app's migration converts its table
(`convert_to_monthly`), and each app's retention calls `linli.core.services.expire_before`,
which drops the months (`drop_months_before`) and deletes the rest.
"""

import re
from dataclasses import dataclass
from datetime import UTC, datetime

from django.db import connection, transaction
from django.db.models import Field, Model

AHEAD = 2  # months created beyond the current one, so a month never starts without its table
MONTHS_BACK = 120  # at conversion: ten years of history get months of their own
_MONTH = re.compile(r"_p(\d{4})(\d{2})$")


@dataclass(frozen=True)
class Partitioned:
    table: str
    column: str  # the partition key: when the row happened


_tables: dict[str, Partitioned] = {}


def register_partitioned(model: type[Model], column: str) -> None:
    field = model._meta.get_field(column)
    if not isinstance(field, Field) or not field.column:
        raise ValueError(f"{model.__name__}.{column} is not a column to partition by")
    _tables[model._meta.db_table] = Partitioned(model._meta.db_table, field.column)


def registered() -> list[Partitioned]:
    return list(_tables.values())


def month_start(moment: datetime) -> datetime:
    moment = moment.astimezone(UTC)
    return datetime(moment.year, moment.month, 1, tzinfo=UTC)


def add_months(month: datetime, count: int) -> datetime:
    index = month.year * 12 + month.month - 1 + count
    return datetime(index // 12, index % 12 + 1, 1, tzinfo=UTC)


def partition_name(table: str, month: datetime) -> str:
    return f"{table}_p{month:%Y%m}"


def is_partitioned(table: str) -> bool:
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT 1 FROM pg_partitioned_table p JOIN pg_class c ON c.oid = p.partrelid "
            "WHERE c.relname = %s AND pg_table_is_visible(c.oid)",
            [table],
        )
        return cursor.fetchone() is not None


def months(table: str) -> dict[datetime, str]:
    """The month partitions of `table`, by the month each holds (the default one left out)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            "JOIN pg_class p ON p.oid = i.inhparent WHERE p.relname = %s AND pg_table_is_visible(p.oid)",
            [table],
        )
        names = [row[0] for row in cursor.fetchall()]
    found = {}
    for name in names:
        match = _MONTH.search(name)
        if match and name == f"{table}{match.group(0)}":
            found[datetime(int(match.group(1)), int(match.group(2)), 1, tzinfo=UTC)] = name
    return found


def _q(name: str) -> str:
    return connection.ops.quote_name(name)


def _create_month(cursor, table: str, column: str, month: datetime) -> None:
    """One month's table. Rows of that month already caught by the default partition (written
    before their month existed) move into it first: attaching a range the default still holds
    rows of would fail."""
    name, upper = partition_name(table, month), add_months(month, 1)
    default = f"{table}_default"
    cursor.execute(f"CREATE TABLE {_q(name)} (LIKE {_q(table)} INCLUDING DEFAULTS INCLUDING CONSTRAINTS)")
    cursor.execute(
        f"WITH moved AS (DELETE FROM {_q(default)} WHERE {_q(column)} >= %s AND {_q(column)} < %s "
        f"RETURNING *) INSERT INTO {_q(name)} SELECT * FROM moved",
        [month, upper],
    )
    cursor.execute(
        f"ALTER TABLE {_q(table)} ATTACH PARTITION {_q(name)} FOR VALUES FROM (%s) TO (%s)", [month, upper]
    )


def ensure_months(table: str, column: str, wanted: list[datetime]) -> int:
    """Creates the months of `wanted` that do not exist yet; returns how many it created.
    Safe to run again and from two schedulers: the parent's lock makes the second one wait and
    then find the months there."""
    wanted_months = {month_start(m) for m in wanted}
    if wanted_months <= set(months(table)):
        return 0  # the daily case: nothing to lock
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"LOCK TABLE {_q(table)} IN SHARE ROW EXCLUSIVE MODE")
        missing = sorted(wanted_months - set(months(table)))
        for month in missing:
            _create_month(cursor, table, column, month)
    return len(missing)


def create_ahead(now: datetime) -> int:
    """This month and the next AHEAD ones, for every registered table (the daily job)."""
    this = month_start(now)
    wanted = [add_months(this, n) for n in range(AHEAD + 1)]
    return sum(ensure_months(t.table, t.column, wanted) for t in registered() if is_partitioned(t.table))


def expired_months(table: str, cutoff: datetime) -> list[str]:
    """The partitions whose whole month lies before `cutoff`, oldest first."""
    return [name for month, name in sorted(months(table).items()) if add_months(month, 1) <= cutoff]


def drop_months_before(model: type[Model], cutoff: datetime) -> int:
    """Drops every month partition of `model` that ends at or before `cutoff`, each in a moment
    whatever its size; returns how many it dropped. The caller deletes what is left before the
    cutoff (the month it falls in, stray rows in the default partition) as it always did."""
    table = model._meta.db_table
    if not is_partitioned(table):
        return 0
    expired = expired_months(table, cutoff)
    with transaction.atomic(), connection.cursor() as cursor:
        for name in expired:
            cursor.execute(f"DROP TABLE {_q(name)}")
    return len(expired)


# --- converting a table (migrations) ----------------------------------------------------------


def convert_to_monthly(schema_editor, table: str, column: str) -> None:
    """Turns a plain table into one partitioned by month on `column`, keeping its rows, columns,
    index and constraint names and its id sequence. PostgreSQL only; a no-op elsewhere.

    A partitioned table's primary key and unique constraints must contain the partition key, so
    the primary key becomes (id, column) and each unique constraint gains the column; Django
    still treats `id` as the key, which holds as long as no foreign key points at the table (this
    refuses to convert one that is pointed at)."""
    if schema_editor.connection.vendor != "postgresql" or is_partitioned(table):
        return  # partitioned already: migrating back leaves it so (Django sees the same schema)
    cursor = schema_editor.connection.cursor()
    cursor.execute(
        "SELECT conname, conrelid::regclass::text FROM pg_constraint "
        "WHERE contype = 'f' AND confrelid = %s::regclass",
        [table],
    )
    pointing = cursor.fetchall()
    if pointing:
        raise RuntimeError(f"{table} cannot be partitioned: foreign keys point at it: {pointing}")
    cursor.execute(
        "SELECT conname, contype, pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE conrelid = %s::regclass AND contype IN ('p', 'u', 'f') ORDER BY contype, conname",
        [table],
    )
    constraints = cursor.fetchall()
    cursor.execute(
        "SELECT i.relname, pg_get_indexdef(x.indexrelid), x.indisunique FROM pg_index x "
        "JOIN pg_class i ON i.oid = x.indexrelid WHERE x.indrelid = %s::regclass "
        "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)",
        [table],
    )
    indexes = cursor.fetchall()
    if any(unique for _, _, unique in indexes):
        raise RuntimeError(
            f"{table} has a unique index without a constraint; give it the partition key by hand"
        )
    old = f"{table}_unpartitioned"
    cursor.execute(f"ALTER TABLE {_q(table)} RENAME TO {_q(old)}")
    for name, _, _ in constraints:
        cursor.execute(f"ALTER TABLE {_q(old)} DROP CONSTRAINT {_q(name)}")
    for name, _, _ in indexes:
        cursor.execute(f"DROP INDEX {_q(name)}")
    cursor.execute(
        f"CREATE TABLE {_q(table)} (LIKE {_q(old)} INCLUDING DEFAULTS INCLUDING IDENTITY "
        f"INCLUDING CONSTRAINTS INCLUDING STORAGE) PARTITION BY RANGE ({_q(column)})"
    )
    cursor.execute(f"CREATE TABLE {_q(table + '_default')} PARTITION OF {_q(table)} DEFAULT")
    cursor.execute(f"SELECT min({_q(column)}), max({_q(column)}) FROM {_q(old)}")
    first, last = cursor.fetchone()
    now = datetime.now(UTC)
    # A terminal whose clock was reset (1970) must not make hundreds of months: older rows wait
    # in the default partition, as rows written later with such a clock do.
    span_from = max(
        month_start(min(first, now) if first else now), add_months(month_start(now), -MONTHS_BACK)
    )
    span_to = add_months(month_start(max(last, now) if last else now), AHEAD)
    month, wanted = span_from, []
    while month <= span_to:
        wanted.append(month)
        month = add_months(month, 1)
    for month in wanted:
        cursor.execute(
            f"CREATE TABLE {_q(partition_name(table, month))} PARTITION OF {_q(table)} "
            "FOR VALUES FROM (%s) TO (%s)",
            [month, add_months(month, 1)],
        )
    cursor.execute(f"INSERT INTO {_q(table)} SELECT * FROM {_q(old)}")
    sequence = _id_sequence(cursor, old)
    cursor.execute(f"DROP TABLE {_q(old)}")  # its id sequence goes with it
    for name, kind, definition in constraints:
        if kind in "pu":
            definition = _with_key(definition, column)
        cursor.execute(f"ALTER TABLE {_q(table)} ADD CONSTRAINT {_q(name)} {definition}")
    for _, definition, _ in indexes:
        cursor.execute(definition)
    cursor.execute(f"ALTER SEQUENCE {_q(_id_sequence(cursor, table))} RENAME TO {_q(sequence)}")
    cursor.execute(
        f"SELECT setval(pg_get_serial_sequence(%s, 'id'), coalesce(max(id), 0) + 1, false) FROM {_q(table)}",
        [table],
    )


def _id_sequence(cursor, table: str) -> str:
    cursor.execute(
        "SELECT relname FROM pg_class WHERE oid = pg_get_serial_sequence(%s, 'id')::regclass", [table]
    )
    return cursor.fetchone()[0]


def _with_key(definition: str, column: str) -> str:
    """`PRIMARY KEY (id)` → `PRIMARY KEY (id, at)`: a partitioned table's keys hold the
    partition key. A unique column thus becomes unique per moment; a table that needs more
    (access events' terminal event ids) adds it itself."""
    head, columns = definition.split("(", 1)
    columns = columns.rsplit(")", 1)[0]
    names = [c.strip().strip('"') for c in columns.split(",")]
    return definition if column in names else f"{head}({columns}, {_q(column)})"
