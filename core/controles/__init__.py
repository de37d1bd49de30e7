"""Contrôle de cohérence en Python pur : détecteurs de valeurs suspectes, seuils, qualité de détection.

Les règles du questionnaire sont évaluées par ``core.questionnaire.evaluation`` (le même code que
le formulaire) ; ce paquet ajoute les détecteurs qui comparent une réponse à celle de l'an dernier
et à celles des structures comparables (``detecteurs``), leurs seuils (``reglages``), des réponses
synthétiques avec erreurs plantées (``synthese``) et la mesure du rappel (``qualite``).
"""

from core.controles.detecteurs import (
    CODE_EVOLUTION,
    CODE_PAIRS,
    CODE_RATIO,
    CODE_UNITE,
    DETECTEURS,
    Descriptions,
    Detection,
    LigneReponse,
    detecter,
    retenir,
    signature,
    tableau,
)
from core.controles.reglages import Ratio, Seuils

__all__ = [
    "CODE_EVOLUTION",
    "CODE_PAIRS",
    "CODE_RATIO",
    "CODE_UNITE",
    "DETECTEURS",
    "Descriptions",
    "Detection",
    "LigneReponse",
    "Ratio",
    "Seuils",
    "detecter",
    "retenir",
    "signature",
    "tableau",
]
