"""Services des comités de pilotage : membres, invités, désignation du préparateur, partages.

Choix d'intégration avec les droits (voir ``docs/copil.md``) : être membre, invité ou préparateur
désigné, c'est détenir le mandat correspondant (« copil », « invite », « preparateur ») sur le
territoire du comité. Ces services créent, reprennent ou terminent ces mandats ; ``core.perimetre``
reste inchangé et les vues continuent de lire ``request.perimetre``.
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from core import capacites
from core.erreurs import ErreurMetier
from core.perimetre import Perimetre
from core.roles import Organisme, Role
from senacs.campagnes.models import Campagne, Phase
from senacs.comptes.models import Mandat
from senacs.comptes.services import compte_a_inviter, invitation_envoyer
from senacs.copil.models import (
    AccordDesignation,
    Copil,
    Cote,
    Designation,
    InviteCopil,
    MembreCopil,
    NatureDocument,
    Niveau,
    PartageDocument,
    StatutDesignation,
)
from senacs.territoires.models import Caf, Departement, Federation, Region


class ErreurCopil(ErreurMetier, ValidationError):
    """Action refusée (message en français)."""


# --------------------------------------------------------------------------- comités


def copil_pour(niveau: str, code: str = "FR") -> Copil:
    """Le COPIL d'un territoire, créé à la demande : ``copil_pour("departement", "69")``,
    ``copil_pour("region", "84")``, ``copil_pour("nation")``. Lève ``ErreurCopil`` si le code est inconnu."""
    if niveau == Niveau.NATION:
        copil, _ = Copil.objects.get_or_create(niveau=Niveau.NATION)
        return copil
    if niveau == Niveau.REGION:
        if not Region.objects.filter(code=code).exists():
            raise ErreurCopil(f"Région inconnue : {code}.")
        copil, _ = Copil.objects.get_or_create(niveau=Niveau.REGION, region_id=code)
        return copil
    if niveau == Niveau.DEPARTEMENT:
        if not Departement.objects.filter(code=code).exists():
            raise ErreurCopil(f"Département inconnu : {code}.")
        copil, _ = Copil.objects.get_or_create(niveau=Niveau.DEPARTEMENT, departement_id=code)
        return copil
    raise ErreurCopil(f"Niveau de COPIL inconnu : {niveau}.")


def _territoire_mandat(copil: Copil) -> dict:
    if copil.niveau == Niveau.NATION:
        return {"niveau": "nation", "region": None, "departement": None}
    if copil.niveau == Niveau.REGION:
        return {"niveau": "region", "region_id": copil.region_id, "departement": None}
    return {"niveau": "departement", "region": None, "departement_id": copil.departement_id}


def _organisme_mandant(copil: Copil, cote: str | None) -> dict:
    """Organisme mandant d'un mandat issu du comité : le côté de la personne (Caf ou fédération)."""
    if copil.niveau == Niveau.NATION or cote is None:
        return {"organisme": Organisme.NATIONAL, "caf": None, "federation": None}
    if cote == Cote.CAF:
        caf = None
        if copil.niveau == Niveau.DEPARTEMENT:
            caf = Caf.objects.filter(departement_id=copil.departement_id).first()
        else:
            caf = Caf.objects.filter(departement__region_id=copil.region_id).order_by("departement_id").first()
        return {"organisme": Organisme.CAF, "caf": caf, "federation": None}
    if copil.niveau == Niveau.DEPARTEMENT:
        federations = Federation.objects.filter(departements=copil.departement_id)
    else:
        federations = Federation.objects.filter(departements__region_id=copil.region_id)
    federation = federations.order_by("nom").first()
    return {"organisme": Organisme.FEDERATION, "caf": None, "federation": federation}


def _mandat_pour(
    *,
    copil: Copil,
    utilisateur,
    role: str,
    cote: str | None,
    debut: datetime.date,
    fin: datetime.date | None,
    accorde_par=None,
) -> Mandat:
    """Reprend un mandat valide du même rôle et du même territoire qui n'est encore rattaché à rien
    (créé à la main avant les COPIL), sinon en crée un."""
    territoire = _territoire_mandat(copil)
    filtre = {k: v for k, v in territoire.items() if v is not None}
    existants = (
        Mandat.objects.valides(timezone.localdate())
        .filter(utilisateur=utilisateur, role=role, **filtre)
        .filter(membre_copil__isnull=True, invite_copil__isnull=True, designation__isnull=True)
        .order_by("pk")
    )
    mandat = existants.first()
    if mandat is not None:
        mandat.date_fin = fin
        mandat.accorde_par = accorde_par or mandat.accorde_par
        mandat.save(update_fields=["date_fin", "accorde_par"])
        return mandat
    return Mandat.objects.create(
        utilisateur=utilisateur,
        role=role,
        date_debut=debut,
        date_fin=fin,
        accorde_par=accorde_par,
        **territoire,
        **_organisme_mandant(copil, cote),
    )


