"""Planner statistics. Without them SQLite picks the community index for a blind-index lookup
and scans a whole community; with them it goes straight to the row."""

from django.db import connection


def refresh_planner_statistics() -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA analysis_limit=1000")
            cursor.execute("ANALYZE")
        elif connection.vendor == "postgresql":
            cursor.execute("ANALYZE")
