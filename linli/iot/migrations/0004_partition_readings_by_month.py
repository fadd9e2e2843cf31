"""Raw readings partitioned by month on PostgreSQL (linli.core.partitions; SQLite unchanged):
retention drops a past month instead of deleting it row by row."""

from django.db import migrations

from linli.core.partitions import convert_to_monthly


def partition(apps, schema_editor):
    convert_to_monthly(schema_editor, "iot_reading", "ts")


class Migration(migrations.Migration):
    dependencies = [("iot", "0003_fitness")]

    operations = [migrations.RunPython(partition, migrations.RunPython.noop)]
