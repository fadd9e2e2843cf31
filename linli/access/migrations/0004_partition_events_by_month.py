"""Access events partitioned by month on PostgreSQL (linli.core.partitions; SQLite unchanged).

A partitioned table's unique constraints must contain the partition key, so the terminal's event
id alone can no longer be unique by constraint; a trigger keeps it unique across all months
(serialised per id by an advisory lock), raising the same unique violation a replay met before.
Open commands keep the id of the event they opened for, without a foreign key: no key can point
at a partitioned table's id alone, and a dropped month must not be held back by a command."""

import django.db.models.deletion
from django.db import migrations, models

from linli.core.partitions import convert_to_monthly

UUID_UNIQUE = """
CREATE OR REPLACE FUNCTION access_event_uuid_unique() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_advisory_xact_lock(hashtextextended(NEW.uuid::text, 0));
    IF EXISTS (SELECT 1 FROM access_accessevent WHERE uuid = NEW.uuid) THEN
        RAISE unique_violation USING MESSAGE = 'duplicate access event uuid ' || NEW.uuid;
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER access_event_uuid_unique BEFORE INSERT ON access_accessevent
    FOR EACH ROW WHEN (NEW.uuid IS NOT NULL) EXECUTE FUNCTION access_event_uuid_unique();
"""


def partition(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_trigger WHERE tgname = 'access_event_uuid_unique'")
        done = cursor.fetchone() is not None
    convert_to_monthly(schema_editor, "access_accessevent", "at")
    if not done:
        schema_editor.execute(UUID_UNIQUE)


class Migration(migrations.Migration):
    dependencies = [("access", "0003_accessevent_community_at")]

    operations = [
        migrations.AlterField(
            model_name="opencommand",
            name="event",
            field=models.ForeignKey(
                db_constraint=False,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to="access.accessevent",
            ),
        ),
        migrations.RunPython(partition, migrations.RunPython.noop),
    ]
