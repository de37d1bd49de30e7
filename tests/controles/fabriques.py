"""Campagnes, réponses déposées et réponses de l'an dernier pour les tests du contrôle de cohérence.

Les réponses sont complètes et cohérentes avec le questionnaire 2025 (``core.controles.synthese``) :
un test y glisse l'erreur qu'il veut voir attrapée."""

import datetime

from django.conf import settings
from django.utils import timezone

from core.controles.synthese import StructureSynthetique, generer_pour
from senacs.questionnaires.services import questionnaire_charger_fichier
from senacs.reponses.models import Reponse
from tests.factories import CampagneFactory


def campagne_controle(annee: int = 2025, phase: str = "controle"):
    questionnaire = questionnaire_charger_fichier(settings.BASE_DIR / "questionnaires" / f"{annee}.yaml")
    campagne = CampagneFactory(annee=annee, phase=phase)
    campagne.questionnaire = questionnaire
    campagne.version_questionnaire = questionnaire.version
    campagne.phase = phase
    campagne.save()
    return campagne


def valeurs_synthetiques(structure, annee_donnees: int = 2024, graine: int = 7):
    """(valeurs de l'année, valeurs de l'an dernier) propres pour cette structure."""
    s = StructureSynthetique(
        structure.identifiant,
        structure.type,
        structure.departement_id,
        structure.type_territoire,
        structure.mode_gestion,
    )
    jeu = generer_pour([s], graine, annee_donnees=annee_donnees, part_sans_an_dernier=0)
    return dict(jeu.reponses[0].valeurs), dict(jeu.reponses[0].precedentes)


def reponse_deposee(campagne, structure, *, valeurs=None, precedentes=None, statut="soumise", **modifs):
    """Réponse déposée de la structure (valeurs propres par défaut, ``modifs`` par-dessus), avec sa
    réponse validée de l'an dernier (campagne précédente archivée, créée au besoin)."""
    propres, anciennes = valeurs_synthetiques(structure, campagne.annee_donnees)
    valeurs = dict(propres if valeurs is None else valeurs) | modifs
    precedentes = anciennes if precedentes is None else precedentes
    maintenant = timezone.now()
    if precedentes:
        precedente = CampagneFactory(annee=campagne.annee - 1, phase="archivee")
        Reponse.objects.update_or_create(
            campagne=precedente,
            structure=structure,
            defaults={"statut": "validee", "valeurs": precedentes, "soumise_le": maintenant},
        )
    return Reponse.objects.create(
        campagne=campagne,
        structure=structure,
        statut=statut,
        valeurs=valeurs,
        versions=dict.fromkeys(valeurs, 1),
        soumise_le=maintenant - datetime.timedelta(days=3) if statut != "brouillon" else None,
        validee_le=maintenant if statut == "validee" else None,
    )