def _terminer_mandat(mandat: Mandat | None, jour: datetime.date) -> Mandat | None:
    """Fin de validité le jour même : dernier jour de validité la veille (ou suppression d'un mandat
    qui commençait aujourd'hui, faute de pouvoir le faire finir avant son début). Rend le mandat
    terminé, ou None s'il a été supprimé."""
    if mandat is None:
        return None
    veille = jour - datetime.timedelta(days=1)
    if mandat.date_debut > veille:
        mandat.delete()
        return None
    if mandat.date_fin is None or mandat.date_fin > veille:
        mandat.date_fin = veille
        mandat.save(update_fields=["date_fin"])
    return mandat


# --------------------------------------------------------------------------- membres et invités


def membre_de(copil: Copil, utilisateur, jour: datetime.date | None = None) -> MembreCopil | None:
    return MembreCopil.objects.valides(jour).filter(copil=copil, utilisateur=utilisateur).order_by("pk").first()


def est_invite(copil: Copil, utilisateur, jour: datetime.date | None = None) -> bool:
    return InviteCopil.objects.valides(jour).filter(copil=copil, utilisateur=utilisateur).exists()


@transaction.atomic
def membre_ajouter(
    *,
    copil: Copil,
    utilisateur,
    cote: str,
    date_debut: datetime.date | None = None,
    date_fin: datetime.date | None = None,
) -> MembreCopil:
    if cote not in Cote.values:
        raise ErreurCopil("Précisez le côté du membre : Caf ou fédération.")
    debut = date_debut or timezone.localdate()
    if date_fin is not None and date_fin < debut:
        raise ErreurCopil("La fin de la période doit suivre son début.")
    existant = membre_de(copil, utilisateur, debut)
    if existant is not None:
        raise ErreurCopil(f"{utilisateur} est déjà membre de ce comité.")
    mandat = _mandat_pour(copil=copil, utilisateur=utilisateur, role=Role.COPIL, cote=cote, debut=debut, fin=date_fin)
    return MembreCopil.objects.create(
        copil=copil, utilisateur=utilisateur, cote=cote, date_debut=debut, date_fin=date_fin, mandat=mandat
    )


@transaction.atomic
def membre_retirer(*, membre: MembreCopil, jour: datetime.date | None = None) -> MembreCopil:
    jour = jour or timezone.localdate()
    veille = jour - datetime.timedelta(days=1)
    membre.mandat = _terminer_mandat(membre.mandat, jour)
    if membre.date_debut > veille:
        membre.date_debut = veille
    membre.date_fin = veille
    membre.save(update_fields=["mandat", "date_debut", "date_fin"])
    return membre


@transaction.atomic
def invite_ajouter(
    *,
    copil: Copil,
    utilisateur,
    qualite: str = "",
    date_debut: datetime.date | None = None,
    date_fin: datetime.date | None = None,
    par=None,
) -> InviteCopil:
    """Invite un compte existant (``par`` : la personne qui invite, enregistrée sur le mandat ; elle ne
    s'invite pas elle-même)."""
    debut = date_debut or timezone.localdate()
    if par is not None and par.pk == utilisateur.pk:
        raise ErreurCopil("Personne ne s'invite soi-même.")
    if date_fin is not None and date_fin < debut:
        raise ErreurCopil("La fin de l'invitation doit suivre son début.")
    if InviteCopil.objects.valides(debut).filter(copil=copil, utilisateur=utilisateur).exists():
        raise ErreurCopil(f"{utilisateur} est déjà invité de ce comité.")
    mandat = _mandat_pour(
        copil=copil, utilisateur=utilisateur, role=Role.INVITE, cote=None, debut=debut, fin=date_fin, accorde_par=par
    )
    return InviteCopil.objects.create(
        copil=copil, utilisateur=utilisateur, qualite=qualite, date_debut=debut, date_fin=date_fin, mandat=mandat
    )


