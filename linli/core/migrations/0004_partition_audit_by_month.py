"""The audit trail partitioned by month on PostgreSQL (linli.core.partitions; SQLite unchanged).
Its unique hash becomes unique with the entry's time, as a partitioned table's keys must hold
the partition key; the chain itself is what makes every hash distinct."""

from django.db import migrations

from linli.core.partitions import convert_to_monthly


def partition(apps, schema_editor):
    convert_to_monthly(schema_editor, "core_auditentry", "at")


class Migration(migrations.Migration):
    dependencies = [("core", "0003_outbox_notify")]

    operations = [migrations.RunPython(partition, migrations.RunPython.noop)]
