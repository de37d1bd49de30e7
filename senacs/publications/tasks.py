"""Tâches de fond des plaquettes (django-tasks ; moteur base de données, ``senacs db_worker``)."""

from django_tasks import task


@task()
def rendre_lot(lot_id: int) -> str:
    """Rend les brouillons de tous les territoires d'un lot (reprise : les lignes faites sont sautées) ;
    rend le statut final du lot."""
    from senacs.publications.models import Lot, StatutLot
    from senacs.publications.services import LotOccupe, lot_executer

    lot = Lot.objects.select_related("campagne").filter(pk=lot_id).first()
    if lot is None or lot.statut == StatutLot.TERMINE:
        return lot.statut if lot else ""
    try:
        return lot_executer(lot).statut
    except LotOccupe:  # un autre exécutant le tient : rien à faire ici
        return StatutLot.EN_COURS
