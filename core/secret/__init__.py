"""Secret statistique de SENACS (Python pur : jamais de Django).

API :
- ``Politique`` : paramètres (seuils, règle de dominance, règle p % au paramètre non publié…) ;
- ``appliquer_regles_primaires(cellules, questions, politique)`` : secret primaire ;
- ``proteger(cellules, questions, relations, politique, gel=…, deja_publiees=…)`` : primaire +
  secondaire, jusqu'à ce que l'audit ne trouve plus de cellule exposée ;
- ``auditer(cellules, questions, relations, politique, deja_publiees=…)`` : l'audit qui conditionne
  toute publication (``RapportAudit.ok``).
"""

from core.secret.audit import RapportAudit, auditer
from core.secret.politique import Politique
from core.secret.primaire import appliquer_regles_primaires, finaliser_statuts, violations_primaires
from core.secret.relations import Systeme, construire_systeme
from core.secret.secondaire import ResultatSecret, proteger, supprimer_secondaire

__all__ = [
    "Politique",
    "RapportAudit",
    "ResultatSecret",
    "Systeme",
    "appliquer_regles_primaires",
    "auditer",
    "construire_systeme",
    "finaliser_statuts",
    "proteger",
    "supprimer_secondaire",
    "violations_primaires",
]
