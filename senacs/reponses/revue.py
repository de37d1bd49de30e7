"""Droit de regard de la structure sur ce que la Caf ou la fédération a saisi pour elle (charte 2.2).

Chaque réponse saisie « pour le compte » de la structure crée une ``RevueSaisie`` à examiner
(``reponse_enregistrer``). La structure l'**accepte** ou la **conteste** (un message est alors
obligatoire) ; une contestation ouvre un fil de discussion (``MessageRevue``) que voient la structure et
les correspondants de son département, Caf comme fédération. Le correspondant répond dans le fil et peut
**corriger** la réponse : la correction est une nouvelle saisie pour le compte, donc une nouvelle revue
à examiner, qui remplace la précédente ; la structure peut aussi accepter la saisie contestée.

Chaque étape est notifiée par courriel : saisie pour le compte → la structure (un courriel par lot
enregistré, ``revue_notifier_saisie``) ; contestation → les correspondants du département ; message →
l'autre partie ; acceptation → l'auteur de la saisie (et les correspondants si elle était contestée).

Portée : la structure elle-même et les correspondants dont un mandat couvre son département ; personne
d'autre (ni le national, ni un COPIL, ni un correspondant d'un autre département).
"""

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from core.perimetre import Perimetre
from core.questionnaire import saisie
from core.questionnaire.modele import Questionnaire as ModeleQuestionnaire
from senacs.campagnes.models import Phase
from senacs.questionnaires.importation import questionnaire_de_campagne
from senacs.questionnaires.services_alertes import (
    comptes_structure,
    correspondants_du_departement,
    departements_correspondant,
    envoyer_courriel,
    lien,
    nom_de,
)
from senacs.reponses.models import MessageRevue, Reponse, ReponseHistorique, RevueSaisie, Statut, StatutRevue
from senacs.reponses.selectors import organisme_saisie
from senacs.reponses.services import Resultat, reponse_enregistrer

PHASES_REVUE = (Phase.SAISIE, Phase.CONTROLE)
LONGUEUR_MAX = 5000


# --------------------------------------------------------------------------- portée et lectures


def revues_visibles(perimetre: Perimetre) -> QuerySet:
    """Revues que le périmètre peut lire : celles de ses structures, et celles des départements de ses
    mandats de correspondant. Annotées de ``remplacee`` (une saisie plus récente existe sur la question)."""
    condition = Q(pk__in=[])
    if perimetre.structures_propres:
        condition |= Q(reponse__structure_id__in=perimetre.structures_propres)
    departements = departements_correspondant(perimetre)
    if departements:
        condition |= Q(reponse__structure__departement_id__in=departements)
    plus_recente = RevueSaisie.objects.filter(
        reponse=OuterRef("reponse"), code=OuterRef("code"), pk__gt=OuterRef("pk")
    )
    return RevueSaisie.objects.filter(condition).annotate(remplacee=Exists(plus_recente))


def nombre_a_examiner(perimetre: Perimetre, campagne) -> int:
    """Saisies pour le compte des structures de l'utilisateur qui attendent son examen (page d'accueil)."""
    if campagne is None or not perimetre.structures_propres:
        return 0
    return (
        revues_visibles(perimetre)
        .filter(
            reponse__campagne=campagne,
            reponse__structure_id__in=perimetre.structures_propres,
            statut=StatutRevue.A_EXAMINER,
            remplacee=False,
        )
        .count()
    )


def nombre_contestees(perimetre: Perimetre, campagne) -> int:
    """Saisies contestées des départements de correspondant de l'utilisateur (page d'accueil)."""
    departements = departements_correspondant(perimetre)
    if campagne is None or not departements:
        return 0
    return (
        revues_visibles(perimetre)
        .filter(
            reponse__campagne=campagne,
            reponse__structure__departement_id__in=departements,
            statut=StatutRevue.CONTESTEE,
            remplacee=False,
        )
        .count()
    )


def cote_structure(perimetre: Perimetre, reponse: Reponse) -> bool:
    return reponse.structure_id in perimetre.structures_propres


def cote_correspondant(perimetre: Perimetre, reponse: Reponse) -> bool:
    return reponse.structure.departement_id in departements_correspondant(perimetre)


def afficher(modele: ModeleQuestionnaire | None, code: str, valeur: Any) -> str:
    """Valeur stockée lisible à la française (libellés des choix, unités) ; « non renseignée » si vide."""
    if saisie.vide(valeur):
        return "non renseignée"
    if modele is None or code not in modele:
        return str(valeur)
    return saisie.formater(modele.question(code), valeur, modele.libelles_choix(code)) or str(valeur)


def libelle_question(modele: ModeleQuestionnaire | None, code: str) -> str:
    if modele is None or code not in modele:
        return ""
    return modele.question(code).libelle


