"""Libellés et lignes d'affichage partagés par l'accueil, les campagnes et les structures."""

from core.perimetre import MandatActif
from core.roles import Niveau
from core.territoires import departements_par_code, regions
from senacs.campagnes.models import Campagne
from senacs.campagnes.selectors import Avancement, cle_departement

CLASSES_ETATS = {
    "non_commencee": "etiquette--erreur",
    "brouillon": "etiquette--saisie",
    "soumise": "etiquette--attention",
    "validee": "etiquette--succes",
}


def libelle_departement(code: str) -> str:
    departement = departements_par_code().get(code)
    return f"{code} – {departement.nom}" if departement else code


def libelle_region(code: str) -> str:
    return next((r.nom for r in regions() if r.code == code), code)


def libelle_territoire(mandat: MandatActif) -> str:
    if mandat.niveau == Niveau.NATION:
        return "France entière"
    if mandat.niveau == Niveau.REGION:
        return f"Région {libelle_region(mandat.code)}"
    if mandat.niveau == Niveau.DEPARTEMENT:
        return f"Département {libelle_departement(mandat.code)}"
    return f"Structure n° {mandat.code}"


def choix_departements(codes) -> list[tuple[str, str]]:
    return [(code, libelle_departement(code)) for code in sorted(codes, key=cle_departement)]


def lignes_avancement(campagne: Campagne, avancements: list[Avancement]) -> list[dict]:
    """Lignes d'avancement par département, avec la date limite de saisie effective (prorogation comprise)."""
    lignes = []
    for a in avancements:
        fin = campagne.fin_saisie_pour(a.code)
        lignes.append({"avancement": a, "fin_saisie": fin, "prorogee": fin != campagne.date_fin_saisie})
    return lignes
