from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from core.perimetre import Perimetre
from senacs.campagnes.models import Campagne, ChangementPhase, Phase, ProrogationSaisie

# Phases pendant lesquelles une date limite de saisie a encore un sens.
PHASES_PROROGEABLES = (Phase.PREPARATION, Phase.SAISIE)


@transaction.atomic
def campagne_changer_phase(*, campagne: Campagne, nouvelle_phase: str, par, perimetre: Perimetre, motif: str = ""):
    """Avance ou recule d'une phase (jamais de saut), par le comité technique national ; journalisé."""
    if not perimetre.est_national:
        raise PermissionDenied("Seul le comité technique national change la phase d'une campagne.")
    campagne = Campagne.objects.select_for_update().get(pk=campagne.pk)
    if nouvelle_phase == campagne.phase:
        raise ValidationError(f"La campagne est déjà en phase « {campagne.get_phase_display()} ».")
    if nouvelle_phase not in (campagne.phase_suivante(), campagne.phase_precedente()):
        raise ValidationError("Une campagne avance ou recule d'une seule phase à la fois.")
    if nouvelle_phase == campagne.phase_precedente() and not motif.strip():
        raise ValidationError("Un retour à la phase précédente doit être motivé.")
    ancienne = campagne.phase
    campagne.phase = nouvelle_phase
    campagne.save(update_fields=["phase"])
    ChangementPhase.objects.create(
        campagne=campagne, ancienne_phase=ancienne, nouvelle_phase=nouvelle_phase, par=par, motif=motif.strip()
    )
    return campagne


@transaction.atomic
def prorogation_accorder(*, campagne: Campagne, departement, date_fin_saisie, par, perimetre: Perimetre, motif=""):
    """Reporte la fin de saisie d'un département (correspondant de ce département ou national)."""
    if not (perimetre.est_national or perimetre.peut_suivre_departement(departement.code)):
        raise PermissionDenied("Ce département n'est pas dans votre périmètre.")
    campagne = Campagne.objects.select_for_update().get(pk=campagne.pk)
    if campagne.phase not in PHASES_PROROGEABLES:
        raise ValidationError("La saisie de cette campagne est close : sa date limite ne peut plus être prorogée.")
    if date_fin_saisie < campagne.date_fin_saisie:
        raise ValidationError("La nouvelle date limite ne peut pas précéder la date nationale de fin de saisie.")
    if date_fin_saisie > campagne.date_fin_controle:
        raise ValidationError("La nouvelle date limite doit rester avant la fin du contrôle de cohérence.")
    prorogation, _ = ProrogationSaisie.objects.update_or_create(
        campagne=campagne,
        departement=departement,
        defaults={"date_fin_saisie": date_fin_saisie, "motif": motif.strip(), "par": par, "le": timezone.now()},
    )
    return prorogation