# --------------------------------------------------------------------------- garde-fous


def _verifier_phase(reponse: Reponse) -> None:
    campagne = reponse.campagne
    if campagne.phase not in PHASES_REVUE:
        raise ValidationError(
            f"La campagne {campagne.annee} est en phase « {campagne.get_phase_display()} » : les saisies se "
            "revoient pendant la saisie et le contrôle de cohérence."
        )


def _message(texte: str) -> str:
    texte = (texte or "").strip()
    if not texte:
        raise ValidationError("Le message est vide : expliquez en quelques mots.")
    if len(texte) > LONGUEUR_MAX:
        raise ValidationError(f"Le message dépasse {LONGUEUR_MAX} caractères.")
    return texte


def _verrouiller(revue: RevueSaisie) -> RevueSaisie:
    return (
        RevueSaisie.objects.select_for_update(of=("self",))
        .select_related("reponse__structure", "reponse__campagne", "historique__par")
        .get(pk=revue.pk)
    )


def _est_remplacee(revue: RevueSaisie) -> bool:
    return RevueSaisie.objects.filter(reponse_id=revue.reponse_id, code=revue.code, pk__gt=revue.pk).exists()


def _contexte(revue: RevueSaisie, **extra) -> dict:
    modele = questionnaire_de_campagne(revue.reponse.campagne)
    return {
        "revue": revue,
        "structure": revue.reponse.structure,
        "campagne": revue.reponse.campagne,
        "libelle": libelle_question(modele, revue.code),
        "valeur": afficher(modele, revue.code, revue.historique.valeur),
        "ancienne_valeur": afficher(modele, revue.code, revue.historique.ancienne_valeur),
        "auteur_saisie": nom_de(revue.historique.par),
        "organisme_saisie": revue.historique.organisme,
        "lien": lien(reverse("revue:detail", args=[revue.pk])),
        **extra,
    }


def _organisme_correspondant(par, reponse: Reponse) -> str:
    """Même libellé que les écrans de saisie (« Caf – Rhône », nom de la fédération…)."""
    return organisme_saisie(par, reponse.structure, pour_le_compte=True, jour=timezone.localdate())


def _qualite(par, perimetre: Perimetre, reponse: Reponse) -> str:
    if cote_structure(perimetre, reponse):
        return reponse.structure.nom
    return _organisme_correspondant(par, reponse)


# --------------------------------------------------------------------------- services


@transaction.atomic
def revue_accepter(*, revue: RevueSaisie, par, perimetre: Perimetre, notifier: bool = True) -> RevueSaisie:
    """La structure accepte une saisie faite pour son compte (à examiner, ou contestée puis admise)."""
    revue = _verrouiller(revue)
    reponse = revue.reponse
    if not cote_structure(perimetre, reponse):
        raise PermissionDenied("Seule la structure accepte ou conteste ce qui a été saisi pour elle.")
    _verifier_phase(reponse)
    if revue.statut == StatutRevue.ACCEPTEE:
        raise ValidationError("Cette saisie est déjà acceptée.")
    if _est_remplacee(revue):
        raise ValidationError("Cette saisie a été remplacée par une saisie plus récente : examinez celle-ci.")
    etait_contestee = revue.statut == StatutRevue.CONTESTEE
    revue.statut = StatutRevue.ACCEPTEE
    revue.decidee_par = par
    revue.decidee_le = timezone.now()
    revue.save(update_fields=["statut", "decidee_par", "decidee_le"])
    if notifier:
        destinataires = [revue.historique.par] if revue.historique.par else []
        if etait_contestee:
            destinataires += list(correspondants_du_departement(reponse.structure.departement_id))
        envoyer_courriel(
            destinataires=destinataires,
            sujet=f"{reponse.structure.nom} accepte la saisie de la question {revue.code}",
            gabarit="courriels/revue_acceptee.txt",
            contexte=_contexte(revue, revues=[_contexte(revue)], auteur=nom_de(par), etait_contestee=etait_contestee),
            sauf=par,
        )
    return revue


