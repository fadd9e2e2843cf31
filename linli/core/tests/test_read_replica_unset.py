"""Without LINLI_REPLICA_URL nothing changes: no alias, no router, every read on the one
database, no replica in the health check; with it, settings add the alias as a test mirror."""

import json
import os
import subprocess
import sys
from datetime import date

import pytest
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext

from linli.core.dbrouter import REPLICA
from linli.testing.billing_counter import issue_bill

JAN = date(2026, 1, 1)


@pytest.mark.django_db
def test_without_a_replica_everything_reads_the_primary(world, api):
    assert REPLICA not in connections
    issue_bill(world.house, 10000, JAN)
    with CaptureQueriesContext(connection) as reads:
        assert api(world.staff).get("/billing/reports/arrears", {"community": world.a.pk}).status_code == 200
    assert len(reads) > 0  # every query on the one database
    assert "replica" not in api().get("/health").json()["checks"]


PROBE = """
import json, django
django.setup()
from django.conf import settings
print(json.dumps({"aliases": sorted(settings.DATABASES), "routers": settings.DATABASE_ROUTERS,
                  "mirror": settings.DATABASES.get("replica", {}).get("TEST", {}).get("MIRROR")}))
"""


def settings_with(tmp_path, **env) -> subprocess.CompletedProcess:
    environ = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "LINLI_REPLICA_URL"}}
    environ.update(LINLI_VAR_DIR=str(tmp_path), DJANGO_SETTINGS_MODULE="linli.settings", **env)
    return subprocess.run(
        [sys.executable, "-c", PROBE], env=environ, capture_output=True, text=True, timeout=120
    )


def test_the_replica_alias_exists_only_with_linli_replica_url(tmp_path):
    plain = settings_with(tmp_path)
    assert plain.returncode == 0, plain.stderr
    assert json.loads(plain.stdout) == {"aliases": ["default"], "routers": [], "mirror": None}

    url = "postgres://linli:secret@replica.internal:5432/linli"
    replicated = settings_with(
        tmp_path, DATABASE_URL=url.replace("replica.", "primary."), LINLI_REPLICA_URL=url
    )
    assert replicated.returncode == 0, replicated.stderr
    assert json.loads(replicated.stdout) == {
        "aliases": ["default", "replica"],
        "routers": ["linli.core.dbrouter.ReplicaRouter"],
        "mirror": "default",
    }

    sqlite = settings_with(tmp_path, LINLI_REPLICA_URL=f"sqlite:///{tmp_path}/copy.sqlite3")
    assert sqlite.returncode != 0 and "LINLI_REPLICA_URL must be a postgres:// URL" in sqlite.stderr
