"""Écritures du contrôle de cohérence : contrôle en lot (règles + détecteurs), interpellations,
relances, validation et déverrouillage des réponses.

Le contrôle est **idempotent** : relancé, il met à jour les anomalies déjà relevées (même réponse,
même signature « code|questions »), en crée de nouvelles, marque corrigées celles qui ont disparu
et rouvre celles qui reviennent ; il ne duplique jamais. Les règles du questionnaire sont évaluées
par le même code que le formulaire (``core.questionnaire.evaluation``), avec les réponses déposées
l'an dernier ; les détecteurs (``core.controles``) tournent d'un coup sur toute la campagne, pour
que les pairs d'une structure soient comparés à l'échelle nationale même quand on ne contrôle qu'un
département.
"""

import datetime
import time
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from core.controles import Descriptions, LigneReponse, Seuils, detecter, retenir, signature, tableau
from core.controles.detecteurs import Detection
from core.erreurs import ErreurMetier
from core.formats import formater_date
from core.questionnaire.evaluation import plan
from core.questionnaire.saisie import nettoyer_texte
from core.roles import Role
from core.territoires import CODE_NATION, departements_de_region, departements_par_code, regions
from senacs.campagnes.models import Campagne, Phase
from senacs.comptes.models import Mandat
from senacs.controles.models import (
    Action,
    ActionValidation,
    EtatInterpellation,
    EvenementValidation,
    Interpellation,
    MessageInterpellation,
    NatureRelance,
    Relance,
    Signalement,
    Source,
    StatutSignalement,
)
from senacs.reponses.models import Depot, Reponse, ReponseHistorique, Statut
from senacs.reponses.services import Resultat, reponse_enregistrer
from senacs.structures.models import Structure

STATUTS_CONTROLES = (Statut.SOUMISE, Statut.VALIDEE)
PHASES_INTERPELLATION = (Phase.SAISIE, Phase.CONTROLE)
PHASES_VALIDATION = (Phase.SAISIE, Phase.CONTROLE)
PHASES_DEVERROUILLAGE = (Phase.SAISIE, Phase.CONTROLE, Phase.ANALYSE)
ORIGINE_INTERPELLATION = "interpellation"
LONGUEUR_MIN_MOTIF = 10
LONGUEUR_MAX_TEXTE = 5000


class ErreurControle(ErreurMetier):
    """Action refusée (phase, état, droits) ; ``message`` est à montrer tel quel."""


# --------------------------------------------------------------------------- réglages


def seuils() -> Seuils:
    """Seuils des détecteurs : valeurs par défaut remplacées par ``settings.SENACS_CONTROLES``."""
    return Seuils.depuis_reglage(getattr(settings, "SENACS_CONTROLES", None))


def delai_relance_jours() -> int:
    return int(getattr(settings, "SENACS_DELAI_RELANCE_JOURS", 7))


def delai_interpellation_jours() -> int:
    return int(getattr(settings, "SENACS_DELAI_INTERPELLATION_JOURS", 15))


def _url(chemin: str, url_base: str | None) -> str:
    base = url_base if url_base is not None else getattr(settings, "SENACS_URL_SITE", "") or ""
    return f"{base.rstrip('/')}{chemin}"


# --------------------------------------------------------------------------- territoire


def departements_du_territoire(territoire: str | None) -> frozenset[str] | None:
    """« FR » (ou vide) : None (tout le pays) ; « R:84 » ou « R84 » : une région ; « D:69 », « 69 » :
    un département (un code nu est toujours un département : 84 est le Vaucluse, R84 la région)."""
    if not territoire or territoire.upper() == CODE_NATION:
        return None
    code = territoire.strip().upper()
    if code.startswith("R"):
        region = code[1:].lstrip(":")
        if region not in {r.code for r in regions()}:
            raise ErreurControle(f"Région « {region} » inconnue (exemple : R:84 pour Auvergne-Rhône-Alpes).")
        return departements_de_region(region)
    if code.startswith("D:"):
        code = code[2:]
    if code not in departements_par_code():
        raise ErreurControle(f"Département « {code} » inconnu (exemples : 69, 2A, 974 ; région : R:84).")
    return frozenset({code})


# --------------------------------------------------------------------------- contrôle en lot


@dataclass(frozen=True, slots=True)
class Trouvee:
    code: str
    source: str
    gravite: str
    questions: tuple[str, ...]
    message: str
    details: dict[str, Any]

    @property
    def signature(self) -> str:
        return signature(self.code, self.questions)


@dataclass
class RapportControle:
    campagne: int
    territoire: str
    reponses: int = 0
    creees: int = 0
    mises_a_jour: int = 0
    corrigees: int = 0
    par_gravite: Counter = field(default_factory=Counter)
    par_code: Counter = field(default_factory=Counter)
    duree_s: float = 0.0
    duree_regles_s: float = 0.0
    duree_detecteurs_s: float = 0.0

    @property
    def anomalies(self) -> int:
        return sum(self.par_gravite.values())


@dataclass(frozen=True, slots=True)
class _Ligne:
    pk: int
    structure_id: int
    type: str
    departement: str
    territoire: str | None
    valeurs: dict
    justifications: dict


