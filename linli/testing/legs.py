"""Tests that run in one leg only: what the SQLite-only ones check does not depend on the test
database's engine, so the PostgreSQL leg would only repeat them; the PostgreSQL-only ones check
what only PostgreSQL has."""

import pytest
from django.db import connection


def sqlite_leg_only(why: str):
    return pytest.mark.skipif(connection.vendor != "sqlite", reason=why)


def postgresql_leg_only(why: str):
    return pytest.mark.skipif(connection.vendor != "postgresql", reason=why)
