import datetime
import logging

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from core import capacites
from core.perimetre import Perimetre
from core.roles import Role
from senacs.comptes.models import AcceptationCharte, Mandat, Utilisateur


@transaction.atomic
def charte_accepter(*, utilisateur) -> AcceptationCharte:
    acceptation, _ = AcceptationCharte.objects.get_or_create(
        utilisateur=utilisateur, version=settings.SENACS_CHARTE_VERSION
    )
    return acceptation


journal = logging.getLogger(__name__)


def lien(chemin: str) -> str:
    """Adresse absolue si ``SENACS_URL_SITE`` est réglé, sinon le chemin."""
    return f"{(getattr(settings, 'SENACS_URL_SITE', '') or '').rstrip('/')}{chemin}"


def envoyer_courriel(*, destinataires, sujet: str, gabarit: str, contexte: dict) -> None:
    """Un courriel par destinataire, envoyé après validation de la transaction (une panne du serveur de
    courriel est journalisée, l'action reste enregistrée)."""
    corps = render_to_string(gabarit, contexte)
    adresses = sorted({u.email for u in destinataires if u.email})

    def expedier():
        for adresse in adresses:
            try:
                send_mail(f"[SENACS] {sujet}", corps, None, [adresse])
            except Exception:
                journal.exception("Courriel non envoyé : « %s »", sujet)

    transaction.on_commit(expedier)


# =========================================================================== mandats et invitations
#
# Qui accorde quoi (design §1, issue 12) :
# - le comité technique national : les correspondants (pour le compte d'une Caf ou d'une fédération)
#   et les préparateurs ;
# - un correspondant : les comptes des structures de ses départements ;
# - (les membres d'un COPIL invitent leurs invités depuis la page du comité).
# Personne ne s'accorde un mandat ; un mandat qui ouvre les réponses d'autres structures attend
# l'approbation d'une seconde personne du côté mandant (un autre membre du national).


class ErreurMandat(ValidationError):
    """Refus d'accorder, d'approuver ou de retirer un mandat (message en français)."""


ROLES_A_DOUBLE_VALIDATION = frozenset({Role.CORRESPONDANT, Role.PREPARATEUR})


def peut_accorder(perimetre: Perimetre, *, role: str, departement: str | None, structure=None) -> bool:
    """Le périmètre de ``par`` l'autorise-t-il à accorder ce mandat ?"""
    if role in (Role.CORRESPONDANT, Role.PREPARATEUR):
        return capacites.piloter_au_national(perimetre)
    if role == Role.STRUCTURE and structure is not None:
        return structure.departement_id in capacites.departements_correspondant(perimetre)
    return False


def lien_mot_de_passe(utilisateur) -> str:
    """Lien à usage unique (jeton de réinitialisation de Django : il expire après
    ``PASSWORD_RESET_TIMEOUT`` et ne sert plus une fois le mot de passe choisi)."""
    uid = urlsafe_base64_encode(force_bytes(utilisateur.pk))
    jeton = default_token_generator.make_token(utilisateur)
    return lien(reverse("comptes:nouveau_mot_de_passe", kwargs={"uidb64": uid, "token": jeton}))


def _compte(email: str, prenom: str = "", nom: str = "") -> tuple[Utilisateur, bool]:
    email = Utilisateur.objects.normalize_email(email).strip().lower()
    utilisateur = Utilisateur.objects.filter(email__iexact=email).first()
    if utilisateur is not None:
        return utilisateur, False
    utilisateur = Utilisateur(email=email, prenom=prenom, nom=nom)
    utilisateur.set_unusable_password()
    utilisateur.save()
    return utilisateur, True


def compte_a_inviter(*, par: Utilisateur, email: str, prenom: str = "", nom: str = "") -> tuple[Utilisateur, bool]:
    """Compte de la personne invitée (créé sans mot de passe utilisable s'il n'existe pas, réactivé s'il
    était désactivé) et s'il est nouveau. Personne ne s'invite soi-même. À appeler dans la transaction
    qui crée le mandat : un refus ultérieur annule la création du compte."""
    utilisateur, nouveau = _compte(email, prenom, nom)
    if utilisateur.pk == par.pk:
        raise ErreurMandat("Personne ne s'accorde un mandat à soi-même.")
    if not utilisateur.is_active:
        utilisateur.is_active = True
        utilisateur.save(update_fields=["is_active"])
    return utilisateur, nouveau


def invitation_envoyer(*, mandat: Mandat, par: Utilisateur, nouveau: bool) -> None:
    """Courriel d'invitation (compte nouveau : lien à usage unique, qui expire, pour choisir le mot de
    passe) ou d'information (compte existant : lien de connexion), envoyé après validation."""
    envoyer_courriel(
        destinataires=[mandat.utilisateur],
        sujet="Invitation à la plateforme SENACS" if nouveau else "Nouveau mandat SENACS",
        gabarit="comptes/courriel_invitation.txt",
        contexte={
            "mandat": mandat,
            "par": par,
            "nouveau": nouveau,
            "lien": lien_mot_de_passe(mandat.utilisateur) if nouveau else lien(reverse("comptes:connexion")),
            "heures": settings.PASSWORD_RESET_TIMEOUT // 3600,
        },
    )


