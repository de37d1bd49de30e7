"""Tâches de fond du contrôle de cohérence (django-tasks ; moteur base de données, ``senacs db_worker``)."""

from django_tasks import task


@task()
def controler(campagne_id: int, territoire: str) -> int:
    """Contrôle en lot des réponses déposées d'un territoire (bouton du tableau de bord) ; rend le nombre
    d'anomalies à traiter relevées."""
    from senacs.campagnes.models import Campagne
    from senacs.controles.services import controle_lancer

    campagne = Campagne.objects.filter(pk=campagne_id).first()
    if campagne is None:
        return 0
    rapport = controle_lancer(campagne=campagne, territoire=territoire)
    return getattr(rapport, "anomalies", 0)
