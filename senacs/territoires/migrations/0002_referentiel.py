"""Charge les 18 régions, les 101 départements (codes INSEE) et la Caf de chaque département."""

from django.db import migrations

from core.territoires import departements, regions


def nom_caf(nom_departement: str) -> str:
    return f"Caf – {nom_departement}"


def charger(apps, schema_editor):
    Region = apps.get_model("territoires", "Region")
    Departement = apps.get_model("territoires", "Departement")
    Caf = apps.get_model("territoires", "Caf")
    for r in regions():
        Region.objects.update_or_create(code=r.code, defaults={"nom": r.nom})
    for d in departements():
        dep, _ = Departement.objects.update_or_create(code=d.code, defaults={"nom": d.nom, "region_id": d.code_region})
        Caf.objects.update_or_create(departement=dep, defaults={"nom": nom_caf(d.nom)})


class Migration(migrations.Migration):
    dependencies = [("territoires", "0001_initial")]

    operations = [migrations.RunPython(charger, migrations.RunPython.noop)]
