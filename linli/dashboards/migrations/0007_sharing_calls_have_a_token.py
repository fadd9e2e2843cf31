import django.db.models.deletion
from django.db import migrations, models


def forget_calls_without_a_token(apps, schema_editor):
    # Calls with a key that matched no token were kept until now; they are logged by the server only.
    apps.get_model("dashboards", "SharingCall").objects.filter(token__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("dashboards", "0006_merge")]

    operations = [
        migrations.RunPython(forget_calls_without_a_token, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="sharingcall",
            name="token",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE, related_name="calls", to="dashboards.sharingtoken"
            ),
        ),
    ]
