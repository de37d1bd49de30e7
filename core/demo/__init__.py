"""Générateur déterministe des données de démonstration (Python pur : n'importe jamais Django).

``generer_donnees_demo(graine=2026)`` produit, sans base de données, le registre (fédérations,
gestionnaires, zones, ≈ 2 380 CS et 1 690 EVS actifs plus les structures fermées depuis 2020, avec
leurs agréments), six campagnes et leurs réponses à tout le questionnaire de chaque campagne (avec ≈ 3 %
d'anomalies connues, ``anomalies_injectees``), et les comptes de démonstration. Même
graine, même résultat, octet pour octet (``DonneesDemo.empreinte()``) ; aucune date ne dépend de
l'horloge. ``taille`` (0 < taille ≤ 1) réduit le jeu en gardant sa forme (tests rapides).
"""

from core.demo.campagnes import generer_campagnes, generer_reponses
from core.demo.comptes import MOT_DE_PASSE_DEMO, choisir_structures_demo, generer_comptes
from core.demo.modeles import DonneesDemo
from core.demo.registre import FabriqueRegistre
from core.demo.reponses import charger_questionnaires, completer_reponses

GRAINE_PAR_DEFAUT = 2026

__all__ = ["GRAINE_PAR_DEFAUT", "MOT_DE_PASSE_DEMO", "DonneesDemo", "generer_donnees_demo"]


def generer_donnees_demo(
    graine: int = GRAINE_PAR_DEFAUT, *, taille: float = 1.0, questionnaires: dict | None = None
) -> DonneesDemo:
    """``questionnaires`` : campagne → ``Questionnaire`` (par défaut, ceux de ``questionnaires/`` du dépôt)."""
    if not 0 < taille <= 1:
        raise ValueError("La taille du jeu de démonstration doit être comprise entre 0 (exclu) et 1.")
    federations, gestionnaires, zones, structures = FabriqueRegistre(graine, taille).fabriquer()
    structures_demo = choisir_structures_demo(structures)
    utilisateurs = generer_comptes(graine, structures_demo)
    brouillons = {u.mandats[0].structure: u.email for u in utilisateurs if u.mandats[0].structure is not None}
    campagnes = generer_campagnes()
    reponses = generer_reponses(graine, structures, campagnes, brouillons)
    questionnaires = questionnaires or charger_questionnaires()
    reponses, anomalies, comptes_structures, notes = completer_reponses(
        graine, structures, campagnes, reponses, questionnaires, utilisateurs
    )
    return DonneesDemo(
        graine=graine,
        taille=taille,
        federations=federations,
        gestionnaires=gestionnaires,
        zones=zones,
        structures=structures,
        campagnes=campagnes,
        reponses=reponses,
        utilisateurs=utilisateurs,
        comptes_structures=comptes_structures,
        anomalies_injectees=anomalies,
        notes=notes,
    )