def _precedentes(campagne: Campagne) -> dict[int, dict]:
    """Réponses déposées de la campagne précédente, par structure (comme ``valeurs_precedentes`` :
    soumise ou validée, sinon le dernier dépôt ; un brouillon jamais déposé ne compte pas)."""
    resultat: dict[int, dict] = {}
    brouillons: dict[int, int] = {}
    lignes = Reponse.objects.filter(campagne__annee=campagne.annee - 1).values_list(
        "pk", "structure_id", "statut", "valeurs"
    )
    for pk, structure_id, statut, valeurs in lignes.iterator(chunk_size=2000):
        if statut in STATUTS_CONTROLES:
            resultat[structure_id] = valeurs
        else:
            brouillons[pk] = structure_id
    if brouillons:
        depots = (
            Depot.objects.filter(reponse__campagne__annee=campagne.annee - 1, reponse__statut=Statut.BROUILLON)
            .order_by("reponse_id", "numero")
            .values_list("reponse_id", "valeurs")
        )
        for reponse_id, valeurs in depots:
            resultat[brouillons[reponse_id]] = valeurs  # le dernier numéro l'emporte
    return resultat


def _lignes(campagne: Campagne) -> list[_Ligne]:
    lignes = (
        Reponse.objects.filter(campagne=campagne, statut__in=STATUTS_CONTROLES)
        .order_by("pk")
        .values_list(
            "pk",
            "structure_id",
            "structure__type",
            "structure__departement_id",
            "structure__type_territoire",
            "valeurs",
            "justifications",
        )
    )
    resultat = []
    for pk, structure_id, type_, departement, type_territoire, valeurs, justifications in lignes.iterator(2000):
        territoire = valeurs.get("A16") if valeurs.get("A16") in ("urbain", "rural") else type_territoire or None
        resultat.append(_Ligne(pk, structure_id, type_, departement, territoire, valeurs or {}, justifications or {}))
    return resultat


def _verifier(campagne: Campagne, lignes: list[_Ligne], perimetre: set[int], precedentes: Mapping[int, dict]):
    """Règles du questionnaire (réponses du périmètre) puis détecteurs (toute la campagne)."""
    if campagne.questionnaire_id is None:
        raise ErreurControle(f"La campagne {campagne.annee} n'a pas de questionnaire : rien à contrôler.")
    modele = campagne.questionnaire.modele
    debut = time.perf_counter()
    trouvees: dict[int, list[Trouvee]] = {pk: [] for pk in perimetre}
    for ligne in lignes:
        if ligne.pk not in perimetre:
            continue
        variante = modele.pour_public(ligne.type, ligne.departement)
        for a in plan(variante).anomalies(ligne.valeurs, precedentes.get(ligne.structure_id)):
            trouvees[ligne.pk].append(Trouvee(a.code_regle, Source.REGLE, a.gravite, a.questions, a.message, {}))
    duree_regles = time.perf_counter() - debut
    debut = time.perf_counter()
    reglages = seuils()
    df = tableau(
        (
            LigneReponse(l.pk, l.type, l.territoire, l.valeurs, precedentes.get(l.structure_id, {}))
            for l in lignes  # noqa: E741
        ),
        reglages,
    )
    detections: list[Detection] = [d for d in detecter(df, reglages, Descriptions.depuis_questionnaire(modele))]
    detections = [d for d in detections if d.cle in perimetre]
    questions_regles = {pk: [t.questions for t in liste] for pk, liste in trouvees.items()}
    for d in retenir(detections, questions_regles):
        trouvees[d.cle].append(Trouvee(d.code, Source.DETECTEUR, d.gravite, d.questions, d.message, d.details))
    return trouvees, duree_regles, time.perf_counter() - debut


def _enregistrer(
    campagne: Campagne,
    lignes: list[_Ligne],
    trouvees: dict[int, list[Trouvee]],
    departements: frozenset[str] | None,
    maintenant: datetime.datetime,
    rapport: RapportControle,
) -> None:
    existants_qs = Signalement.objects.filter(campagne=campagne)
    if departements is not None:
        existants_qs = existants_qs.filter(reponse__structure__departement_id__in=departements)
    existants = {(s.reponse_id, s.signature): s for s in existants_qs if s.reponse_id in trouvees}
    justifications = {ligne.pk: ligne.justifications for ligne in lignes if ligne.pk in trouvees}
    a_creer, a_modifier, revues = [], [], []
    vus = set()
    champs = ["gravite", "message", "details", "questions", "derniere_detection", "present", "statut", "resolu_le"]
    for pk, liste in trouvees.items():
        for t in liste:
            cle = (pk, t.signature)
            if cle in vus:  # deux anomalies identiques dans une même réponse : une seule ligne
                continue
            vus.add(cle)
            rapport.par_gravite[t.gravite] += 1
            rapport.par_code[t.code] += 1
            s = existants.get(cle)
            if s is None:
                texte = justifications.get(pk, {}).get(t.code, "") if t.source == Source.REGLE else ""
                a_creer.append(
                    Signalement(
                        campagne=campagne,
                        reponse_id=pk,
                        code=t.code,
                        signature=t.signature,
                        source=t.source,
                        questions=list(t.questions),
                        gravite=t.gravite,
                        message=t.message,
                        details=t.details,
                        premiere_detection=maintenant,
                        derniere_detection=maintenant,
                        statut=StatutSignalement.JUSTIFIEE if texte else StatutSignalement.OUVERTE,
                        justification=texte,
                    )
                )
                continue
            inchangee = s.present and (s.gravite, s.message, s.details, s.questions) == (
                t.gravite,
                t.message,
                t.details,
                list(t.questions),
            )
            if inchangee:  # seule la date de dernière détection bouge : une mise à jour groupée suffit
                revues.append(s.pk)
                continue
            s.gravite, s.message, s.details, s.questions = t.gravite, t.message, t.details, list(t.questions)
            s.derniere_detection = maintenant
            if not s.present:
                s.present, s.statut, s.resolu_le = True, StatutSignalement.OUVERTE, None
            a_modifier.append(s)
    for cle, s in existants.items():
        if cle not in vus and s.present:
            s.present, s.statut, s.resolu_le = False, StatutSignalement.CORRIGEE, maintenant
            a_modifier.append(s)
            rapport.corrigees += 1
    Signalement.objects.bulk_create(a_creer, batch_size=500)
    Signalement.objects.bulk_update(a_modifier, champs, batch_size=500)
    for debut in range(0, len(revues), 500):
        Signalement.objects.filter(pk__in=revues[debut : debut + 500]).update(derniere_detection=maintenant)
    rapport.creees = len(a_creer)
    rapport.mises_a_jour = len(a_modifier) + len(revues) - rapport.corrigees


