"""Bytes per row of the tables that grow with use, on PostgreSQL: the inputs of docs/capacity.md.

    DATABASE_URL=postgres://… .venv/bin/python bench/rowsize.py [--rows 100000]

Builds the demo community (`seed_demo`, whose rows are written by the product's own services:
passages, readings, audit entries, outbox events, inbox messages, bills, ledger entries) in a
schema of its own (as bench/api.py; dropped at the end), then copies each table's demo rows onto
themselves (`INSERT … SELECT`, doubling) until it holds `--rows`, with every unique column given a
fresh value of the same width, and `VACUUM ANALYZE`s it. Per table, one JSON line: rows, the
average row as stored (`pg_column_size` of the row: what the heap holds of it, TOASTed values
compressed), and `pg_total_relation_size` / rows, which adds the tuple headers, page fill, the
indexes and the TOAST table — the figure to multiply by rows a month.
"""

import argparse
import io
import json
import sys

from _setup import log, setup_django
from api import database_url

# table → {unique column: SQL giving a fresh value of the real one's width}
TABLES = {
    "access_accessevent": {"uuid": "gen_random_uuid()"},
    "iot_reading": {},
    # A copy lands after the newest row: (device, key, hour) stays unique.
    "iot_hourlyaggregate": {"hour": "hour + (SELECT max(hour) - min(hour) + interval '1 hour' FROM {table})"},
    "iot_alarmlog": {},
    "core_auditentry": {"hash": "md5(random()::text) || md5(random()::text)"},
    "core_outboxevent": {},
    "notify_notification": {},
    "billing_bill": {},
    "billing_ledgerentry": {},
    "dashboards_dailyfigure": {"day": "day + (SELECT max(day) - min(day) + 1 FROM {table})"},
}


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000, help="rows per table after copying")
    return parser.parse_args()


def columns(cursor, table: str) -> list[str]:
    cursor.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() "
        "AND table_name = %s ORDER BY ordinal_position",
        [table],
    )
    return [name for (name,) in cursor.fetchall() if name != "id"]


def grow(cursor, table: str, fresh: dict[str, str], target: int) -> int:
    names = columns(cursor, table)
    values = ", ".join(fresh.get(name, f'"{name}"').format(table=f'"{table}"') for name in names)
    listed = ", ".join(f'"{name}"' for name in names)
    cursor.execute(f'SELECT count(*) FROM "{table}"')
    (rows,) = cursor.fetchone()
    while 0 < rows < target:
        cursor.execute(
            f'INSERT INTO "{table}" ({listed}) SELECT {values} FROM "{table}" LIMIT %s', [target - rows]
        )
        rows += cursor.rowcount
    return rows


def ingest_readings(cursor, rows: int) -> int:
    """The demo stores no raw readings: write them as `linli ingest` does (iot/ingest/store.py),
    one row per key of a message every 60 s from each of the demo's devices."""
    cursor.execute(
        "INSERT INTO iot_reading (device_id, ts, key, value) "
        "SELECT d.id, now() - (g / n.n) * interval '60 seconds', "
        "(array['co', 'smoke', 'battery', 'total', 'flow'])[1 + (g / n.n) % 5], round((random() * 100)::numeric, 1) "
        "FROM generate_series(0, %s - 1) g, (SELECT count(*) AS n FROM iot_device) n, "
        "LATERAL (SELECT id FROM iot_device ORDER BY id OFFSET g %% n.n LIMIT 1) d",
        [rows],
    )
    return cursor.rowcount


def measure(cursor, table: str, seeded: int, rows: int) -> dict:
    cursor.execute(f'VACUUM ANALYZE "{table}"')
    cursor.execute(
        f"SELECT avg(pg_column_size(t.*)), pg_relation_size(%s), pg_indexes_size(%s), "
        f'pg_total_relation_size(%s) FROM "{table}" t',
        [table, table, table],
    )
    row_bytes, heap, indexes, total = cursor.fetchone()
    cursor.execute(
        "SELECT count(*) FROM pg_indexes WHERE schemaname = current_schema() AND tablename = %s", [table]
    )
    (index_count,) = cursor.fetchone()
    return {
        "bench": "rowsize",
        "table": table,
        "seeded_rows": seeded,
        "rows": rows,
        "row_bytes": round(float(row_bytes), 1),
        "heap_bytes_per_row": round(heap / rows, 1),
        "index_bytes_per_row": round(indexes / rows, 1),
        "indexes": index_count,
        "total_bytes_per_row": round(total / rows, 1),
    }


def main() -> None:
    args = parse_args()
    url, drop_schema = database_url()
    if url is None:
        log("bench/rowsize.py measures PostgreSQL's storage: set DATABASE_URL=postgres://…")
        sys.exit(2)
    try:
        setup_django("rowsize", database_url=url)
        from django.core.management import call_command
        from django.db import IntegrityError, connection, transaction

        log("seeding the demo community …")
        call_command("seed_demo", stdout=io.StringIO())
        with connection.cursor() as cursor:
            for table, fresh in TABLES.items():
                cursor.execute(f'SELECT count(*) FROM "{table}"')
                (seeded,) = cursor.fetchone()
                if not seeded and table == "iot_reading":
                    seeded = ingest_readings(cursor, args.rows)
                if not seeded:
                    log(f"{table}: the demo has no rows; skipped")
                    continue
                try:
                    with transaction.atomic():
                        rows = grow(cursor, table, fresh, args.rows)
                except IntegrityError as exc:
                    log(f"{table}: copies break a unique constraint ({exc}); teach TABLES a fresh value")
                    continue
                print(json.dumps(measure(cursor, table, seeded, rows), ensure_ascii=False), flush=True)
        connection.close()
    finally:
        drop_schema()


if __name__ == "__main__":
    main()
