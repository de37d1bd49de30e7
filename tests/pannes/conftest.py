"""Tests de pannes : concurrence réelle (fils d'exécution, transactions PostgreSQL), processus tués
(kill -9), fichiers interrompus. Ceux qui exigent PostgreSQL sont sautés sur SQLite et passent dans
le second passage de la CI (``DATABASE_URL=postgres://…``)."""

import pytest
from django.conf import settings

from senacs.questionnaires.services import questionnaire_charger_fichier


@pytest.fixture
def q2026(db):
    return questionnaire_charger_fichier(settings.BASE_DIR / "questionnaires" / "2026.yaml")
