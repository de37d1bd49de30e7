"""Fixtures partagées du cœur (Python pur, sans base)."""

import pytest

from core.demo import generer_donnees_demo
from core.demo.reponses import charger_questionnaires


@pytest.fixture(scope="session")
def questionnaires():
    """Les questionnaires du dépôt, par campagne."""
    return charger_questionnaires()


@pytest.fixture(scope="session")
def demo(questionnaires):
    """Le jeu de démonstration complet (graine par défaut), tiré une fois par session : le calibrage
    (effectifs, parts, répartition régionale) ne se vérifie qu'à pleine taille. Les tests qui s'en
    servent sont marqués ``slow`` (lancés par ``make test`` et la CI)."""
    return generer_donnees_demo(questionnaires=questionnaires)


@pytest.fixture(scope="session")
def petit(questionnaires):
    """Un dixième du jeu (graine par défaut) : assez pour les invariants et le déterminisme, qui ne
    dépendent pas de la taille."""
    return generer_donnees_demo(taille=0.1, questionnaires=questionnaires)
