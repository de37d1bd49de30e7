"""Lecture des formulaires de saisie.

Les champs d'une section portent le code de la question (``E01``) et, à côté, la version de la
réponse chargée avec la page (``version_E01``) : c'est elle qui permet de détecter qu'une réponse a
changé entre-temps (aucune saisie perdue en silence). La conversion du texte vers la valeur stockée
est celle, pure, de ``core.questionnaire.saisie``.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.http import QueryDict

from core.formats import lecture_a_confirmer
from core.questionnaire.evaluation import Anomalie
from core.questionnaire.modele import TYPES_NOMBRE, Question, Questionnaire
from core.questionnaire.saisie import ErreurSaisie, formater, lire
from senacs.reponses.services import LONGUEUR_MAX_JUSTIFICATION, VERSION_INCONNUE

PREFIXE_VERSION = "version_"
PREFIXE_JUSTIFICATION = "justification_"


def version_lue(texte: str | None) -> int:
    """Version envoyée par le formulaire ; illisible → VERSION_INCONNUE (jamais d'écrasement sans contrôle)."""
    try:
        version = int(texte or "")
    except (TypeError, ValueError):
        return VERSION_INCONNUE
    return version if 0 <= version < 2**31 else VERSION_INCONNUE


def brut(question: Question, donnees: QueryDict, nom: str | None = None) -> Any:
    """Ce que le formulaire envoie pour une question : texte, ou liste de codes (choix multiple)."""
    nom = nom or question.code
    if question.type == "choix_multiple":
        return donnees.getlist(nom)
    return donnees.get(nom, "")


@dataclass
class Lecture:
    """Champs lus : valeurs à enregistrer avec leur version chargée, et textes refusés (erreur de saisie)."""

    saisies: dict[str, tuple[Any, int]] = field(default_factory=dict)
    erreurs: dict[str, str] = field(default_factory=dict)
    textes: dict[str, Any] = field(default_factory=dict)  # ce qui a été tapé, pour le remontrer tel quel
    # Nombres dont la lecture peut surprendre (« 12.000 » lu 12 000) : ce qui a été compris, à montrer.
    lus: dict[str, str] = field(default_factory=dict)


def lire_champs(questionnaire: Questionnaire, questions: Iterable[Question], donnees: QueryDict) -> Lecture:
    """Lit les champs présents dans le formulaire (ceux dont la version est envoyée : un champ masqué
    ou désactivé n'envoie rien et n'est pas touché ; un choix sans case cochée vaut réponse vide)."""
    lecture = Lecture()
    for q in questions:
        if not q.saisie or PREFIXE_VERSION + q.code not in donnees:
            continue
        texte = brut(q, donnees)
        lecture.textes[q.code] = texte
        try:
            valeur = lire(q, texte, [c.code for c in questionnaire.choix(q.code)])
        except ErreurSaisie as exc:
            lecture.erreurs[q.code] = exc.message
            continue
        lecture.saisies[q.code] = (valeur, version_lue(donnees.get(PREFIXE_VERSION + q.code)))
        if q.type in TYPES_NOMBRE and valeur is not None and lecture_a_confirmer(texte):
            lecture.lus[q.code] = formater(q, valeur)
    return lecture


class JustificationsForm(forms.Form):
    """Une justification (obligatoire, 1 000 caractères au plus) par avertissement à déposer."""

    def __init__(self, *args, avertissements: list[Anomalie], initiales: dict[str, str], **kwargs):
        super().__init__(*args, **kwargs)
        self.avertissements = avertissements
        for a in avertissements:
            self.fields[PREFIXE_JUSTIFICATION + a.code_regle] = forms.CharField(
                label=a.message,
                required=True,
                max_length=LONGUEUR_MAX_JUSTIFICATION,
                initial=initiales.get(a.code_regle, ""),
                widget=forms.Textarea(attrs={"rows": 3}),
                error_messages={
                    "required": "Justifiez cet avertissement en quelques mots.",
                    "max_length": "1 000 caractères au plus (votre justification en compte %(show_value)d).",
                },
            )

    def justifications(self) -> dict[str, str]:
        donnees = self.cleaned_data if hasattr(self, "cleaned_data") else {}
        return {
            a.code_regle: donnees[PREFIXE_JUSTIFICATION + a.code_regle]
            for a in self.avertissements
            if donnees.get(PREFIXE_JUSTIFICATION + a.code_regle)
        }

    def lignes(self):
        return [(a, self[PREFIXE_JUSTIFICATION + a.code_regle]) for a in self.avertissements]
