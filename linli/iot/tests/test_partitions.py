"""Raw readings partitioned by month on PostgreSQL: retention drops the months wholly past
LINLI_IOT_RAW_DAYS and deletes the rest of the boundary month row by row, as before."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test import override_settings
from django.utils import timezone

from linli.core import partitions
from linli.core.partitions import add_months, month_start
from linli.iot.models import Reading
from linli.iot.services import upkeep
from linli.testing import iot

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="partitions are PostgreSQL's; SQLite keeps a plain table"
)
TABLE = "iot_reading"


@override_settings(LINLI_IOT_RAW_DAYS=40)
def test_retention_drops_past_months_of_readings_and_trims_the_boundary_month(world):
    site = iot.site(world)
    now = timezone.now()
    cutoff = now - timedelta(days=40)
    old, boundary = add_months(month_start(cutoff), -1), month_start(cutoff)
    partitions.ensure_months(TABLE, "ts", [old, boundary])
    at = [old + timedelta(days=2), boundary, cutoff + timedelta(hours=1), now]
    Reading.objects.bulk_create([Reading(device=site.co, ts=ts, key="co", value=1.0) for ts in at])
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # PostgreSQL drops no table with pending checks

    upkeep.apply_retention(now)

    assert partitions.partition_name(TABLE, old) not in partitions.months(TABLE).values()
    assert partitions.partition_name(TABLE, boundary) in partitions.months(TABLE).values()
    assert sorted(Reading.objects.values_list("ts", flat=True)) == at[2:]
