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
