"""Écritures sur les questionnaires : chargement des fichiers YAML du dépôt comme données.

``questionnaire_charger_fichier(chemin)`` crée (ou retrouve) la ligne ``Questionnaire`` d'une version ;
``questionnaires_charger(dossier)`` charge tous les ``AAAA.yaml`` d'un dossier et les rattache aux
campagnes de la même année. Les deux sont idempotents (un second appel ne change rien et ne fait que
quelques lectures) : la démonstration peut les appeler à chaque lancement.
"""

from pathlib import Path

from django.conf import settings
from django.db import transaction

from core.questionnaire.definition import charger, vers_dict
from senacs.campagnes.models import Campagne
from senacs.questionnaires.models import Questionnaire, empreinte_definition

DOSSIER_QUESTIONNAIRES = Path(settings.BASE_DIR) / "questionnaires"


class QuestionnaireFige(ValueError):
    """La définition d'une version déjà utilisée par des réponses ne peut plus changer."""


def _source(chemin: Path) -> str:
    try:
        return str(chemin.resolve().relative_to(Path(settings.BASE_DIR).resolve()))
    except ValueError:
        return str(chemin)[-250:]


@transaction.atomic
def questionnaire_charger_fichier(chemin: str | Path) -> Questionnaire:
    """Ligne ``Questionnaire`` de la version décrite par le fichier YAML (validé : lève
    ``ErreurChargement`` en français s'il ne l'est pas).

    Même version et même définition : la ligne existante est rendue telle quelle. Même version mais
    définition modifiée : la ligne est mise à jour tant qu'aucune réponse ne s'en sert, sinon
    ``QuestionnaireFige`` (une version publiée ne se modifie plus : on en crée une nouvelle)."""
    chemin = Path(chemin)
    modele = charger(chemin)
    donnees = vers_dict(modele)
    empreinte = empreinte_definition(donnees)
    existant = Questionnaire.objects.select_for_update().filter(version=modele.version).first()
    if existant is not None:
        if existant.empreinte == empreinte:
            return existant
        if existant.campagnes.filter(reponses__isnull=False).exists():
            raise QuestionnaireFige(
                f"Le questionnaire {modele.version} sert déjà à des réponses : sa définition ne peut plus changer "
                f"(créez une nouvelle version)."
            )
        existant.titre = modele.titre
        existant.definition = donnees
        existant.source = _source(chemin)
        existant.save()
        return existant
    return Questionnaire.objects.create(
        version=modele.version, titre=modele.titre, definition=donnees, source=_source(chemin)
    )


@transaction.atomic
def questionnaires_charger(
    dossier: str | Path = DOSSIER_QUESTIONNAIRES, *, rattacher: bool = True
) -> list[Questionnaire]:
    """Charge chaque ``AAAA.yaml`` du dossier et, avec ``rattacher``, l'attache à la campagne de la même
    année quand elle existe (``campagne.questionnaire`` et ``version_questionnaire``)."""
    lignes = []
    campagnes = {c.annee: c for c in Campagne.objects.all()}
    for chemin in sorted(Path(dossier).glob("[0-9][0-9][0-9][0-9].yaml")):
        questionnaire = questionnaire_charger_fichier(chemin)
        lignes.append(questionnaire)
        if not rattacher:
            continue
        campagne = campagnes.get(questionnaire.modele.campagne)
        if campagne is not None and (
            campagne.questionnaire_id != questionnaire.pk or campagne.version_questionnaire != questionnaire.version
        ):
            campagne.questionnaire = questionnaire
            campagne.version_questionnaire = questionnaire.version
            campagne.save(update_fields=["questionnaire", "version_questionnaire"])
    return lignes
