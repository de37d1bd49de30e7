"""Charge les 18 régions, les 101 départements (codes INSEE) et la Caf de chaque département."""

from django.db import migrations

from senacs.territoires.referentiel import referentiel_charger


def charger(apps, schema_editor):
    referentiel_charger(
        apps.get_model("territoires", "Region"),
        apps.get_model("territoires", "Departement"),
        apps.get_model("territoires", "Caf"),
    )


class Migration(migrations.Migration):
    dependencies = [("territoires", "0001_initial")]

    operations = [migrations.RunPython(charger, migrations.RunPython.noop)]