def controle_lancer(
    *,
    campagne: Campagne,
    territoire: str | None = None,
    reponses: Iterable[int] | None = None,
    maintenant: datetime.datetime | None = None,
) -> RapportControle:
    """Contrôle les réponses déposées (soumises ou validées) de la campagne : toutes, celles d'un
    territoire (« FR », « R:84 », « 69 ») ou une liste de réponses ; enregistre les anomalies."""
    debut = time.perf_counter()
    maintenant = maintenant or timezone.now()
    departements = departements_du_territoire(territoire)
    lignes = _lignes(campagne)
    perimetre = {ligne.pk for ligne in lignes if departements is None or ligne.departement in departements}
    if reponses is not None:
        perimetre &= set(reponses)
    rapport = RapportControle(campagne=campagne.annee, territoire=territoire or CODE_NATION, reponses=len(perimetre))
    precedentes = _precedentes(campagne)
    trouvees, rapport.duree_regles_s, rapport.duree_detecteurs_s = _verifier(campagne, lignes, perimetre, precedentes)
    with transaction.atomic():
        _enregistrer(campagne, lignes, trouvees, departements, maintenant, rapport)
    rapport.duree_s = time.perf_counter() - debut
    return rapport


def controle_reponse(reponse: Reponse) -> RapportControle:
    """Contrôle une seule réponse (après un dépôt ou une correction) ; ses pairs restent ceux de
    toute la campagne. Une réponse redevenue brouillon garde ses anomalies jusqu'au prochain dépôt."""
    campagne = Campagne.objects.select_related("questionnaire").get(pk=reponse.campagne_id)
    return controle_lancer(campagne=campagne, reponses=[reponse.pk])


def controles_apres_depot(reponse: Reponse) -> None:
    """À appeler par le service de dépôt : le contrôle de la réponse part en tâche de fond une fois
    la transaction validée (le dépôt n'attend pas le contrôle)."""
    from senacs.controles.tasks import controler_reponse

    pk = reponse.pk
    transaction.on_commit(lambda: controler_reponse.enqueue(pk))


# --------------------------------------------------------------------------- verrou et saisie en contrôle


def reponse_verrouillee(reponse: Reponse) -> bool:
    """Une réponse validée par le correspondant ne se modifie plus (par personne) tant qu'elle n'a pas
    été déverrouillée, motif à l'appui."""
    return reponse.statut == Statut.VALIDEE


def codes_modifiables_en_controle(reponse: Reponse) -> set[str]:
    """Pendant le contrôle de cohérence, la structure ne modifie que les réponses visées par une
    interpellation **ouverte** (pas encore répondue) ; rien si la réponse est verrouillée. Une
    interpellation sur toute la réponse (sans question) se répond par un message, pas par une saisie."""
    if reponse_verrouillee(reponse):
        return set()
    codes: set[str] = set()
    for questions in Interpellation.objects.filter(reponse=reponse, etat=EtatInterpellation.OUVERTE).values_list(
        "questions", flat=True
    ):
        codes.update(questions)
    return codes


# --------------------------------------------------------------------------- destinataires et courriels


def destinataires_structure(structure: Structure, jour: datetime.date | None = None) -> list[str]:
    """Adresse de contact de la structure et comptes qui ont un mandat « structure » en cours sur elle."""
    jour = jour or timezone.localdate()
    adresses = [structure.email] if structure.email else []
    adresses += list(
        Mandat.objects.valides(jour)
        .filter(role=Role.STRUCTURE, structure=structure, utilisateur__is_active=True)
        .values_list("utilisateur__email", flat=True)
    )
    vues, resultat = set(), []
    for a in adresses:
        if a.lower() not in vues:
            vues.add(a.lower())
            resultat.append(a)
    return resultat


