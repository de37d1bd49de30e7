"""Chargement du référentiel : 18 régions, 101 départements (codes INSEE) et la Caf de chaque département.

Sert à la migration de données (avec les modèles historiques) et aux tests qui vident la base.
"""

from core.territoires import departements, regions


def nom_caf(nom_departement: str) -> str:
    return f"Caf – {nom_departement}"


def referentiel_charger(Region, Departement, Caf) -> None:  # noqa: N803 - classes de modèles passées en argument
    for r in regions():
        Region.objects.update_or_create(code=r.code, defaults={"nom": r.nom})
    for d in departements():
        dep, _ = Departement.objects.update_or_create(code=d.code, defaults={"nom": d.nom, "region_id": d.code_region})
        Caf.objects.update_or_create(departement=dep, defaults={"nom": nom_caf(d.nom)})
