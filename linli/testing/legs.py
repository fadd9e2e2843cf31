"""Tests that run in the SQLite leg only: what they check does not depend on the test database's
engine, so the PostgreSQL leg would only repeat them."""

import pytest
from django.db import connection


def sqlite_leg_only(why: str):
    return pytest.mark.skipif(connection.vendor != "sqlite", reason=why)
