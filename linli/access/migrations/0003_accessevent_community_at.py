from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("access", "0002_visitorpass_ended")]

    operations = [
        migrations.AddIndex(
            model_name="accessevent",
            index=models.Index(fields=["community", "at"], name="access_acce_communi_f3b123_idx"),
        ),
    ]