@transaction.atomic
def revues_accepter_toutes(*, reponse: Reponse, par, perimetre: Perimetre) -> int:
    """Accepte toutes les saisies encore à examiner d'une réponse ; un courriel par auteur de saisie."""
    if not cote_structure(perimetre, reponse):
        raise PermissionDenied("Seule la structure accepte ou conteste ce qui a été saisi pour elle.")
    revues = [
        r
        for r in revues_visibles(perimetre)
        .filter(reponse=reponse, statut=StatutRevue.A_EXAMINER, remplacee=False)
        .select_related("historique__par", "reponse__campagne", "reponse__structure")
        .order_by("code")
    ]
    par_auteur: dict[Any, list[RevueSaisie]] = {}
    for revue in revues:
        revue_accepter(revue=revue, par=par, perimetre=perimetre, notifier=False)
        par_auteur.setdefault(revue.historique.par, []).append(revue)
    for auteur, acceptees in par_auteur.items():
        if auteur is None:
            continue
        envoyer_courriel(
            destinataires=[auteur],
            sujet=f"{reponse.structure.nom} accepte {len(acceptees)} saisie{'s' if len(acceptees) > 1 else ''}",
            gabarit="courriels/revue_acceptee.txt",
            contexte=_contexte(acceptees[0], revues=[_contexte(r) for r in acceptees], auteur=nom_de(par)),
            sauf=par,
        )
    return len(revues)


@transaction.atomic
def revue_contester(*, revue: RevueSaisie, par, perimetre: Perimetre, message: str) -> MessageRevue:
    """La structure conteste une saisie faite pour elle : le fil s'ouvre, ses correspondants sont prévenus."""
    revue = _verrouiller(revue)
    reponse = revue.reponse
    if not cote_structure(perimetre, reponse):
        raise PermissionDenied("Seule la structure accepte ou conteste ce qui a été saisi pour elle.")
    _verifier_phase(reponse)
    if revue.statut != StatutRevue.A_EXAMINER:
        raise ValidationError(
            "Cette saisie est déjà contestée : poursuivez dans le fil de discussion."
            if revue.statut == StatutRevue.CONTESTEE
            else "Cette saisie a déjà été acceptée."
        )
    if _est_remplacee(revue):
        raise ValidationError("Cette saisie a été remplacée par une saisie plus récente : examinez celle-ci.")
    texte = _message(message)
    maintenant = timezone.now()
    revue.statut = StatutRevue.CONTESTEE
    revue.decidee_par = par
    revue.decidee_le = maintenant
    revue.save(update_fields=["statut", "decidee_par", "decidee_le"])
    msg = MessageRevue.objects.create(
        revue=revue, auteur=par, qualite=reponse.structure.nom[:200], texte=texte, le=maintenant
    )
    envoyer_courriel(
        destinataires=correspondants_du_departement(reponse.structure.departement_id),
        sujet=f"{reponse.structure.nom} conteste la saisie de la question {revue.code}",
        gabarit="courriels/revue_contestee.txt",
        contexte=_contexte(revue, message=msg, auteur=nom_de(par)),
        sauf=par,
    )
    return msg


@transaction.atomic
def revue_repondre(*, revue: RevueSaisie, par, perimetre: Perimetre, message: str) -> MessageRevue:
    """Un message dans le fil d'une saisie contestée ; l'autre partie est prévenue."""
    revue = _verrouiller(revue)
    reponse = revue.reponse
    structure, correspondant = cote_structure(perimetre, reponse), cote_correspondant(perimetre, reponse)
    if not (structure or correspondant):
        raise PermissionDenied("Seuls la structure et les correspondants de son département écrivent dans ce fil.")
    if revue.statut != StatutRevue.CONTESTEE:
        raise ValidationError("Le fil de discussion ne s'ouvre que sur une saisie contestée.")
    qualite = _qualite(par, perimetre, reponse)
    msg = MessageRevue.objects.create(revue=revue, auteur=par, qualite=qualite[:200], texte=_message(message))
    if structure:
        destinataires = correspondants_du_departement(reponse.structure.departement_id)
    else:
        destinataires = comptes_structure(reponse.structure_id)
    envoyer_courriel(
        destinataires=destinataires,
        sujet=f"Nouveau message sur la saisie de la question {revue.code} ({reponse.structure.nom})",
        gabarit="courriels/revue_message.txt",
        contexte=_contexte(revue, message=msg, auteur=nom_de(par), qualite=qualite),
        sauf=par,
    )
    return msg


