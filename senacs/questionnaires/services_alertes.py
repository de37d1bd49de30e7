"""Alertes de compréhension (charte 2.1) et FAQ du guide ; courriels de notification.

Une structure signale une question qu'elle ne comprend pas. L'alerte arrive chez les correspondants
de son département (Caf et fédération), qui lui répondent ou la transmettent au comité technique
national ; le national répond aux alertes transmises et peut ajouter sa réponse au guide (FAQ), que
toutes les structures voient à côté de la question. Chaque étape est datée dans le fil de l'alerte et
notifiée par courriel.

Cycle des statuts ::

    ouverte ──répondre (correspondant)──▶ repondue
       │  ▲                                  │
       │  └──────compléter (structure)───────┘
       └──transmettre (correspondant)──▶ escaladee ──répondre (national)──▶ repondue_national
                                            ▲                                   │
                                            └──────compléter (structure)────────┘

Une alerte transmise reste visible du national (escaladee ou repondue_national). Le statut « close »
n'est pas utilisé par ce cycle.

Portée : une structure voit ses alertes ; un correspondant, celles des départements de ses mandats de
correspondant ; le national, toutes les alertes transmises ; les autres rôles (COPIL, invités,
administrateurs) aucune.

Ce module porte aussi les aides communes aux notifications (destinataires d'un département, qualité
d'un utilisateur, envoi après validation de la transaction), réutilisées par le droit de regard
(``senacs.reponses.revue``) et l'import des réponses.
"""

import logging
from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mass_mail
from django.db import transaction
from django.db.models import Q, QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from core import capacites
from core.perimetre import Perimetre
from core.roles import Niveau, Organisme, Role
from core.territoires import departements_par_code
from senacs.campagnes.models import Campagne, Phase
from senacs.comptes.models import Mandat, Utilisateur
from senacs.questionnaires.importation import questionnaire_de_campagne
from senacs.questionnaires.models import AlerteComprehension, EntreeFAQ, MessageAlerte, StatutAlerte
from senacs.structures.models import Structure

PHASES_SIGNALEMENT = (Phase.SAISIE, Phase.CONTROLE)
STATUTS_NATIONAUX = (StatutAlerte.ESCALADEE, StatutAlerte.REPONDUE_NATIONAL)
STATUTS_CORRESPONDANT = (StatutAlerte.OUVERTE, StatutAlerte.REPONDUE)
QUALITE_NATIONAL = "Comité technique national"
MESSAGE_FAQ = "Réponse ajoutée au guide"
LONGUEUR_MAX = 5000
journal = logging.getLogger(__name__)


# --------------------------------------------------------------------------- personnes et qualités


def departements_correspondant(perimetre: Perimetre) -> frozenset[str]:
    """Départements couverts par les mandats de correspondant (Caf ou fédération) du périmètre."""
    return capacites.departements_correspondant(perimetre)


def _mandats_valides():
    return Mandat.objects.valides(timezone.localdate())


def comptes_structure(structure_id: int) -> QuerySet:
    """Comptes actifs mandatés pour une structure."""
    mandats = _mandats_valides().filter(role=Role.STRUCTURE, structure_id=structure_id)
    return Utilisateur.objects.filter(is_active=True, mandats__in=mandats).distinct()


def correspondants_du_departement(code: str) -> QuerySet:
    """Correspondants (Caf et fédération) dont un mandat en cours couvre le département."""
    departement = departements_par_code().get(code)
    couvre = Q(niveau=Niveau.DEPARTEMENT, departement_id=code) | Q(niveau=Niveau.NATION)
    if departement is not None:
        couvre |= Q(niveau=Niveau.REGION, region_id=departement.code_region)
    mandats = _mandats_valides().filter(couvre, role=Role.CORRESPONDANT)
    return Utilisateur.objects.filter(is_active=True, mandats__in=mandats).distinct()


def membres_nationaux() -> QuerySet:
    mandats = _mandats_valides().filter(role=Role.NATIONAL)
    return Utilisateur.objects.filter(is_active=True, mandats__in=mandats).distinct()


