"""Plaquette d'exemple pour les tests (Lozère, Occitanie, France) : cellules et entrées de construction."""

from core.plaquette.construction import Cellules, Entrees, Lieu
from core.plaquette.rendu import VERSION_GABARIT

NATION = Lieu("nation", "FR", "France")
REGION = Lieu("region", "76", "Occitanie")
LOZERE = Lieu("departement", "48", "Lozère")

LIBELLES = {
    "A15": {"associatif": "Associatif", "collectivite": "Collectivité locale", "caf": "Caf (gestion directe)"},
    "A16": {"urbain": "Urbain", "rural": "Rural"},
    "A18": {"qpv": "En QPV", "non_concerne": "Non concernée"},
    "G03": {"caf": "Caf", "commune": "Commune"},
}


def lignes_territoire(lieu: Lieu, facteur: float, secrets: set[tuple[str, str, str]] = frozenset()):
    """Cellules d'un territoire : comptes, quelques sommes et parts ; ``secrets`` : (question, statistique,
    modalité) masquées (aucune valeur)."""

    def ligne(public, question, statistique, modalite, valeur):
        statut = "secret" if (question, statistique, modalite) in secrets else "publie"
        return (lieu.niveau, lieu.code, public, question, statistique, modalite, valeur, statut)

    rows = [
        ligne("ensemble", "*", "attendus", "", 12 * facteur),
        ligne("ensemble", "*", "repondants", "", 10 * facteur),
        ligne("CS", "*", "attendus", "", 8 * facteur),
        ligne("CS", "*", "repondants", "", 7 * facteur),
        ligne("EVS", "*", "attendus", "", 4 * facteur),
        ligne("EVS", "*", "repondants", "", 3 * facteur),
        ligne("ensemble", "H01", "somme", "", 12345 * facteur),
        ligne("ensemble", "E01", "somme", "", 234 * facteur),
        ligne("ensemble", "E02", "somme", "", 123.5 * facteur),
        ligne("ensemble", "E02", "mediane", "", 9.5),
        ligne("ensemble", "D03", "somme", "", 456 * facteur),
        ligne("ensemble", "F04", "somme", "", 4_567_890 * facteur),
        ligne("ensemble", "F04", "mediane", "", 432_100.0),
        ligne("ensemble", "F26", "somme", "", 4_000_000 * facteur),
        ligne("ensemble", "F06", "somme", "", 1_000_000 * facteur),
        ligne("ensemble", "F11", "somme", "", 800_000 * facteur),
        ligne("ensemble", "F13", "somme", "", 200_000 * facteur),
        ligne("ensemble", "A15", "part", "associatif", 70.0),
        ligne("ensemble", "A15", "part", "collectivite", 20.0),
        ligne("ensemble", "A15", "part", "caf", 10.0),
        ligne("ensemble", "A16", "part", "urbain", 60.0),
        ligne("ensemble", "A16", "part", "rural", 40.0),
        ligne("ensemble", "G03", "part", "caf", 90.0),
        ligne("ensemble", "G03", "part", "commune", 80.0),
        ligne("ensemble", "E12", "part", "oui", 75.0),
    ]
    return rows


SECRETS_LOZERE = {("E01", "somme", ""), ("F13", "somme", ""), ("A15", "part", "caf"), ("A15", "part", "collectivite")}


def cellules_exemple() -> Cellules:
    return Cellules(
        lignes_territoire(NATION, 300) + lignes_territoire(REGION, 20) + lignes_territoire(LOZERE, 1, SECRETS_LOZERE)
    )


def entrees(cellules, **kw):
    base = dict(
        cellules=cellules,
        lieu=LOZERE,
        nation=NATION,
        campagne=2025,
        annee_donnees=2024,
        libelles=LIBELLES,
        historique=[(2023, cellules), (2024, cellules)],
        comparaison=[REGION, NATION],
        textes={"edito": "Un **édito** co-signé.", "finances": "Les *Caf* d'abord. <script>x</script>"},
        mention="Projet — non publié",
        version_gabarit=VERSION_GABARIT,
        edite_le="29/11/2026",
    )
    base.update(kw)
    return Entrees(**base)