@transaction.atomic
def revue_corriger(
    *, revue: RevueSaisie, par, perimetre: Perimetre, valeur: Any, version: int | None, message: str = ""
) -> Resultat:
    """Le correspondant corrige une saisie contestée (texte tel que tapé : « 1 234,5 », « oui »…).

    La correction est une nouvelle saisie pour le compte de la structure (``reponse_enregistrer``), donc une
    nouvelle revue à examiner ; le fil de la revue contestée la mentionne. ``version`` : version de la
    réponse affichée quand la correction a été tapée (refus si elle a changé depuis)."""
    revue = _verrouiller(revue)
    reponse = revue.reponse
    if not cote_correspondant(perimetre, reponse):
        raise PermissionDenied("Seuls les correspondants du département corrigent une saisie contestée.")
    _verifier_phase(reponse)
    if revue.statut != StatutRevue.CONTESTEE or _est_remplacee(revue):
        raise ValidationError("Seule la dernière saisie contestée d'une question se corrige ici.")
    modele = questionnaire_de_campagne(reponse.campagne)
    if modele is None or revue.code not in modele:
        raise ValidationError(f"La question {revue.code} n'existe pas dans le questionnaire de la campagne.")
    question = modele.question(revue.code)
    try:
        nouvelle = saisie.lire(question, valeur, [c.code for c in modele.choix(revue.code)])
    except saisie.ErreurSaisie as exc:
        raise ValidationError(exc.message) from exc
    reponse = Reponse.objects.get(pk=reponse.pk)
    ancienne = reponse.valeurs.get(revue.code)
    if nouvelle == ancienne:
        raise ValidationError("La valeur proposée est celle déjà enregistrée.")
    organisme = _organisme_correspondant(par, reponse)
    resultat = reponse_enregistrer(
        reponse=reponse,
        modifications={revue.code: (nouvelle, version)},
        par=par,
        organisme=organisme,
        pour_le_compte=True,
        origine="saisie",
        controle=_non_validee,
    )
    if not resultat.ok:
        conflit = resultat.conflits[0]
        actuelle = afficher(modele, revue.code, conflit.valeur_enregistree)
        raise ValidationError(
            f"La réponse a changé depuis l'affichage de la page (désormais « {actuelle} », par "
            f"{conflit.enregistree_par or 'une autre personne'}) : rechargez la page avant de corriger."
        )
    texte = (
        f"Réponse corrigée : {afficher(modele, revue.code, ancienne)} → {afficher(modele, revue.code, nouvelle)}. "
        "La structure examine la nouvelle saisie."
    )
    if message.strip():
        texte += f"\n\n{_message(message)}"
    MessageRevue.objects.create(revue=revue, auteur=par, qualite=organisme[:200], texte=texte)
    revue_notifier_saisie(reponse=reponse, codes=[revue.code], par=par, organisme=organisme)
    return resultat


def _non_validee(r: Reponse) -> None:
    """Contrôle fait sur la réponse verrouillée, dans la transaction qui écrit."""
    if r.statut == Statut.VALIDEE:
        raise ValidationError("Cette réponse a été validée par le correspondant : elle ne se modifie plus.")


def revue_notifier_saisie(*, reponse: Reponse, codes: Iterable[str], par, organisme: str) -> None:
    """Prévient la structure des réponses saisies pour son compte (un courriel pour tout le lot).

    À appeler après un ``reponse_enregistrer(..., pour_le_compte=True)`` qui a changé ``codes``
    (écrans de saisie, import en masse, correction d'une saisie contestée)."""
    codes = list(dict.fromkeys(codes))
    if not codes:
        return
    modele = questionnaire_de_campagne(reponse.campagne)
    derniers = {}
    for h in ReponseHistorique.objects.filter(reponse=reponse, code__in=codes).order_by("code", "-le", "-pk"):
        derniers.setdefault(h.code, h)
    lignes = [
        {
            "code": code,
            "libelle": libelle_question(modele, code),
            "valeur": afficher(modele, code, derniers[code].valeur if code in derniers else reponse.valeurs.get(code)),
            "ancienne_valeur": afficher(modele, code, derniers[code].ancienne_valeur if code in derniers else None),
        }
        for code in codes
    ]
    envoyer_courriel(
        destinataires=comptes_structure(reponse.structure_id),
        sujet=(
            f"{len(codes)} réponse{'s' if len(codes) > 1 else ''} saisie{'s' if len(codes) > 1 else ''} "
            f"pour votre compte par {organisme or nom_de(par)}"
        ),
        gabarit="courriels/revue_saisie.txt",
        contexte={
            "structure": reponse.structure,
            "campagne": reponse.campagne,
            "lignes": lignes,
            "auteur": nom_de(par),
            "organisme": organisme,
            "lien": lien(reverse("revue:structure", args=[reponse.structure_id])),
        },
        sauf=par,
    )


def revue_notifier_reouverture(*, reponse: Reponse, par, organisme: str, fichier: str) -> None:
    """Prévient la structure qu'un import a rouvert sa réponse déposée."""
    envoyer_courriel(
        destinataires=comptes_structure(reponse.structure_id),
        sujet=f"Votre réponse {reponse.campagne.annee} est rouverte après un import",
        gabarit="courriels/reponse_rouverte_import.txt",
        contexte={
            "structure": reponse.structure,
            "campagne": reponse.campagne,
            "auteur": nom_de(par) if par is not None else organisme,
            "organisme": organisme if par is not None else "",
            "fichier": fichier,
            "lien": lien(reverse("revue:structure", args=[reponse.structure_id])),
        },
        sauf=par,
    )