@transaction.atomic
def mandat_accorder(
    *,
    par: Utilisateur,
    perimetre: Perimetre,
    email: str,
    role: str,
    niveau: str,
    departement=None,
    region=None,
    structure=None,
    organisme: str,
    caf=None,
    federation=None,
    date_debut: datetime.date | None = None,
    date_fin: datetime.date | None = None,
    prenom: str = "",
    nom: str = "",
) -> Mandat:
    """Crée (au besoin) le compte et le mandat, et envoie le courriel d'invitation ou d'information."""
    code_departement = departement.code if departement is not None else None
    if not peut_accorder(perimetre, role=role, departement=code_departement, structure=structure):
        raise ErreurMandat("Vos mandats ne vous permettent pas d'accorder ce mandat.")
    utilisateur, nouveau = compte_a_inviter(par=par, email=email, prenom=prenom, nom=nom)
    mandat = Mandat(
        utilisateur=utilisateur,
        role=role,
        niveau=niveau,
        departement=departement,
        region=region,
        structure=structure,
        organisme=organisme,
        caf=caf,
        federation=federation,
        date_debut=date_debut or timezone.localdate(),
        date_fin=date_fin,
        accorde_par=par,
        en_attente=role in ROLES_A_DOUBLE_VALIDATION,
    )
    mandat.full_clean(exclude=["utilisateur"])
    mandat.save()
    invitation_envoyer(mandat=mandat, par=par, nouveau=nouveau)
    return mandat


def _mandat_verrouille(mandat: Mandat) -> Mandat:
    """Le mandat relu et verrouillé dans la transaction qui l'écrit : son état (en attente, retiré) est
    vérifié au moment d'écrire, pas sur une lecture faite avant (deux décisions simultanées)."""
    relu = Mandat.objects.select_for_update(of=("self",)).select_related("structure").filter(pk=mandat.pk).first()
    if relu is None:
        raise ErreurMandat("Ce mandat n'existe plus : il a été retiré entre-temps.")
    return relu


@transaction.atomic
def mandat_approuver(*, mandat: Mandat, par: Utilisateur, perimetre: Perimetre) -> Mandat:
    """Seconde personne du côté mandant : ni celle qui l'a accordé, ni la personne mandatée."""
    mandat = _mandat_verrouille(mandat)
    if not mandat.en_attente:
        raise ErreurMandat("Ce mandat n'attend pas d'approbation.")
    if par.pk in (mandat.accorde_par_id, mandat.utilisateur_id):
        raise ErreurMandat(
            "Une seconde personne doit approuver ce mandat : ni celle qui l'a accordé, ni la personne mandatée."
        )
    if not peut_accorder(perimetre, role=mandat.role, departement=mandat.departement_id, structure=mandat.structure):
        raise ErreurMandat("Vos mandats ne vous permettent pas d'approuver ce mandat.")
    mandat.en_attente = False
    mandat.approuve_par = par
    mandat.save(update_fields=["en_attente", "approuve_par"])
    return mandat


@transaction.atomic
def mandat_retirer(*, mandat: Mandat, par: Utilisateur, perimetre: Perimetre) -> Mandat:
    """Fin du mandat la veille (il n'ouvre plus rien aujourd'hui) ; le compte sans autre mandat en cours
    est désactivé."""
    mandat = _mandat_verrouille(mandat)
    if not peut_accorder(perimetre, role=mandat.role, departement=mandat.departement_id, structure=mandat.structure):
        raise ErreurMandat("Vos mandats ne vous permettent pas de retirer ce mandat.")
    hier = timezone.localdate() - datetime.timedelta(days=1)
    if mandat.en_attente or mandat.date_debut > hier:
        mandat.delete()
    else:
        mandat.date_fin = min(mandat.date_fin or hier, hier)
        mandat.save(update_fields=["date_fin"])
    utilisateur = mandat.utilisateur
    if not Mandat.objects.en_cours(timezone.localdate()).filter(utilisateur=utilisateur).exists():
        utilisateur.is_active = False
        utilisateur.save(update_fields=["is_active"])
    return mandat


def mandats_rappeler(*, jour: datetime.date | None = None, delais: tuple[int, ...] = (30, 7)) -> int:
    """Prévient chaque personne dont un mandat finit dans ``delais`` jours (un rappel par mandat et par
    échéance) ; renvoie le nombre de courriels."""
    jour = jour or timezone.localdate()
    envoyes = 0
    for delai in sorted(delais, reverse=True):
        echeance = jour + datetime.timedelta(days=delai)
        a_prevenir = (
            Mandat.objects.valides(jour)
            .filter(date_fin__gt=jour, date_fin__lte=echeance)
            .filter(Q(rappel_envoye_le__isnull=True) | Q(rappel_envoye_le__lt=jour - datetime.timedelta(days=delai)))
            .select_related("utilisateur", "region", "departement", "structure")
        )
        for mandat in a_prevenir:
            envoyer_courriel(
                destinataires=[mandat.utilisateur],
                sujet=f"Votre mandat finit le {mandat.date_fin.strftime('%d/%m/%Y')}",
                gabarit="comptes/courriel_rappel.txt",
                contexte={"mandat": mandat, "lien": lien(reverse("comptes:compte"))},
            )
            mandat.rappel_envoye_le = jour
            mandat.save(update_fields=["rappel_envoye_le"])
            envoyes += 1
    return envoyes