def _envoyer(sujet: str, gabarit: str, contexte: dict, destinataires: list[str], notification: bool = True) -> None:
    """``notification`` : un avis de travail en attente, que les comptes au récapitulatif quotidien ne
    reçoivent pas à part ; une relance, écrite et envoyée par le correspondant, part toujours."""
    from senacs.comptes.selectors import sans_recapitulatif

    if notification:
        destinataires = sans_recapitulatif(destinataires)
    if not destinataires:
        return
    corps = render_to_string(gabarit, contexte)
    EmailMessage(sujet, corps, settings.DEFAULT_FROM_EMAIL, destinataires).send()


def _url_interpellation(interpellation: Interpellation, url_base: str | None) -> str:
    chemin = reverse("controles:interpellation", args=[interpellation.campagne.annee, interpellation.pk])
    return _url(chemin, url_base)


def _notifier_ouverture(interpellations: list[Interpellation], url_base: str | None) -> None:
    par_reponse: dict[int, list[Interpellation]] = {}
    for i in interpellations:
        par_reponse.setdefault(i.reponse_id, []).append(i)
    for liste in par_reponse.values():
        structure = liste[0].reponse.structure
        campagne = liste[0].campagne
        contexte = {
            "structure": structure,
            "campagne": campagne,
            "interpellations": [
                {"i": i, "url": _url_interpellation(i, url_base), "echeance": formater_date(i.echeance)} for i in liste
            ],
            "organisme": liste[0].organisme,
        }
        sujet = (
            f"SENACS {campagne.annee} : une question sur votre réponse"
            if len(liste) == 1
            else f"SENACS {campagne.annee} : {len(liste)} questions sur votre réponse"
        )
        _envoyer(sujet, "courriels/controles_interpellation.txt", contexte, destinataires_structure(structure))


# --------------------------------------------------------------------------- interpellations


def _verifier_phase(campagne: Campagne, phases: tuple, action: str) -> None:
    if campagne.phase not in phases:
        libelles = " ou ".join(f"« {Phase(p).label} »" for p in phases)
        raise ErreurControle(
            f"{action} n'est possible qu'en phase {libelles} ; la campagne {campagne.annee} est en phase "
            f"« {campagne.get_phase_display()} »."
        )


def _texte(texte: str, *, obligatoire: bool, quoi: str = "Le message") -> str:
    texte = nettoyer_texte(texte or "").strip()
    if obligatoire and not texte:
        raise ErreurControle(f"{quoi} est obligatoire.")
    if len(texte) > LONGUEUR_MAX_TEXTE:
        raise ErreurControle(f"{quoi} fait plus de 5 000 caractères.")
    return texte


def _codes_questionnaire(reponse: Reponse) -> set[str]:
    questionnaire = reponse.campagne.questionnaire
    if questionnaire is None:
        return set()
    modele = questionnaire.modele.pour_public(reponse.structure.type, reponse.structure.departement_id)
    return {q.code for q in modele.questions() if q.saisie}


@transaction.atomic
def interpellation_ouvrir(
    *,
    reponse: Reponse,
    texte: str,
    echeance: datetime.date,
    par,
    organisme: str,
    questions: Iterable[str] = (),
    signalement: Signalement | None = None,
    notifier: bool = True,
    url_base: str | None = None,
) -> Interpellation:
    """Ouvre une interpellation sur une réponse déposée (ou sur certaines de ses réponses), avec une
    échéance ; la structure est prévenue par courriel."""
    campagne = reponse.campagne
    _verifier_phase(campagne, PHASES_INTERPELLATION, "Interpeller une structure")
    if reponse.statut not in STATUTS_CONTROLES:
        raise ErreurControle("On n'interpelle que sur une réponse déposée : celle-ci est encore un brouillon.")
    if reponse_verrouillee(reponse):
        raise ErreurControle("Cette réponse est validée (verrouillée) : déverrouillez-la d'abord, motif à l'appui.")
    texte = _texte(texte, obligatoire=True, quoi="La question posée")
    if echeance < timezone.localdate():
        raise ErreurControle("L'échéance ne peut pas être passée.")
    if signalement is not None:
        if signalement.reponse_id != reponse.pk:
            raise ErreurControle("Cette anomalie ne concerne pas cette réponse.")
        if not questions:
            questions = signalement.questions
    questions = list(dict.fromkeys(questions))
    inconnues = sorted(set(questions) - _codes_questionnaire(reponse))
    if inconnues:
        raise ErreurControle(f"Question(s) inconnue(s) dans ce questionnaire : {', '.join(inconnues)}.")
    interpellation = Interpellation.objects.create(
        campagne=campagne,
        reponse=reponse,
        questions=questions,
        signalement=signalement,
        texte=texte,
        echeance=echeance,
        ouverte_par=par,
        organisme=organisme,
    )
    MessageInterpellation.objects.create(
        interpellation=interpellation,
        auteur=par,
        role=Role.CORRESPONDANT,
        organisme=organisme,
        action=Action.OUVERTURE,
        texte=texte,
        le=interpellation.ouverte_le,
    )
    if notifier:
        _notifier_ouverture([interpellation], url_base)
    return interpellation


@dataclass
class ResultatMasse:
    creees: list[Interpellation] = field(default_factory=list)
    ignorees: list[tuple[Signalement, str]] = field(default_factory=list)


