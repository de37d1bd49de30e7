"""Catalogue des indicateurs des analyses : des statistiques de questions que la diffusion publie déjà
(``senacs.statistiques.selectors.questions_statistiques``) ; la variable de chaque campagne suit les
correspondances déclarées (``correspondances.yaml``)."""

from functools import cache
from pathlib import Path

from core.analyses.correspondances import Version, codes_pour, lire
from core.analyses.modele import Indicateur

FICHIER_CORRESPONDANCES = Path(__file__).with_name("correspondances.yaml")

INDICATEURS: tuple[Indicateur, ...] = (
    Indicateur("budget_total", "Total des produits (budget)", "F04", "somme", "euros"),
    Indicateur("budget_moyen", "Total des produits, moyenne par structure", "F04", "moyenne", "euros"),
    Indicateur("charges_total", "Total des charges", "F02", "somme", "euros"),
    Indicateur("charges_personnel", "Charges de personnel", "F03", "somme", "euros"),
    Indicateur("financements_caf", "Financements Caf (prestations et subventions)", "F06", "somme", "euros"),
    Indicateur("ps_agc_acf", "Prestations de service Caf AGC et ACF", "F06", "somme", "euros"),
    Indicateur("financements_communes", "Financements des communes", "F11", "somme", "euros"),
    Indicateur("etp_total", "Salariés en équivalents temps plein (ETP)", "E02", "somme", "etp"),
    Indicateur("etp_moyen", "ETP salariés, moyenne par structure", "E02", "moyenne", "etp"),
    Indicateur("salaries", "Salariés (personnes physiques)", "E01", "somme", "personnes"),
    Indicateur("benevoles", "Bénévoles (personnes distinctes)", "D03", "somme", "personnes"),
    Indicateur("benevoles_moyen", "Bénévoles, moyenne par structure", "D03", "moyenne", "personnes"),
    Indicateur("heures_benevolat", "Heures de bénévolat", "D04", "somme", "heures"),
    Indicateur("personnes_touchees", "Personnes différentes touchées", "H01", "somme", "personnes"),
    Indicateur(
        "familles_touchees", "Familles touchées par les actions collectives familles", "H11", "somme", "familles"
    ),
    Indicateur("adherents", "Adhérents individuels", "C01", "somme", "personnes"),
    Indicateur("part_qpv", "Part des structures situées en QPV", "A18", "part", "pourcentage", "qpv"),
    Indicateur(
        "part_referent_famille",
        "Part des structures avec un(e) référent(e) famille",
        "E12",
        "part",
        "pourcentage",
        "oui",
    ),
    Indicateur(
        "part_aller_vers",
        "Part des structures menant des actions « hors les murs »",
        "B06",
        "part",
        "pourcentage",
        "oui",
    ),
    Indicateur(
        "part_numerique",
        "Part des structures agissant contre la fracture numérique",
        "H16",
        "part",
        "pourcentage",
        "oui",
    ),
    Indicateur(
        "part_france_services", "Part des structures labellisées France Services", "H17", "part", "pourcentage", "oui"
    ),
    Indicateur(
        "part_aide_alimentaire",
        "Part des structures proposant une aide alimentaire",
        "H23",
        "part",
        "pourcentage",
        "oui",
    ),
    Indicateur(
        "part_zonage_rural",
        "Part des structures en zone de revitalisation rurale (ZRR / FRR)",
        "A26",
        "part",
        "pourcentage",
        "oui",
    ),
    Indicateur(
        "structures_alsh", "Structures gérant un accueil de loisirs (ALSH)", "H05", "effectif", "structures", "oui"
    ),
)
PAR_CODE = {i.code: i for i in INDICATEURS}


@cache
def correspondances() -> dict[str, tuple[Version, ...]]:
    return lire(FICHIER_CORRESPONDANCES.read_text(encoding="utf-8"))


def codes_variable(indicateur: Indicateur, campagne: int) -> tuple[tuple[str, ...], str]:
    """(codes additionnés, note) de la variable de l'indicateur pour la campagne."""
    return codes_pour(correspondances(), indicateur.code, indicateur.question, campagne)