def _libelle_mandat(mandat: Mandat) -> str:
    if mandat.organisme == Organisme.CAF and mandat.caf_id:
        return mandat.caf.nom
    if mandat.organisme == Organisme.FEDERATION and mandat.federation_id:
        return mandat.federation.nom
    if mandat.role == Role.NATIONAL or mandat.organisme == Organisme.NATIONAL:
        return QUALITE_NATIONAL
    if mandat.role == Role.STRUCTURE and mandat.structure_id:
        return mandat.structure.nom
    return mandat.get_organisme_display()


def _couvre(mandat: Mandat, departement: str | None) -> bool:
    if departement is None:
        return True
    if mandat.niveau == Niveau.NATION:
        return True
    if mandat.niveau == Niveau.DEPARTEMENT:
        return mandat.departement_id == departement
    if mandat.niveau == Niveau.REGION:
        dep = departements_par_code().get(departement)
        return dep is not None and dep.code_region == mandat.region_id
    return False


def qualite_de(utilisateur, *, role: Role | None = None, departement: str | None = None) -> str:
    """Organisme au titre duquel l'utilisateur agit : « Caf – Rhône », le nom de la fédération, de la
    structure, ou « Comité technique national ». Le mandat retenu est celui du rôle demandé qui couvre
    le département (le premier trouvé sinon)."""
    if utilisateur is None:
        return ""
    mandats = list(
        _mandats_valides()
        .filter(utilisateur=utilisateur)
        .select_related("caf", "federation", "structure")
        .order_by("pk")
    )
    if role is not None:
        mandats = [m for m in mandats if m.role == role] or mandats
    retenu = next((m for m in mandats if _couvre(m, departement)), mandats[0] if mandats else None)
    return _libelle_mandat(retenu) if retenu else ""


def nom_de(utilisateur) -> str:
    if utilisateur is None:
        return "l'exploitant de la plateforme"
    return utilisateur.nom_complet or utilisateur.email


# --------------------------------------------------------------------------- courriels


def lien(chemin: str) -> str:
    """Adresse à mettre dans un courriel : absolue si ``SENACS_URL_SITE`` est réglé, sinon le chemin."""
    base = getattr(settings, "SENACS_URL_SITE", "") or ""
    return f"{base.rstrip('/')}{chemin}"


def envoyer_courriel(*, destinataires: Iterable, sujet: str, gabarit: str, contexte: dict, sauf=None) -> None:
    """Un courriel par destinataire (adresses jamais partagées), envoyé après validation de la transaction.

    ``sauf`` : l'auteur de l'action, qui ne se notifie pas lui-même."""
    adresses = sorted(
        {
            u.email
            for u in destinataires
            if u.email
            and (sauf is None or u.pk != getattr(sauf, "pk", None))
            and getattr(u, "notifications", "immediat") != "quotidien"  # il le lira dans son récapitulatif
        }
    )
    if not adresses:
        return
    corps = render_to_string(gabarit, contexte)
    sujet = f"[SENACS] {sujet}"
    messages = tuple((sujet, corps, None, [adresse]) for adresse in adresses)
    transaction.on_commit(lambda: _expedier(messages))


def _expedier(messages: tuple) -> None:
    """L'action est enregistrée : un serveur de courriel en panne ne doit pas la faire échouer (journalisé)."""
    try:
        send_mass_mail(messages, fail_silently=False)
    except Exception:
        journal.exception("Courriel non envoyé : « %s » (%d destinataires)", messages[0][0], len(messages))


# --------------------------------------------------------------------------- portée


def alertes_visibles(perimetre: Perimetre) -> QuerySet:
    """Alertes que le périmètre peut lire (voir la portée en tête du module)."""
    condition = Q(pk__in=[])
    if perimetre.structures_propres:
        condition |= Q(structure_id__in=perimetre.structures_propres)
    departements = departements_correspondant(perimetre)
    if departements:
        condition |= Q(structure__departement_id__in=departements)
    if perimetre.est_national:
        condition |= Q(statut__in=STATUTS_NATIONAUX)
    return AlerteComprehension.objects.filter(condition)