@transaction.atomic
def interpellations_ouvrir_en_masse(
    *,
    signalements: Iterable[Signalement],
    echeance: datetime.date,
    par,
    organisme_pour,
    complement: str = "",
    url_base: str | None = None,
) -> ResultatMasse:
    """Une interpellation par anomalie (message de l'anomalie, suivi du complément éventuel), sauf
    pour celles qui en ont déjà une en cours ou dont la réponse est verrouillée ; un seul courriel
    par structure. ``organisme_pour(structure)`` : au titre de quel organisme on interpelle."""
    resultat = ResultatMasse()
    complement = _texte(complement, obligatoire=False, quoi="Le complément")
    deja = set(
        Interpellation.objects.en_cours()
        .filter(signalement__in=[s.pk for s in signalements])
        .values_list("signalement_id", flat=True)
    )
    for s in signalements:
        if s.pk in deja:
            resultat.ignorees.append((s, "une interpellation est déjà en cours sur cette anomalie"))
            continue
        if not s.present:
            resultat.ignorees.append((s, "l'anomalie a disparu (corrigée)"))
            continue
        texte = s.message + (f"\n\n{complement}" if complement else "")
        try:
            interpellation = interpellation_ouvrir(
                reponse=s.reponse,
                texte=texte,
                echeance=echeance,
                par=par,
                organisme=organisme_pour(s.reponse.structure),
                signalement=s,
                notifier=False,
            )
        except ErreurControle as erreur:
            resultat.ignorees.append((s, erreur.message[0].lower() + erreur.message[1:]))
            continue
        resultat.creees.append(interpellation)
    _notifier_ouverture(resultat.creees, url_base)
    return resultat


def _message(interpellation, *, par, role, organisme, action, texte="", le=None) -> MessageInterpellation:
    return MessageInterpellation.objects.create(
        interpellation=interpellation,
        auteur=par,
        role=role,
        organisme=organisme,
        action=action,
        texte=texte,
        le=le or timezone.now(),
    )


def _verrouiller(interpellation: Interpellation) -> Interpellation:
    return (
        Interpellation.objects.select_for_update(of=("self",))
        .select_related("campagne", "reponse__structure", "ouverte_par", "signalement")
        .get(pk=interpellation.pk)
    )


def _notifier_reponse(i: Interpellation, message: MessageInterpellation, url_base: str | None) -> None:
    contexte = {"i": i, "message": message, "url": _url_interpellation(i, url_base), "structure": i.reponse.structure}
    sujet = f"SENACS {i.campagne.annee} : {i.reponse.structure.nom} a répondu à votre interpellation"
    _envoyer(sujet, "courriels/controles_interpellation_repondue.txt", contexte, [i.ouverte_par.email])


@transaction.atomic
def interpellation_corriger(
    *,
    interpellation: Interpellation,
    saisies: Mapping[str, tuple[Any, int | None]],
    texte: str,
    par,
    organisme: str,
    url_base: str | None = None,
) -> Resultat:
    """La structure répond en corrigeant les réponses visées (``{code: (valeur, version chargée)}``) :
    enregistrement par ``reponse_enregistrer`` (origine « interpellation », historisé), lié au message ;
    l'interpellation passe à « répondue » et la réponse est contrôlée à nouveau. En cas de conflit
    de version, rien n'est changé et les conflits sont rendus."""
    i = _verrouiller(interpellation)
    _verifier_phase(i.campagne, PHASES_INTERPELLATION, "Corriger une réponse")
    if i.etat != EtatInterpellation.OUVERTE:
        raise ErreurControle("Cette interpellation n'est plus ouverte : la réponse ne se corrige plus ici.")
    if reponse_verrouillee(i.reponse):
        raise ErreurControle("Cette réponse est validée (verrouillée) : elle ne se modifie plus.")
    permis = codes_modifiables_en_controle(i.reponse) & set(i.questions)
    interdits = sorted(set(saisies) - permis)
    if interdits:
        raise ErreurControle(
            f"Seules les réponses visées par l'interpellation se corrigent ici ({', '.join(interdits)} ne l'est pas)."
        )
    if not saisies:
        raise ErreurControle("Aucune réponse à corriger.")
    texte = _texte(texte, obligatoire=False)
    resultat = reponse_enregistrer(
        reponse=i.reponse,
        modifications=dict(saisies),
        par=par,
        organisme=organisme,
        pour_le_compte=False,
        origine=ORIGINE_INTERPELLATION,
        controle=_non_validee,
    )
    if not resultat.ok:
        transaction.set_rollback(True)
        return resultat
    changes = [code for code in saisies if code not in resultat.inchangees]
    if not changes and not texte:
        raise ErreurControle("Les valeurs saisies sont celles déjà enregistrées : rien n'a changé.")
    maintenant = timezone.now()
    message = _message(
        i, par=par, role=Role.STRUCTURE, organisme=organisme, action=Action.CORRECTION, texte=texte, le=maintenant
    )
    if changes:
        historiques = ReponseHistorique.objects.filter(reponse=i.reponse, origine=ORIGINE_INTERPELLATION).filter(
            code__in=changes
        )
        message.changements.set(
            [h for h in historiques if h.version == resultat.versions.get(h.code)],
        )
    i.etat, i.repondue_le = EtatInterpellation.REPONDUE, maintenant
    i.save(update_fields=["etat", "repondue_le"])
    controle_reponse(i.reponse)
    _notifier_reponse(i, message, url_base)
    return resultat