@transaction.atomic
def invite_inviter(
    *,
    copil: Copil,
    par,
    perimetre: Perimetre,
    email: str,
    prenom: str = "",
    nom: str = "",
    qualite: str = "",
    date_fin: datetime.date | None = None,
) -> tuple[InviteCopil, bool]:
    """Un membre du comité invite une personne par courriel : son compte est créé s'il n'existe pas
    (sans mot de passe ; le courriel porte le lien à usage unique qui expire, le même que pour les
    structures, ``senacs.comptes.services``), le mandat d'invité nomme qui l'a accordé. Rend l'invitation
    et si le compte est nouveau. Un invité ne voit que les documents partagés, jamais de réponse brute."""
    if copil.cle_territoire not in capacites.inviter_au_copil(perimetre) or membre_de(copil, par) is None:
        raise ErreurCopil("Seuls les membres de ce comité y invitent.")
    debut = timezone.localdate()
    if date_fin is not None and date_fin < debut:
        raise ErreurCopil("La fin de l'invitation ne peut pas précéder aujourd'hui.")
    try:
        utilisateur, nouveau = compte_a_inviter(par=par, email=email, prenom=prenom, nom=nom)
    except ValidationError as exc:
        raise ErreurCopil("Personne ne s'invite soi-même.") from exc
    invite = invite_ajouter(copil=copil, utilisateur=utilisateur, qualite=qualite, date_fin=date_fin, par=par)
    invitation_envoyer(mandat=invite.mandat, par=par, nouveau=nouveau)
    return invite, nouveau


@transaction.atomic
def invite_retirer(*, invite: InviteCopil, jour: datetime.date | None = None) -> InviteCopil:
    jour = jour or timezone.localdate()
    veille = jour - datetime.timedelta(days=1)
    invite.mandat = _terminer_mandat(invite.mandat, jour)
    if invite.date_debut > veille:
        invite.date_debut = veille
    invite.date_fin = veille
    invite.save(update_fields=["mandat", "date_debut", "date_fin"])
    return invite


# --------------------------------------------------------------------------- désignation


def designation_en_cours(copil: Copil, campagne: Campagne) -> Designation | None:
    return (
        Designation.objects.filter(
            copil=copil, campagne=campagne, statut__in=[StatutDesignation.PROPOSEE, StatutDesignation.EFFECTIVE]
        )
        .select_related("designe", "proposee_par", "mandat")
        .first()
    )


def cotes_d_accord(designation: Designation) -> set[str]:
    return set(designation.accords.values_list("membre__cote", flat=True))


@transaction.atomic
def designation_proposer(*, copil: Copil, campagne: Campagne, designe, par) -> Designation:
    """Un membre propose une personne ; son accord est enregistré (il compte pour son côté)."""
    membre = membre_de(copil, par)
    if membre is None:
        raise ErreurCopil("Seul un membre du comité peut proposer un préparateur.")
    if campagne.phase == Phase.ARCHIVEE or campagne.date_publication < timezone.localdate():
        raise ErreurCopil("La campagne est terminée : plus de désignation possible.")
    if designation_en_cours(copil, campagne) is not None:
        raise ErreurCopil(
            "Une désignation est déjà en cours pour cette campagne : retirez-la avant d'en proposer une autre."
        )
    if not designe.is_active:
        raise ErreurCopil("Ce compte est désactivé.")
    designation = Designation.objects.create(
        copil=copil, campagne=campagne, designe=designe, proposee_par=par, fin=campagne.date_publication
    )
    AccordDesignation.objects.create(designation=designation, membre=membre)
    _rendre_effective_si_accord(designation)
    return designation


@transaction.atomic
def designation_approuver(*, designation: Designation, par) -> Designation:
    """Accord d'un membre ; la désignation devient effective avec un accord Caf et un accord fédération."""
    designation = Designation.objects.select_for_update().get(pk=designation.pk)
    if designation.statut not in (StatutDesignation.PROPOSEE, StatutDesignation.EFFECTIVE):
        raise ErreurCopil("Cette désignation n'est plus en cours.")
    membre = membre_de(designation.copil, par)
    if membre is None:
        raise ErreurCopil("Seul un membre du comité peut approuver la désignation.")
    AccordDesignation.objects.get_or_create(designation=designation, membre=membre)
    _rendre_effective_si_accord(designation)
    return designation


def _rendre_effective_si_accord(designation: Designation) -> None:
    if designation.statut != StatutDesignation.PROPOSEE:
        return
    if not {Cote.CAF, Cote.FEDERATION} <= cotes_d_accord(designation):
        return
    maintenant = timezone.now()
    jour = timezone.localdate(maintenant)
    copil = designation.copil
    membre = membre_de(copil, designation.designe)
    cote = membre.cote if membre else designation.accords.order_by("le").first().membre.cote
    designation.mandat = _mandat_pour(
        copil=copil,
        utilisateur=designation.designe,
        role=Role.PREPARATEUR,
        cote=cote,
        debut=jour,
        fin=designation.fin,
    )
    designation.statut = StatutDesignation.EFFECTIVE
    designation.effective_le = maintenant
    designation.save(update_fields=["mandat", "statut", "effective_le"])


