from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("demo", "0001_chargement"),
    ]

    operations = [
        migrations.AddField(
            model_name="chargementdemo",
            name="anomalies_injectees",
            field=models.JSONField(blank=True, default=list, verbose_name="anomalies injectées"),
        ),
    ]
