"""Tâches de fond du contrôle de cohérence (django-tasks ; moteur base de données en production)."""

from django_tasks import task

from senacs.reponses.models import Reponse


@task()
def controler_reponse(reponse_id: int) -> int:
    """Contrôle une réponse qui vient d'être déposée ; rend le nombre d'anomalies présentes."""
    from senacs.controles.services import STATUTS_CONTROLES, controle_reponse

    reponse = Reponse.objects.filter(pk=reponse_id, statut__in=STATUTS_CONTROLES).first()
    if reponse is None:  # rouverte (brouillon) ou supprimée entre-temps : rien à contrôler
        return 0
    return controle_reponse(reponse).anomalies


@task()
def controler(campagne_id: int, territoire: str) -> int:
    """Contrôle en lot des réponses déposées d'un territoire (bouton du tableau de bord) ; rend le nombre
    d'anomalies relevées."""
    from senacs.campagnes.models import Campagne
    from senacs.controles.services import controle_lancer

    campagne = Campagne.objects.filter(pk=campagne_id).first()
    if campagne is None:
        return 0
    return getattr(controle_lancer(campagne=campagne, territoire=territoire), "anomalies", 0)