@transaction.atomic
def interpellation_justifier(
    *, interpellation: Interpellation, texte: str, par, organisme: str, url_base: str | None = None
) -> Interpellation:
    """La structure répond en justifiant sa réponse (sans la modifier)."""
    i = _verrouiller(interpellation)
    if i.etat != EtatInterpellation.OUVERTE:
        raise ErreurControle("Cette interpellation n'est plus ouverte.")
    texte = _texte(texte, obligatoire=True, quoi="La justification")
    maintenant = timezone.now()
    message = _message(
        i, par=par, role=Role.STRUCTURE, organisme=organisme, action=Action.JUSTIFICATION, texte=texte, le=maintenant
    )
    i.etat, i.repondue_le = EtatInterpellation.REPONDUE, maintenant
    i.save(update_fields=["etat", "repondue_le"])
    _notifier_reponse(i, message, url_base)
    return i


@transaction.atomic
def interpellation_commenter(*, interpellation: Interpellation, texte: str, par, role: str, organisme: str):
    """Un message dans le fil, sans changer l'état (précision, relance personnelle…)."""
    i = _verrouiller(interpellation)
    if not i.en_cours:
        raise ErreurControle("Cette interpellation est close : rouvrez-la pour poursuivre l'échange.")
    return _message(
        i, par=par, role=role, organisme=organisme, action=Action.MESSAGE, texte=_texte(texte, obligatoire=True)
    )


def _derniere_justification(i: Interpellation) -> str:
    message = i.messages.filter(action=Action.JUSTIFICATION).order_by("-le", "-pk").first()
    return message.texte if message else ""


@transaction.atomic
def interpellation_resoudre(*, interpellation: Interpellation, par, organisme: str, texte: str = "") -> Interpellation:
    """Le correspondant clôt l'interpellation. Si l'anomalie liée est toujours là, la justification
    de la structure est acceptée : l'anomalie passe à « justifiée »."""
    i = _verrouiller(interpellation)
    if not i.en_cours:
        raise ErreurControle("Cette interpellation est déjà close.")
    maintenant = timezone.now()
    _message(
        i,
        par=par,
        role=Role.CORRESPONDANT,
        organisme=organisme,
        action=Action.RESOLUTION,
        texte=_texte(texte, obligatoire=False),
        le=maintenant,
    )
    i.etat, i.close_le, i.close_par = EtatInterpellation.RESOLUE, maintenant, par
    i.save(update_fields=["etat", "close_le", "close_par"])
    s = i.signalement
    if s is not None and s.present and s.statut == StatutSignalement.OUVERTE:
        s.statut = StatutSignalement.JUSTIFIEE
        s.justification = _derniere_justification(i) or s.justification
        s.save(update_fields=["statut", "justification"])
    return i


@transaction.atomic
def interpellation_rouvrir(
    *, interpellation: Interpellation, par, organisme: str, texte: str, url_base: str | None = None
) -> Interpellation:
    """Le correspondant rouvre une interpellation répondue ou résolue (la réponse ne le satisfait pas) ;
    la structure est prévenue et peut de nouveau corriger les réponses visées."""
    i = _verrouiller(interpellation)
    if i.etat not in (EtatInterpellation.REPONDUE, EtatInterpellation.RESOLUE):
        raise ErreurControle("Seule une interpellation répondue ou résolue se rouvre.")
    _verifier_phase(i.campagne, PHASES_INTERPELLATION, "Rouvrir une interpellation")
    if reponse_verrouillee(i.reponse):
        raise ErreurControle("Cette réponse est validée (verrouillée) : déverrouillez-la d'abord, motif à l'appui.")
    texte = _texte(texte, obligatoire=True, quoi="Le motif de la réouverture")
    _message(i, par=par, role=Role.CORRESPONDANT, organisme=organisme, action=Action.REOUVERTURE, texte=texte)
    i.etat, i.close_le, i.close_par = EtatInterpellation.OUVERTE, None, None
    i.save(update_fields=["etat", "close_le", "close_par"])
    s = i.signalement
    if s is not None and s.present and s.statut == StatutSignalement.JUSTIFIEE:
        s.statut = StatutSignalement.OUVERTE
        s.save(update_fields=["statut"])
    _notifier_ouverture([i], url_base)
    return i


@transaction.atomic
def interpellation_annuler(*, interpellation: Interpellation, par, organisme: str, texte: str = "") -> Interpellation:
    i = _verrouiller(interpellation)
    if not i.en_cours:
        raise ErreurControle("Cette interpellation est déjà close.")
    maintenant = timezone.now()
    _message(
        i,
        par=par,
        role=Role.CORRESPONDANT,
        organisme=organisme,
        action=Action.ANNULATION,
        texte=_texte(texte, obligatoire=False),
        le=maintenant,
    )
    i.etat, i.close_le, i.close_par = EtatInterpellation.ANNULEE, maintenant, par
    i.save(update_fields=["etat", "close_le", "close_par"])
    return i


# --------------------------------------------------------------------------- validation


