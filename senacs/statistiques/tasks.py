"""Tâches de fond des statistiques (django-tasks ; moteur base de données, ``senacs db_worker``)."""

from django_tasks import task

from senacs.statistiques.models import DemandeTableaux, StatutDemande


@task()
def produire_tableaux_automatises(demande_id: int) -> str:
    """Produit le XLSX et le PDF d'une demande de tableaux automatisés ; rend le statut final."""
    from senacs.statistiques.automatises import demande_produire

    demande = (
        DemandeTableaux.objects.select_related("structure", "campagne__questionnaire", "diffusion", "demandee_par")
        .filter(pk=demande_id, statut=StatutDemande.EN_ATTENTE)
        .first()
    )
    if demande is None:  # déjà produite, ou supprimée entre-temps
        return ""
    return demande_produire(demande).statut


@task()
def diffuser_agregats(annee: int, motif: str = "") -> int:
    """Diffusion des agrégats d'une campagne en tâche de fond (calcul, secret, audit, gel : de quelques
    secondes à une demi-minute pour une campagne nationale) ; rend le numéro de la diffusion."""
    from senacs.campagnes.models import Campagne
    from senacs.statistiques.services import diffusion_publier

    return diffusion_publier(campagne=Campagne.objects.get(annee=annee), motif=motif).numero
