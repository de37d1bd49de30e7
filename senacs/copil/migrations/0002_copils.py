"""Un comité de pilotage par département (101), par région (18) et le comité national."""

from django.db import migrations


def creer(apps, schema_editor):
    Copil = apps.get_model("copil", "Copil")
    Region = apps.get_model("territoires", "Region")
    Departement = apps.get_model("territoires", "Departement")
    Copil.objects.get_or_create(niveau="nation", region=None, departement=None)
    for region in Region.objects.all():
        Copil.objects.get_or_create(niveau="region", region=region, departement=None)
    for departement in Departement.objects.all():
        Copil.objects.get_or_create(niveau="departement", region=None, departement=departement)


class Migration(migrations.Migration):
    dependencies = [
        ("copil", "0001_initial"),
        ("territoires", "0002_referentiel"),
    ]

    operations = [migrations.RunPython(creer, migrations.RunPython.noop)]