def _non_validee(r: Reponse) -> None:
    """Contrôle fait sur la réponse verrouillée, dans la transaction qui écrit."""
    if r.statut == Statut.VALIDEE:
        raise ErreurControle("Cette réponse est validée (verrouillée) : elle ne se modifie plus.")


@transaction.atomic
def reponse_valider(*, reponse: Reponse, par, organisme: str, maintenant: datetime.datetime | None = None) -> Reponse:
    """Le correspondant valide une réponse déposée et contrôlée : statut « validée », date, auteur
    (``EvenementValidation``) ; elle est dès lors verrouillée. Refusé tant qu'une interpellation est
    en cours (à résoudre ou annuler d'abord) ; les anomalies restantes n'empêchent pas la validation
    (ce sont des soupçons, pas des erreurs avérées)."""
    maintenant = maintenant or timezone.now()
    r = Reponse.objects.select_for_update(of=("self",)).select_related("campagne").get(pk=reponse.pk)
    _verifier_phase(r.campagne, PHASES_VALIDATION, "Valider une réponse")
    if r.statut == Statut.VALIDEE:
        raise ErreurControle("Cette réponse est déjà validée.")
    if r.statut != Statut.SOUMISE:
        raise ErreurControle("Seule une réponse déposée se valide : celle-ci est encore un brouillon.")
    en_cours = Interpellation.objects.en_cours().filter(reponse=r).count()
    if en_cours:
        raise ErreurControle(
            f"{en_cours} interpellation(s) en cours sur cette réponse : résolvez-les ou annulez-les avant de valider."
        )
    r.statut, r.validee_le = Statut.VALIDEE, maintenant
    r.save(update_fields=["statut", "validee_le"])
    EvenementValidation.objects.create(
        reponse=r, action=ActionValidation.VALIDER, par=par, organisme=organisme, le=maintenant
    )
    reponse.statut, reponse.validee_le = r.statut, r.validee_le
    return r


@transaction.atomic
def reponse_deverrouiller(
    *, reponse: Reponse, par, organisme: str, motif: str, maintenant: datetime.datetime | None = None
) -> Reponse:
    """Rend une réponse validée de nouveau « soumise » (modifiable par interpellation) ; le motif
    écrit est obligatoire et journalisé."""
    maintenant = maintenant or timezone.now()
    motif = _texte(motif, obligatoire=True, quoi="Le motif du déverrouillage")
    if len(motif) < LONGUEUR_MIN_MOTIF:
        raise ErreurControle("Expliquez en une phrase pourquoi vous déverrouillez cette réponse.")
    r = Reponse.objects.select_for_update(of=("self",)).select_related("campagne").get(pk=reponse.pk)
    _verifier_phase(r.campagne, PHASES_DEVERROUILLAGE, "Déverrouiller une réponse")
    if r.statut != Statut.VALIDEE:
        raise ErreurControle("Cette réponse n'est pas validée : elle n'est pas verrouillée.")
    r.statut, r.validee_le = Statut.SOUMISE, None
    r.save(update_fields=["statut", "validee_le"])
    EvenementValidation.objects.create(
        reponse=r, action=ActionValidation.DEVERROUILLER, par=par, organisme=organisme, le=maintenant, motif=motif
    )
    reponse.statut, reponse.validee_le = r.statut, r.validee_le
    return r


# --------------------------------------------------------------------------- relances


@dataclass(frozen=True, slots=True)
class LigneRelance:
    structure: Structure
    destinataires: tuple[str, ...]
    detail: str  # « non commencée », « brouillon », « 2 interpellations sans réponse »
    exclusion: str = ""  # pourquoi elle ne sera pas relancée (vide : elle le sera)
    derniere_relance: datetime.datetime | None = None

    @property
    def relancee(self) -> bool:
        return not self.exclusion