@transaction.atomic
def designation_retirer(*, designation: Designation, par) -> Designation:
    """Retrait par un membre du comité ou par la personne désignée : fin du mandat le jour même."""
    designation = (
        Designation.objects.select_for_update(of=("self",)).select_related("mandat", "copil").get(pk=designation.pk)
    )
    if designation.statut not in (StatutDesignation.PROPOSEE, StatutDesignation.EFFECTIVE):
        raise ErreurCopil("Cette désignation n'est plus en cours.")
    if par != designation.designe and membre_de(designation.copil, par) is None:
        raise ErreurCopil("Seuls les membres du comité et la personne désignée peuvent retirer la désignation.")
    maintenant = timezone.now()
    designation.mandat = _terminer_mandat(designation.mandat, timezone.localdate(maintenant))
    designation.statut = StatutDesignation.RETIREE
    designation.retiree_par = par
    designation.retiree_le = maintenant
    designation.save(update_fields=["mandat", "statut", "retiree_par", "retiree_le"])
    return designation


def designations_terminer(jour: datetime.date | None = None) -> int:
    """Passe à « terminée » les désignations effectives dont la campagne est finie (leur mandat a déjà
    expiré de lui-même à cette date : c'est un rangement, pas une condition des droits)."""
    jour = jour or timezone.localdate()
    return Designation.objects.filter(statut=StatutDesignation.EFFECTIVE, fin__lt=jour).update(
        statut=StatutDesignation.TERMINEE
    )


def designation_effective(copil: Copil, jour: datetime.date | None = None) -> Designation | None:
    """La désignation effective en cours du comité (la plus récente), s'il y en a une."""
    jour = jour or timezone.localdate()
    return (
        Designation.objects.filter(copil=copil, statut=StatutDesignation.EFFECTIVE, fin__gte=jour)
        .select_related("designe", "campagne")
        .order_by("-effective_le")
        .first()
    )


def est_preparateur_de(copil: Copil, utilisateur, jour: datetime.date | None = None) -> bool:
    d = designation_effective(copil, jour)
    return d is not None and d.designe_id == utilisateur.pk


# --------------------------------------------------------------------------- documents partagés


@transaction.atomic
def document_partager(*, copil: Copil, nature: str, reference: str, titre: str, par) -> PartageDocument:
    """Partage un document avec les invités du comité (membre ou préparateur seulement). Pour des
    tableaux, la référence est ``<année>`` ou ``<année>:<section>``, et la diffusion des agrégats de la
    campagne doit passer l'audit (``senacs.statistiques.services.audit_campagne_ok``)."""
    if membre_de(copil, par) is None and not est_preparateur_de(copil, par):
        raise ErreurCopil("Seuls les membres du comité et son préparateur partagent des documents.")
    if nature not in NatureDocument.values:
        raise ErreurCopil("Nature de document inconnue.")
    if nature == NatureDocument.TABLEAUX:
        from senacs.statistiques.services import ErreurPublication, audit_campagne_ok

        annee = reference.split(":", 1)[0]
        campagne = Campagne.objects.filter(annee=int(annee) if annee.isdigit() else 0).first()
        if campagne is None:
            raise ErreurCopil("Campagne inconnue.")
        try:
            rapport = audit_campagne_ok(campagne)
        except ErreurPublication as exc:
            raise ErreurCopil(str(exc)) from exc
        if not rapport.ok:
            raise ErreurCopil("L'audit du secret statistique échoue : ces tableaux ne peuvent pas être partagés.")
    existant = PartageDocument.objects.actifs().filter(copil=copil, nature=nature, reference=reference).first()
    if existant:
        return existant
    return PartageDocument.objects.create(
        copil=copil, nature=nature, reference=reference, titre=titre, partage_par=par
    )


@transaction.atomic
def document_retirer(*, partage: PartageDocument, par) -> PartageDocument:
    if membre_de(partage.copil, par) is None and not est_preparateur_de(partage.copil, par):
        raise ErreurCopil("Seuls les membres du comité et son préparateur retirent un partage.")
    partage.retire_le = timezone.now()
    partage.save(update_fields=["retire_le"])
    return partage