def nombre_alertes_a_traiter(perimetre: Perimetre) -> int:
    """Alertes qui attendent l'utilisateur : ouvertes de ses départements (correspondant), transmises
    et sans réponse (national). Pour la page d'accueil ou la navigation."""
    condition = Q(pk__in=[])
    departements = departements_correspondant(perimetre)
    if departements:
        condition |= Q(structure__departement_id__in=departements, statut=StatutAlerte.OUVERTE)
    if perimetre.est_national:
        condition |= Q(statut=StatutAlerte.ESCALADEE)
    return AlerteComprehension.objects.filter(condition).count()


def cote_structure(perimetre: Perimetre, alerte: AlerteComprehension) -> bool:
    return alerte.structure_id in perimetre.structures_propres


def cote_correspondant(perimetre: Perimetre, alerte: AlerteComprehension) -> bool:
    return alerte.structure.departement_id in departements_correspondant(perimetre)


def cote_national(perimetre: Perimetre, alerte: AlerteComprehension) -> bool:
    return perimetre.est_national and alerte.statut in STATUTS_NATIONAUX


def peut_signaler(perimetre: Perimetre) -> bool:
    return capacites.signaler_une_question(perimetre)


def _texte(texte: str, quoi: str = "Le message") -> str:
    texte = (texte or "").strip()
    if not texte:
        raise ValidationError(f"{quoi} est vide : écrivez quelques mots.")
    if len(texte) > LONGUEUR_MAX:
        raise ValidationError(f"{quoi} dépasse {LONGUEUR_MAX} caractères.")
    return texte


def _libelle_question(alerte: AlerteComprehension) -> str:
    modele = questionnaire_de_campagne(alerte.campagne)
    if modele is not None and alerte.code_question in modele:
        return modele.question(alerte.code_question).libelle
    return ""


def _contexte(alerte: AlerteComprehension, **extra) -> dict:
    return {
        "alerte": alerte,
        "structure": alerte.structure,
        "libelle_question": _libelle_question(alerte),
        "lien": lien(reverse("alertes:detail", args=[alerte.pk])),
        **extra,
    }


def _ajouter_message(alerte, par, qualite: str, texte: str, statut: str | None = None) -> MessageAlerte:
    maintenant = timezone.now()
    message = MessageAlerte.objects.create(
        alerte=alerte, auteur=par, qualite=qualite[:120], texte=texte, le=maintenant
    )
    alerte.modifiee_le = maintenant
    champs = ["modifiee_le"]
    if statut is not None:
        alerte.statut = statut
        champs.append("statut")
    alerte.save(update_fields=champs)
    return message


def _verrouiller(alerte: AlerteComprehension) -> AlerteComprehension:
    return (
        AlerteComprehension.objects.select_for_update(of=("self",))
        .select_related("structure", "campagne")
        .get(pk=alerte.pk)
    )


# --------------------------------------------------------------------------- cycle de l'alerte


@transaction.atomic
def alerte_signaler(
    *, campagne: Campagne, structure: Structure, code_question: str, texte: str, par, perimetre: Perimetre
) -> AlerteComprehension:
    """La structure dit ne pas comprendre une question ; ses correspondants sont prévenus."""
    if structure.pk not in perimetre.structures_propres:
        raise PermissionDenied("Seule la structure elle-même signale une question qu'elle ne comprend pas.")
    if campagne.phase not in PHASES_SIGNALEMENT:
        raise ValidationError(
            f"La campagne {campagne.annee} est en phase « {campagne.get_phase_display()} » : les questions se "
            "signalent pendant la saisie et le contrôle de cohérence."
        )
    modele = questionnaire_de_campagne(campagne)
    if modele is None or code_question not in modele:
        raise ValidationError(f"La question « {code_question} » n'existe pas dans le questionnaire {campagne.annee}.")
    texte = _texte(texte, "Votre question")
    alerte = AlerteComprehension.objects.create(
        campagne=campagne, structure=structure, code_question=code_question, texte=texte, cree_par=par
    )
    envoyer_courriel(
        destinataires=correspondants_du_departement(structure.departement_id),
        sujet=f"Question {code_question} non comprise par {structure.nom}",
        gabarit="courriels/alerte_signalee.txt",
        contexte=_contexte(alerte, auteur=nom_de(par)),
        sauf=par,
    )
    return alerte