def relances_apercu(
    *, campagne: Campagne, structures, nature: str, maintenant: datetime.datetime | None = None
) -> list[LigneRelance]:
    """Qui serait relancé (``structures`` : queryset déjà restreint au périmètre), et qui ne le sera
    pas, avec la raison : déjà relancée depuis moins de ``SENACS_DELAI_RELANCE_JOURS`` jours, ou
    aucune adresse connue."""
    from senacs.campagnes.selectors import avec_etat, structures_attendues

    maintenant = maintenant or timezone.now()
    jour = timezone.localdate(maintenant)
    if nature == NatureRelance.NON_DEPOSEE:
        candidates = (
            avec_etat(campagne, structures_attendues(campagne, structures))
            .exclude(reponse_campagne__statut__in=STATUTS_CONTROLES)
            .order_by("departement_id", "nom", "pk")
        )
        details = {s.pk: "brouillon" if s.statut else "non commencée" for s in candidates}
    elif nature == NatureRelance.INTERPELLATION:
        comptes = Counter(
            Interpellation.objects.filter(
                campagne=campagne, etat=EtatInterpellation.OUVERTE, reponse__structure__in=structures
            ).values_list("reponse__structure_id", flat=True)
        )
        candidates = structures.filter(pk__in=list(comptes)).order_by("departement_id", "nom", "pk")
        details = {pk: f"{n} interpellation{'s' if n > 1 else ''} sans réponse" for pk, n in comptes.items()}
    else:
        raise ErreurControle(f"Nature de relance inconnue : {nature}.")
    candidates = list(candidates)
    limite = maintenant - datetime.timedelta(days=delai_relance_jours())
    dernieres: dict[int, datetime.datetime] = {}
    for structure_id, le in Relance.objects.filter(
        campagne=campagne, structure__in=[s.pk for s in candidates]
    ).values_list("structure_id", "le"):
        if structure_id not in dernieres or le > dernieres[structure_id]:
            dernieres[structure_id] = le
    mandats: dict[int, list[str]] = {}
    for structure_id, email in (
        Mandat.objects.valides(jour)
        .filter(role=Role.STRUCTURE, structure__in=[s.pk for s in candidates], utilisateur__is_active=True)
        .values_list("structure_id", "utilisateur__email")
    ):
        mandats.setdefault(structure_id, []).append(email)
    lignes = []
    for s in candidates:
        adresses = list(dict.fromkeys(([s.email] if s.email else []) + mandats.get(s.pk, [])))
        derniere = dernieres.get(s.pk)
        exclusion = ""
        if derniere is not None and derniere > limite:
            exclusion = (
                f"déjà relancée le {timezone.localtime(derniere):%d/%m/%Y} (pas de nouvelle relance avant "
                f"{delai_relance_jours()} jours)"
            )
        elif not adresses:
            exclusion = "aucune adresse électronique connue"
        if s.date_fermeture is not None and s.date_fermeture <= jour:
            # Personne n'y répondra : une structure fermée n'est pas relancée.
            exclusion = f"structure fermée le {s.date_fermeture:%d/%m/%Y}"
        elif not s.active:
            exclusion = "structure fermée"
        lignes.append(LigneRelance(s, tuple(adresses), details[s.pk], exclusion, derniere))
    return lignes


def _courriel_relance(campagne, ligne, nature, organisme, url_base, message):
    s = ligne.structure
    gabarit = (
        "courriels/controles_relance_non_deposee.txt"
        if nature == NatureRelance.NON_DEPOSEE
        else "courriels/controles_relance_interpellation.txt"
    )
    contexte = {
        "structure": s,
        "campagne": campagne,
        "detail": ligne.detail,
        "organisme": organisme,
        "fin_saisie": formater_date(campagne.fin_saisie_pour(s.departement_id)),
        "url": _url(reverse("controles:ma_reponse", args=[campagne.annee]), url_base),
        "message": (message or "").strip(),
    }
    sujet = (
        f"SENACS {campagne.annee} : votre réponse est attendue"
        if nature == NatureRelance.NON_DEPOSEE
        else f"SENACS {campagne.annee} : des questions attendent votre réponse"
    )
    return sujet, gabarit, contexte


def relance_apercu_courriel(*, campagne, ligne, nature, organisme, url_base=None, message="") -> tuple[str, str]:
    """(sujet, texte) du courriel de relance tel que la structure le recevra, pour l'aperçu."""
    sujet, gabarit, contexte = _courriel_relance(campagne, ligne, nature, organisme, url_base, message)
    return sujet, render_to_string(gabarit, contexte)


@transaction.atomic
def relances_envoyer(
    *,
    campagne: Campagne,
    structures,
    nature: str,
    par,
    organisme_pour,
    maintenant: datetime.datetime | None = None,
    url_base: str | None = None,
    message: str = "",
) -> list[Relance]:
    """Envoie les relances de l'aperçu (celles qui ne sont pas exclues) et les journalise.
    ``message`` : quelques mots du correspondant, ajoutés au texte type."""
    maintenant = maintenant or timezone.now()
    lignes = relances_apercu(campagne=campagne, structures=structures, nature=nature, maintenant=maintenant)
    relances = []
    for ligne in lignes:
        if not ligne.relancee:
            continue
        s = ligne.structure
        organisme = organisme_pour(s)
        sujet, gabarit, contexte = _courriel_relance(campagne, ligne, nature, organisme, url_base, message)
        _envoyer(sujet, gabarit, contexte, list(ligne.destinataires), notification=False)
        relances.append(
            Relance(
                campagne=campagne,
                structure=s,
                nature=nature,
                par=par,
                organisme=organisme,
                destinataires=list(ligne.destinataires),
                le=maintenant,
            )
        )
    return Relance.objects.bulk_create(relances)


# --------------------------------------------------------------------------- qualité sur la démonstration


def injections_demo(campagne: Campagne) -> list | None:
    """Anomalies injectées par la démonstration dans cette campagne, si la démonstration expose leur
    liste (sélecteur ``senacs.demo.selectors.anomalies_injectees``) ; None sinon. Chaque élément doit
    donner ``structure`` (ou ``identifiant``), un genre (``genre``, ``type`` ou ``nature``) et, si
    possible, ``questions`` ; un champ ``campagne`` (année) restreint à la campagne."""
    from senacs.demo import selectors as demo

    selecteur = getattr(demo, "anomalies_injectees", None)
    if selecteur is None:
        return None
    try:
        elements = list(selecteur(campagne=campagne.annee))
    except TypeError:
        elements = list(selecteur())

    def annee(element):
        valeur = element.get("campagne") if isinstance(element, Mapping) else getattr(element, "campagne", None)
        return getattr(valeur, "annee", valeur)

    return [e for e in elements if annee(e) in (None, campagne.annee)]
