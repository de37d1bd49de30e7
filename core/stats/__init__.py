"""Cœur statistique de SENACS (Python pur : jamais de Django).

API :
- ``calculer_statistiques(microdonnees, attendus, questions, campagne=…)`` → table de cellules ;
- ``vers_csv_ouvert(cellules, chemin)`` → le fichier open data (``docs/schemas/agregats-v1.md``).
"""

from core.stats.calcul import calculer_statistiques, catalogue_cellules, groupes_de
from core.stats.export import vers_csv_ouvert, vers_table_ouverte
from core.stats.modele import (
    COLONNES_INTERNES,
    COLONNES_OUVERTES,
    PUBLICS,
    SCHEMA_CELLULES,
    STATUT_PUBLIE,
    STATUT_SANS_OBJET,
    STATUT_SECRET,
    ErreurDonnees,
    Inegalite,
    QuestionStat,
    Relation,
    Territoires,
    valider_entrees,
)

__all__ = [
    "COLONNES_INTERNES",
    "COLONNES_OUVERTES",
    "PUBLICS",
    "SCHEMA_CELLULES",
    "STATUT_PUBLIE",
    "STATUT_SANS_OBJET",
    "STATUT_SECRET",
    "ErreurDonnees",
    "QuestionStat",
    "Inegalite",
    "Relation",
    "Territoires",
    "calculer_statistiques",
    "catalogue_cellules",
    "groupes_de",
    "valider_entrees",
    "vers_csv_ouvert",
    "vers_table_ouverte",
]