@transaction.atomic
def alerte_repondre(*, alerte: AlerteComprehension, par, perimetre: Perimetre, texte: str) -> MessageAlerte:
    """Le correspondant du département répond à la structure."""
    alerte = _verrouiller(alerte)
    if not cote_correspondant(perimetre, alerte):
        raise PermissionDenied("Seuls les correspondants du département répondent à cette alerte.")
    if alerte.statut not in STATUTS_CORRESPONDANT:
        raise ValidationError("L'alerte a été transmise au comité technique national : c'est lui qui répond.")
    qualite = qualite_de(par, role=Role.CORRESPONDANT, departement=alerte.structure.departement_id)
    message = _ajouter_message(alerte, par, qualite, _texte(texte, "La réponse"), StatutAlerte.REPONDUE)
    envoyer_courriel(
        destinataires=comptes_structure(alerte.structure_id),
        sujet=f"Réponse à votre question sur {alerte.code_question}",
        gabarit="courriels/alerte_repondue.txt",
        contexte=_contexte(alerte, message=message, auteur=nom_de(par), qualite=qualite),
        sauf=par,
    )
    return message


@transaction.atomic
def alerte_escalader(*, alerte: AlerteComprehension, par, perimetre: Perimetre, texte: str = "") -> MessageAlerte:
    """Le correspondant transmet l'alerte au comité technique national (charte 2.1)."""
    alerte = _verrouiller(alerte)
    if not cote_correspondant(perimetre, alerte):
        raise PermissionDenied("Seuls les correspondants du département transmettent cette alerte.")
    if alerte.statut not in STATUTS_CORRESPONDANT:
        raise ValidationError("L'alerte a déjà été transmise au comité technique national.")
    note = (texte or "").strip()
    if len(note) > LONGUEUR_MAX:
        raise ValidationError(f"Le message dépasse {LONGUEUR_MAX} caractères.")
    qualite = qualite_de(par, role=Role.CORRESPONDANT, departement=alerte.structure.departement_id)
    contenu = "Alerte transmise au comité technique national." + (f"\n\n{note}" if note else "")
    message = _ajouter_message(alerte, par, qualite, contenu, StatutAlerte.ESCALADEE)
    contexte = _contexte(alerte, message=message, auteur=nom_de(par), qualite=qualite, note=note)
    envoyer_courriel(
        destinataires=membres_nationaux(),
        sujet=f"Alerte transmise par {qualite} : question {alerte.code_question}",
        gabarit="courriels/alerte_escaladee.txt",
        contexte=contexte,
        sauf=par,
    )
    envoyer_courriel(
        destinataires=comptes_structure(alerte.structure_id),
        sujet=f"Votre question sur {alerte.code_question} est transmise au comité technique national",
        gabarit="courriels/alerte_escaladee_structure.txt",
        contexte=contexte,
        sauf=par,
    )
    return message


