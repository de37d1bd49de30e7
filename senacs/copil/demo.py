"""COPIL de démonstration, à partir des mandats « copil », « preparateur » et « invite » de la démo.

``demo_copils(graine)`` est idempotente (un second appel ne change rien) :

- chaque mandat « copil » valide devient un membre du comité de son territoire (côté Caf ou
  fédération selon l'organisme mandant du mandat, qui est repris tel quel) ;
- chaque mandat « invite » valide devient un invité du comité ;
- chaque mandat « preparateur » valide devient la désignation **effective** de cette personne pour la
  campagne en cours : proposée par un membre d'un côté, approuvée par un membre de l'autre. Si le
  comité n'a de membre que d'un côté, la personne désignée y entre comme membre du côté de son propre
  mandat (c'est le cas de l'Ain dans la démo). Son mandat de préparateur est repris et prend fin avec
  la campagne.
"""

from django.db import transaction
from django.utils import timezone

from core.roles import Organisme, Role
from senacs.campagnes.models import Campagne
from senacs.comptes.models import Mandat
from senacs.copil.models import Cote, MembreCopil, Niveau
from senacs.copil.services import (
    copil_pour,
    designation_approuver,
    designation_en_cours,
    designation_proposer,
    est_invite,
    invite_ajouter,
    membre_ajouter,
    membre_de,
)


def _copil_du_mandat(mandat: Mandat):
    if mandat.niveau == "nation":
        return copil_pour(Niveau.NATION)
    if mandat.niveau == "region":
        return copil_pour(Niveau.REGION, mandat.region_id)
    if mandat.niveau == "departement":
        return copil_pour(Niveau.DEPARTEMENT, mandat.departement_id)
    return None


def _cote(mandat: Mandat) -> str:
    return Cote.FEDERATION if mandat.organisme == Organisme.FEDERATION else Cote.CAF


@transaction.atomic
def demo_copils(graine: int = 0) -> dict[str, int]:
    """Membres, invités et désignations effectives des COPIL de la démonstration (``graine`` : pour la
    signature commune des générateurs de démo ; le résultat ne dépend que des mandats)."""
    jour = timezone.localdate()
    bilan = {"membres": 0, "invites": 0, "designations": 0}
    mandats = (
        Mandat.objects.valides(jour)
        .filter(role__in=[Role.COPIL, Role.INVITE, Role.PREPARATEUR])
        .exclude(niveau="structure")
        .select_related("utilisateur")
        .order_by("role", "utilisateur__email", "pk")
    )
    preparateurs = []
    for mandat in mandats:
        copil = _copil_du_mandat(mandat)
        if copil is None:
            continue
        if mandat.role == Role.COPIL and membre_de(copil, mandat.utilisateur) is None:
            membre_ajouter(
                copil=copil, utilisateur=mandat.utilisateur, cote=_cote(mandat), date_debut=mandat.date_debut
            )
            bilan["membres"] += 1
        elif mandat.role == Role.INVITE and not est_invite(copil, mandat.utilisateur):
            invite_ajouter(
                copil=copil, utilisateur=mandat.utilisateur, qualite="Invité de la démonstration",
                date_debut=mandat.date_debut,
            )  # fmt: skip
            bilan["invites"] += 1
        elif mandat.role == Role.PREPARATEUR:
            preparateurs.append((copil, mandat))
    campagne = Campagne.objects.en_cours().order_by("-annee").first()
    if campagne is None:
        return bilan
    for copil, mandat in preparateurs:
        designe = mandat.utilisateur
        designation = designation_en_cours(copil, campagne)
        if designation is not None and designation.designe_id != designe.pk:
            continue
        membres = list(MembreCopil.objects.valides(jour).filter(copil=copil).select_related("utilisateur"))
        cotes = {m.cote for m in membres}
        if not {Cote.CAF, Cote.FEDERATION} <= cotes and membre_de(copil, designe) is None:
            membres.append(
                membre_ajouter(copil=copil, utilisateur=designe, cote=_cote(mandat), date_debut=mandat.date_debut)
            )
            bilan["membres"] += 1
        par_cote = {}
        for m in membres:
            par_cote.setdefault(m.cote, m.utilisateur)
        if not {Cote.CAF, Cote.FEDERATION} <= set(par_cote):
            continue
        autre = Cote.FEDERATION if _cote(mandat) == Cote.CAF else Cote.CAF
        if designation is None:
            designation = designation_proposer(copil=copil, campagne=campagne, designe=designe, par=par_cote[autre])
            bilan["designations"] += 1
        designation_approuver(designation=designation, par=par_cote[_cote(mandat)])
    return bilan
