"""Monthly partitions on PostgreSQL: the tables are partitioned after migrate, the daily job
creates the months ahead once, and dropping audit months keeps the chain verifiable."""

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from linli.core import audit, partitions
from linli.core.audit import record, verify_chain
from linli.core.models import AuditEntry, AuditHead
from linli.core.partitions import add_months, month_start
from linli.core.periodic import create_partitions_ahead

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="partitions are PostgreSQL's; SQLite keeps plain tables"
)
TABLES = {"access_accessevent": "at", "iot_reading": "ts", "core_auditentry": "at"}


@pytest.mark.django_db
def test_the_growing_tables_are_partitioned_by_month_after_migrate():
    assert {(t.table, t.column) for t in partitions.registered()} == set(TABLES.items())
    this = month_start(timezone.now())
    for table in TABLES:
        assert partitions.is_partitioned(table), table
        assert {this, add_months(this, 1), add_months(this, 2)} <= set(partitions.months(table)), table
        with connection.cursor() as cursor:
            cursor.execute("SELECT to_regclass(%s)", [f"{table}_default"])
            assert cursor.fetchone()[0] is not None


@pytest.mark.django_db
def test_the_daily_job_creates_the_months_ahead_once():
    later = add_months(month_start(timezone.now()), 5)
    create_partitions_ahead(later)
    first = {table: partitions.months(table) for table in TABLES}
    for table in TABLES:
        assert {later, add_months(later, 1), add_months(later, 2)} <= set(first[table])
    assert partitions.create_ahead(later) == 0
    assert {table: partitions.months(table) for table in TABLES} == first


def _as_if_committed() -> None:
    """The rows above were written in this test's transaction, their deferred foreign-key checks
    still pending, and PostgreSQL drops no table with pending checks. Production drops months
    written long ago; checking now makes the test's rows alike."""
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")


def _chain_backdated(months_back: int, count: int) -> None:
    """`count` entries, then the whole chain re-hashed as if written `months_back` months ago,
    a day apart (record() stamps the present; a real chain that old is what retention meets)."""
    for n in range(count):
        record(actor=None, action="test.old", object_type="test", object_id=n)
    start = add_months(month_start(timezone.now()), -months_back)
    partitions.ensure_months("core_auditentry", "at", [start + timedelta(days=n) for n in range(count)])
    prev = audit.GENESIS
    for n, entry in enumerate(AuditEntry.objects.order_by("id")):
        AuditEntry.objects.filter(pk=entry.pk).delete()
        entry.at, entry.prev_hash = start + timedelta(days=n), prev
        entry.hash = audit.entry_digest(prev, audit._hashed_fields(entry))
        entry.save(force_insert=True)
        prev = entry.hash
    AuditHead.objects.filter(pk=1).update(last_hash=prev)


@pytest.mark.django_db
def test_dropping_audit_months_keeps_the_chain_verifiable_and_tampering_visible():
    _chain_backdated(months_back=4, count=70)  # 70 days from four months ago: into the third month
    record(actor=None, action="test.now", object_type="test", object_id="now")
    _as_if_committed()
    assert verify_chain().ok
    cutoff = add_months(month_start(timezone.now()), -2)
    before = AuditEntry.objects.count()
    left_behind = AuditEntry.objects.filter(at__gte=cutoff).count()

    assert audit.drop_months_before(cutoff) >= 1

    assert not AuditEntry.objects.filter(at__lt=cutoff).exists()
    assert AuditEntry.objects.count() == left_behind + 1 < before  # the cut itself is an entry
    cut = AuditEntry.objects.get(action=audit.PRUNED)
    result = verify_chain()
    assert result.ok, result
    assert result.checked == left_behind + 1

    oldest = AuditEntry.objects.order_by("id").first()
    assert oldest.prev_hash == cut.after["through_hash"]
    AuditEntry.objects.filter(pk=oldest.pk).delete()  # someone removes the oldest entry kept
    broken = verify_chain()
    assert not broken.ok
    assert broken.reason == "prev_hash does not match the entry before"