@transaction.atomic
def alerte_repondre_national(*, alerte: AlerteComprehension, par, perimetre: Perimetre, texte: str) -> MessageAlerte:
    """Le comité technique national répond à une alerte transmise (structure et correspondants prévenus)."""
    alerte = _verrouiller(alerte)
    if not cote_national(perimetre, alerte):
        raise PermissionDenied("Seul le comité technique national répond aux alertes transmises.")
    message = _ajouter_message(
        alerte, par, QUALITE_NATIONAL, _texte(texte, "La réponse"), StatutAlerte.REPONDUE_NATIONAL
    )
    contexte = _contexte(alerte, message=message, auteur=nom_de(par), qualite=QUALITE_NATIONAL)
    envoyer_courriel(
        destinataires=comptes_structure(alerte.structure_id),
        sujet=f"Réponse du comité technique national à votre question sur {alerte.code_question}",
        gabarit="courriels/alerte_repondue.txt",
        contexte=contexte,
        sauf=par,
    )
    envoyer_courriel(
        destinataires=correspondants_du_departement(alerte.structure.departement_id),
        sujet=f"Le comité technique national a répondu : question {alerte.code_question}",
        gabarit="courriels/alerte_repondue_national.txt",
        contexte=contexte,
        sauf=par,
    )
    return message


@transaction.atomic
def alerte_completer(*, alerte: AlerteComprehension, par, perimetre: Perimetre, texte: str) -> MessageAlerte:
    """La structure relance ou précise sa question ; l'alerte revient à qui doit y répondre."""
    alerte = _verrouiller(alerte)
    if not cote_structure(perimetre, alerte):
        raise PermissionDenied("Seule la structure qui a signalé la question la complète.")
    nationale = alerte.statut in STATUTS_NATIONAUX
    statut = StatutAlerte.ESCALADEE if nationale else StatutAlerte.OUVERTE
    message = _ajouter_message(alerte, par, alerte.structure.nom, _texte(texte), statut)
    destinataires = list(correspondants_du_departement(alerte.structure.departement_id))
    if nationale:
        destinataires += list(membres_nationaux())
    envoyer_courriel(
        destinataires=destinataires,
        sujet=f"{alerte.structure.nom} complète sa question sur {alerte.code_question}",
        gabarit="courriels/alerte_completee.txt",
        contexte=_contexte(alerte, message=message, auteur=nom_de(par)),
        sauf=par,
    )
    return message


@transaction.atomic
def faq_publier(*, alerte: AlerteComprehension, par, perimetre: Perimetre, question: str, reponse: str) -> EntreeFAQ:
    """Le national ajoute au guide (FAQ) la réponse à une alerte transmise : toutes les structures la voient."""
    alerte = _verrouiller(alerte)
    if not cote_national(perimetre, alerte):
        raise PermissionDenied("Seul le comité technique national enrichit le guide.")
    entree = EntreeFAQ.objects.create(
        code_question=alerte.code_question,
        question=_texte(question, "La question"),
        reponse=_texte(reponse, "La réponse"),
        alerte=alerte,
        publiee_par=par,
    )
    _ajouter_message(
        alerte,
        par,
        QUALITE_NATIONAL,
        f"{MESSAGE_FAQ} (questions fréquentes de la question {alerte.code_question}).",
    )
    envoyer_courriel(
        destinataires=[
            *comptes_structure(alerte.structure_id),
            *correspondants_du_departement(alerte.structure.departement_id),
        ],
        sujet=f"Le guide de la question {alerte.code_question} est complété",
        gabarit="courriels/faq_publiee.txt",
        contexte=_contexte(
            alerte, entree=entree, lien_faq=lien(reverse("alertes:faq") + f"#faq-{alerte.code_question}")
        ),
        sauf=par,
    )
    return entree


# --------------------------------------------------------------------------- FAQ


def faq_pour_question(code: str) -> list[EntreeFAQ]:
    """Entrées de la FAQ du guide pour une question (les plus anciennes d'abord), à montrer près d'elle."""
    return list(EntreeFAQ.objects.filter(code_question=code).order_by("publiee_le", "pk"))


def faq_par_question() -> dict[str, list[EntreeFAQ]]:
    """Toute la FAQ, regroupée par code de question (codes dans l'ordre alphabétique)."""
    resultat: dict[str, list[EntreeFAQ]] = {}
    for entree in EntreeFAQ.objects.order_by("code_question", "publiee_le", "pk"):
        resultat.setdefault(entree.code_question, []).append(entree)
    return resultat
