"""On PostgreSQL, each statement that writes outbox rows notifies channel `linli_outbox`
(linli.core.events.OUTBOX_CHANNEL), delivered when its transaction commits: the event streams'
readers wake at once (linli/notify/wakeup.py). A trigger rather than a statement in `publish`:
no extra round trip per event, and any insert is covered. SQLite has no notifications."""

from django.db import migrations

CREATE = """
CREATE FUNCTION linli_outbox_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('linli_outbox', '');
    RETURN NULL;
END $$;
CREATE TRIGGER linli_outbox_notify AFTER INSERT ON core_outboxevent
    FOR EACH STATEMENT EXECUTE FUNCTION linli_outbox_notify();
"""
DROP = """
DROP TRIGGER IF EXISTS linli_outbox_notify ON core_outboxevent;
DROP FUNCTION IF EXISTS linli_outbox_notify();
"""


def _on_postgresql(sql: str):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("core", "0002_initial")]

    operations = [migrations.RunPython(_on_postgresql(CREATE), _on_postgresql(DROP), elidable=False)]
