"""Saisie du questionnaire par la structure, ou pour son compte par un correspondant de son territoire.

Accès : la structure sur ses propres réponses ; un correspondant (mandat Caf ou fédération) sur les
structures de son territoire, et sa saisie est marquée « pour le compte de la structure ». Toute
structure passe par ``Structure.objects.visibles_par(request.perimetre)`` (404 hors périmètre) ;
les autres rôles (COPIL, invités, préparateur, national, administrateur) reçoivent 403.

Chaque réponse s'enregistre dès qu'elle change (htmx, ``hx-post`` sur ``change``) ; sans JavaScript,
le bouton « Enregistrer la section » enregistre toute la section avec les mêmes contrôles. Aucune
saisie ne se perd : chaque champ renvoie la version chargée avec la page, et une réponse modifiée
entre-temps par quelqu'un d'autre est refusée et montrée avec les deux valeurs, au choix.
"""

from dataclasses import dataclass
from functools import cached_property

from django.contrib import messages
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from core import capacites
from core.questionnaire.modele import Questionnaire as ModeleQuestionnaire
from core.questionnaire.saisie import ErreurSaisie, EtatSaisie, differences, etat_saisie, lire, manquante
from senacs.campagnes.models import Campagne
from senacs.journal.models import Nature
from senacs.journal.services import journaliser_acces
from senacs.reponses import selectors
from senacs.reponses.models import Reponse, ReponseHistorique, Statut
from senacs.reponses.recu import recu, recu_pdf
from senacs.reponses.services import (
    EcritureRefusee,
    Resultat,
    refus_ecriture,
    reponse_ouvrir,
    reponse_restaurer,
    reponse_rouvrir,
    reponse_saisir,
    reponse_soumettre,
)
from senacs.structures.models import Structure
from senacs.www.decorators import lecture_get_atomique_post, perimetre_requis
from senacs.www.saisie import affichage
from senacs.www.saisie.forms import PREFIXE_JUSTIFICATION, JustificationsForm, brut, lire_champs, version_lue

LIBELLES_ORIGINES = {
    "saisie": "Saisie",
    "reprise": "Reprise de l'an dernier",
    "restauration": "Restauration d'une valeur précédente",
    "import": "Import",
}


departements_correspondant = capacites.departements_correspondant
porte_saisie = perimetre_requis(capacites.saisir)


@dataclass
class Saisie:
    """Tout ce qu'une page de saisie sait : campagne, structure, réponse, questionnaire, droits."""

    request: object
    campagne: Campagne
    structure: Structure
    reponse: Reponse | None
    modele: ModeleQuestionnaire
    pour_le_compte: bool
    refus: str | None
    precedentes: dict
    jour: object

    @property
    def modifiable(self) -> bool:
        return self.refus is None and self.reponse is not None and self.reponse.statut == Statut.BROUILLON

    @property
    def peut_commencer(self) -> bool:
        return self.refus is None and self.reponse is None

    @property
    def peut_rouvrir(self) -> bool:
        return self.refus is None and self.reponse is not None and self.reponse.statut == Statut.SOUMISE

    @cached_property
    def organisme(self) -> str:
        return selectors.organisme_saisie(
            self.request.user, self.structure, pour_le_compte=self.pour_le_compte, jour=self.jour
        )

    @property
    def valeurs(self) -> dict:
        return self.reponse.valeurs if self.reponse else {}

    @property
    def versions(self) -> dict:
        return self.reponse.versions if self.reponse else {}

    @property
    def provenances(self) -> dict:
        return self.reponse.provenance if self.reponse else {}

    def etat(self) -> EtatSaisie:
        return etat_saisie(self.modele, self.valeurs, self.precedentes)

    def url(self, nom: str, *args) -> str:
        return reverse(f"saisie:{nom}", args=[self.campagne.annee, self.structure.pk, *args])

    def url_question(self, code: str) -> str:
        return f"{self.url('section', self.modele.section_de(code).code)}#q-{code}"

    @property
    def avis(self) -> str:
        """Pourquoi la page est en lecture seule (ou rien)."""
        if self.refus:
            return self.refus
        if self.reponse is not None and self.reponse.statut == Statut.SOUMISE:
            return (
                f"Cette réponse a été déposée le {timezone.localtime(self.reponse.soumise_le):%d/%m/%Y à %H:%M}. "
                "Pour la corriger, rouvrez-la depuis le sommaire : le dépôt reste enregistré et un nouveau dépôt "
                "sera daté à part."
            )
        if self.reponse is not None and self.reponse.statut == Statut.VALIDEE:
            return "Cette réponse a été validée par le correspondant : elle ne se modifie plus."
        return ""


def _saisie(request, annee: int, pk: int) -> Saisie:
    perimetre = request.perimetre
    campagne = get_object_or_404(
        Campagne.objects.select_related("questionnaire")
        .defer("questionnaire__definition")
        .prefetch_related("prorogations"),
        annee=annee,
        questionnaire__isnull=False,
    )
    structure = get_object_or_404(
        Structure.objects.visibles_par(perimetre).select_related("departement__region"), pk=pk
    )
    if structure.pk in perimetre.structures_propres:
        pour_le_compte = False
    elif structure.departement_id in departements_correspondant(perimetre):
        pour_le_compte = True
    else:
        raise Http404("Structure hors de votre périmètre de saisie.")
    if request.method == "GET":  # consultation des réponses brutes (la structure elle-même n'est pas journalisée)
        nature = Nature.EXPORT_STRUCTURE if request.resolver_match.url_name == "recu_pdf" else Nature.SAISIE
        journaliser_acces(
            request, structures=[structure], campagne=campagne, nature=nature, detail=request.resolver_match.url_name
        )
    jour = timezone.localdate()
    reponse = selectors.reponse_de(campagne, structure)
    if reponse is not None:
        reponse.campagne, reponse.structure = campagne, structure  # déjà chargées : pas de requête de plus
    return Saisie(
        request=request,
        campagne=campagne,
        structure=structure,
        reponse=reponse,
        modele=selectors.variante(campagne, structure),
        pour_le_compte=pour_le_compte,
        refus=refus_ecriture(campagne, structure, pour_le_compte=pour_le_compte, jour=jour),
        precedentes=selectors.valeurs_precedentes(campagne, structure),
        jour=jour,
    )


def _section(saisie: Saisie, code: str):
    try:
        return saisie.modele.section(code)
    except KeyError:
        raise Http404("Section inconnue.") from None


def _refus(request, message: str, saisie: Saisie | None = None):
    return render(request, "saisie/refus.html", {"message": message, "saisie": saisie}, status=403)


def _contexte_commun(saisie: Saisie) -> dict:
    return {
        "saisie": saisie,
        "campagne": saisie.campagne,
        "structure": saisie.structure,
        "reponse": saisie.reponse,
        "annee_precedente": saisie.campagne.annee - 1,
        "date_limite": saisie.campagne.fin_saisie_pour(saisie.structure.departement_id),
    }


def _sections(saisie: Saisie, etat: EtatSaisie, courante: str | None = None) -> list[dict]:
    return [
        {
            "avancement": a,
            "url": saisie.url("section", a.code),
            "courante": a.code == courante,
        }
        for a in etat.sections
    ]


def _champs(saisie: Saisie, questions, etat: EtatSaisie, **par_code) -> list[affichage.Champ]:
    textes = par_code.get("textes", {})
    erreurs = par_code.get("erreurs", {})
    conflits = par_code.get("conflits", {})
    lus = par_code.get("lus", {})
    return [
        affichage.champ(
            saisie.modele,
            q,
            valeurs=saisie.valeurs,
            versions=saisie.versions,
            provenances=saisie.provenances,
            precedentes=saisie.precedentes,
            etat=etat,
            annee_precedente=saisie.campagne.annee - 1,
            modifiable=saisie.modifiable,
            texte=textes.get(q.code),
            erreur_saisie=erreurs.get(q.code, ""),
            conflit=conflits.get(q.code),
            lu=lus.get(q.code, ""),
        )
        for q in questions
    ]


# --------------------------------------------------------------------------- pages


@porte_saisie
@lecture_get_atomique_post
def sommaire(request, annee: int, pk: int):
    saisie = _saisie(request, annee, pk)
    etat = saisie.etat()
    depots = selectors.depots(saisie.reponse) if saisie.reponse else []
    return render(
        request,
        "saisie/sommaire.html",
        {
            **_contexte_commun(saisie),
            "etat": etat,
            "sections": _sections(saisie, etat),
            "depots": depots,
            "premiere_section": saisie.modele.sections[0].code if saisie.modele.sections else None,
        },
    )


@porte_saisie
@require_POST
@lecture_get_atomique_post
def commencer(request, annee: int, pk: int):
    saisie = _saisie(request, annee, pk)
    if saisie.refus:
        return _refus(request, saisie.refus, saisie)
    reponse, creee = reponse_ouvrir(campagne=saisie.campagne, structure=saisie.structure, par=request.user)
    if creee and reponse.versions:
        messages.info(
            request,
            f"Les réponses d'identification de la campagne {saisie.campagne.annee - 1} ont été reprises : "
            "vérifiez-les et corrigez ce qui a changé.",
        )
    return redirect(saisie.url("section", saisie.modele.sections[0].code))


@porte_saisie
@lecture_get_atomique_post
def section(request, annee: int, pk: int, section: str):
    saisie = _saisie(request, annee, pk)
    sec = _section(saisie, section)
    if saisie.reponse is None:
        if saisie.peut_commencer:
            messages.info(request, "Commencez la saisie depuis le sommaire du questionnaire.")
        return redirect(saisie.url("sommaire"))
    contexte = {}
    statut = ""
    if request.method == "POST":
        if not saisie.modifiable:
            return _refus(request, saisie.avis, saisie)
        lecture = lire_champs(saisie.modele, sec.questions, request.POST)
        try:
            resultat = reponse_saisir(
                reponse=saisie.reponse,
                saisies=lecture.saisies,
                par=request.user,
                organisme=saisie.organisme,
                pour_le_compte=saisie.pour_le_compte,
            )
        except EcritureRefusee as exc:
            return _refus(request, exc.message, saisie)
        if not lecture.erreurs and resultat.ok and not lecture.lus:
            messages.success(request, f"Section enregistrée à {affichage.heure()}.")
            return redirect(saisie.url("section", sec.code))
        contexte = {
            "lus": lecture.lus,
            "textes": {code: lecture.textes[code] for code in lecture.erreurs},
            "erreurs": lecture.erreurs,
            "conflits": {c.code: c for c in resultat.conflits},
        }
        probleme = []
        if lecture.erreurs:
            probleme.append(f"{len(lecture.erreurs)} réponse(s) à corriger")
        if resultat.conflits:
            probleme.append(f"{len(resultat.conflits)} réponse(s) modifiée(s) entre-temps par quelqu'un d'autre")
        if probleme:
            statut = f"Section enregistrée à {affichage.heure()}, sauf : {' ; '.join(probleme)}."
        else:
            statut = f"Section enregistrée à {affichage.heure()} ; vérifiez les nombres lus (signalés « Lu : »)."
    etat = saisie.etat()
    champs = _champs(saisie, sec.questions, etat, **contexte)
    rang = [s.code for s in saisie.modele.sections].index(sec.code)
    sections = saisie.modele.sections
    return render(
        request,
        "saisie/section.html",
        {
            **_contexte_commun(saisie),
            "section": sec,
            "champs": champs,
            "etat": etat,
            "avancement": etat.section(sec.code),
            "sections": _sections(saisie, etat, sec.code),
            "precedente": sections[rang - 1] if rang > 0 else None,
            "suivante": sections[rang + 1] if rang + 1 < len(sections) else None,
            "statut": statut,
            "niveau_statut": niveau_statut(statut),
            "erreurs_formulaire": bool(contexte) and niveau_statut(statut) == "erreur",
        },
    )


def _signature(saisie: Saisie, etat: EtatSaisie, code: str) -> tuple:
    """Ce qui, dans l'affichage d'une question, dépend des autres réponses : pertinence, messages, calcul."""
    messages_ = tuple((a.bloquante, a.message) for a in etat.par_question.get(code, ()) if not manquante(a))
    calcul = affichage.afficher(saisie.modele, code, etat.calculs.get(code)) if code in etat.calculs else ""
    return code in etat.pertinentes, messages_, calcul


def _reponse_champ(request, saisie: Saisie, sec, code: str, etat_avant: EtatSaisie, statut: str, **par_code):
    """Fragment htmx : le champ enregistré, plus (hors bande) le statut, l'avancement, les calculs,
    les questions dont la pertinence a changé et les messages d'erreur des autres champs."""
    etat = saisie.etat()
    a_rendre = {code}
    erreurs_seules = set()
    for q in sec.questions:
        if q.code == code:
            continue
        avant, apres = _signature(saisie, etat_avant, q.code), _signature(saisie, etat, q.code)
        if avant[0] != apres[0] or avant[2] != apres[2]:
            a_rendre.add(q.code)
        elif avant[1] != apres[1]:
            erreurs_seules.add(q.code)
    champs = {
        c.code: c
        for c in _champs(saisie, [q for q in sec.questions if q.code in a_rendre | erreurs_seules], etat, **par_code)
    }
    return render(
        request,
        "saisie/_reponse_champ.html",
        {
            **_contexte_commun(saisie),
            "section": sec,
            "c": champs[code],
            "hors_bande": [c for autre, c in champs.items() if autre != code and autre in a_rendre],
            "erreurs_changees": [c for autre, c in champs.items() if autre in erreurs_seules],
            "avancement": etat.section(sec.code),
            "statut": statut,
            "niveau_statut": niveau_statut(statut),
        },
    )


def niveau_statut(statut: str) -> str:
    """Couleur du message d'enregistrement : erreur (non enregistré), alerte (modifiée entre-temps) ou ok."""
    if statut.startswith("Non enregistré") or "sauf :" in statut:
        return "erreur"
    if "entre-temps" in statut or "lu :" in statut or "Lu :" in statut:
        return "alerte"
    return "ok"


def _question_de_section(saisie: Saisie, section: str, code: str):
    sec = _section(saisie, section)
    question = next((q for q in sec.questions if q.code == code and q.saisie), None)
    if question is None:
        raise Http404("Question inconnue dans cette section.")
    return sec, question


def _statut_resultat(saisie: Saisie, resultat: Resultat, code: str, version_chargee: int) -> str:
    if resultat.conflits:
        return "Non enregistré : cette réponse a été modifiée entre-temps. Choisissez la valeur à garder."
    if code in resultat.inchangees and saisie.reponse.versions.get(code, 0) != version_chargee:
        return (
            "Cette réponse avait été modifiée entre-temps par quelqu'un d'autre : la valeur enregistrée est affichée."
        )
    return f"Enregistré à {affichage.heure()}."


@porte_saisie
@require_POST
@lecture_get_atomique_post
def champ(request, annee: int, pk: int, section: str, code: str):
    """Enregistrement automatique d'une réponse (htmx) ; sans htmx, retour à la section."""
    saisie = _saisie(request, annee, pk)
    sec, question = _question_de_section(saisie, section, code)
    ancre = saisie.url_question(code)
    if saisie.reponse is None and saisie.refus is None:
        saisie.reponse, _ = reponse_ouvrir(campagne=saisie.campagne, structure=saisie.structure, par=request.user)
        saisie.reponse.campagne, saisie.reponse.structure = saisie.campagne, saisie.structure
    etat_avant = saisie.etat()
    if not saisie.modifiable:
        if not request.htmx:
            return _refus(request, saisie.avis, saisie)
        return _reponse_champ(request, saisie, sec, code, etat_avant, f"Non enregistré : {saisie.avis}")
    lecture = lire_champs(saisie.modele, [question], request.POST)
    if code not in lecture.textes:
        return HttpResponseBadRequest("Réponse absente du formulaire.")
    if code in lecture.erreurs:
        statut = f"Non enregistré : {lecture.erreurs[code]}"
        if not request.htmx:
            messages.error(request, f"Question {code} : {statut}")
            return redirect(ancre)
        return _reponse_champ(
            request, saisie, sec, code, etat_avant, statut, textes=lecture.textes, erreurs=lecture.erreurs
        )
    try:
        resultat = reponse_saisir(
            reponse=saisie.reponse,
            saisies=lecture.saisies,
            par=request.user,
            organisme=saisie.organisme,
            pour_le_compte=saisie.pour_le_compte,
        )
    except EcritureRefusee as exc:
        if not request.htmx:
            return _refus(request, exc.message, saisie)
        return _reponse_champ(request, saisie, sec, code, etat_avant, f"Non enregistré : {exc.message}")
    statut = _statut_resultat(saisie, resultat, code, lecture.saisies[code][1])
    if code in lecture.lus and not resultat.conflits:
        statut = f"{statut[:-1]} — lu : {lecture.lus[code]}."
    if not request.htmx:
        (messages.warning if resultat.conflits else messages.success)(request, f"Question {code} : {statut}")
        return redirect(ancre)
    return _reponse_champ(
        request,
        saisie,
        sec,
        code,
        etat_avant,
        statut,
        conflits={c.code: c for c in resultat.conflits},
        lus=lecture.lus if not resultat.conflits else {},
    )


@porte_saisie
@require_POST
@lecture_get_atomique_post
def resoudre(request, annee: int, pk: int, section: str, code: str):
    """Choix après un conflit : garder sa saisie (enregistrée contre la version affichée dans le
    conflit) ou garder la valeur enregistrée."""
    saisie = _saisie(request, annee, pk)
    sec, question = _question_de_section(saisie, section, code)
    if saisie.reponse is None or not saisie.modifiable:
        return _refus(request, saisie.avis or "La saisie n'est pas commencée.", saisie)
    etat_avant = saisie.etat()
    choix = request.POST.get("choix", "")
    par_code = {}
    if choix == "mienne":
        texte = brut(question, request.POST, f"proposee_{code}")
        version = version_lue(request.POST.get(f"version_conflit_{code}"))
        try:
            valeur = lire(question, texte, [c.code for c in saisie.modele.choix(code)])
        except ErreurSaisie as exc:
            statut = f"Non enregistré : {exc.message}"
            par_code = {"textes": {code: texte}, "erreurs": {code: exc.message}}
        else:
            try:
                resultat = reponse_saisir(
                    reponse=saisie.reponse,
                    saisies={code: (valeur, version)},
                    par=request.user,
                    organisme=saisie.organisme,
                    pour_le_compte=saisie.pour_le_compte,
                )
            except EcritureRefusee as exc:
                return _refus(request, exc.message, saisie)
            if resultat.conflits:
                statut = "Non enregistré : la réponse a encore changé entre-temps. Choisissez à nouveau."
                par_code = {"conflits": {c.code: c for c in resultat.conflits}}
            else:
                statut = f"Votre saisie est gardée : enregistrée à {affichage.heure()}."
    elif choix == "enregistree":
        statut = "La valeur enregistrée est gardée."
    else:
        return HttpResponseBadRequest("Choix inconnu.")
    if not request.htmx:
        (messages.warning if par_code else messages.success)(request, f"Question {code} : {statut}")
        return redirect(saisie.url_question(code))
    return _reponse_champ(request, saisie, sec, code, etat_avant, statut, **par_code)


@porte_saisie
@lecture_get_atomique_post
def historique(request, annee: int, pk: int, code: str):
    saisie = _saisie(request, annee, pk)
    if code not in saisie.modele or not saisie.modele.question(code).saisie or saisie.reponse is None:
        raise Http404("Question inconnue.")
    question = saisie.modele.question(code)
    version_actuelle = saisie.versions.get(code, 0)
    lignes = [
        {
            "h": h,
            "valeur": affichage.afficher(saisie.modele, code, h.valeur),
            "par": (h.par.nom_complet or h.par.email) if h.par else "Personne inconnue",
            "le": affichage.quand(h.le.isoformat()),
            "origine": LIBELLES_ORIGINES.get(h.origine, h.origine),
            "actuelle": h.version == version_actuelle,
        }
        for h in selectors.historique(saisie.reponse, code)
    ]
    return render(
        request,
        "saisie/historique.html",
        {
            **_contexte_commun(saisie),
            "question": question,
            "lignes": lignes,
            "version_actuelle": version_actuelle,
            "url_question": saisie.url_question(code),
        },
    )


@porte_saisie
@require_POST
@lecture_get_atomique_post
def restaurer(request, annee: int, pk: int, code: str, historique_pk: int):
    saisie = _saisie(request, annee, pk)
    if saisie.reponse is None:
        raise Http404("Aucune réponse.")
    ligne = get_object_or_404(ReponseHistorique, pk=historique_pk, reponse=saisie.reponse, code=code)
    if not saisie.modifiable:
        return _refus(request, saisie.avis, saisie)
    try:
        resultat = reponse_restaurer(
            reponse=saisie.reponse,
            historique=ligne,
            version_chargee=version_lue(request.POST.get("version")),
            par=request.user,
            organisme=saisie.organisme,
            pour_le_compte=saisie.pour_le_compte,
        )
    except EcritureRefusee as exc:
        return _refus(request, exc.message, saisie)
    if resultat.conflits:
        messages.warning(
            request,
            affichage.message_conflit(saisie.modele, resultat.conflits[0])
            + " Rien n'a été restauré : relisez l'historique avant de choisir.",
        )
    else:
        valeur = affichage.afficher(saisie.modele, code, ligne.valeur)
        messages.success(request, f"La valeur « {valeur} » de la version {ligne.version} est restaurée.")
    return redirect(saisie.url("historique", code))


def _liens_anomalie(saisie: Saisie, anomalie) -> list[dict]:
    liens = []
    for code in anomalie.questions:
        if code in saisie.modele:
            q = saisie.modele.question(code)
            section = saisie.modele.section_de(code)
            liens.append(
                {"code": code, "libelle": q.libelle, "section": section.code, "url": saisie.url_question(code)}
            )
    return liens


@porte_saisie
@lecture_get_atomique_post
def soumettre(request, annee: int, pk: int):
    saisie = _saisie(request, annee, pk)
    if saisie.reponse is None:
        return redirect(saisie.url("sommaire"))
    if request.method == "POST" and not saisie.modifiable:
        return _refus(request, saisie.avis, saisie)
    etat = saisie.etat()
    form = JustificationsForm(
        request.POST if request.method == "POST" else None,
        avertissements=etat.avertissements,
        initiales=saisie.reponse.justifications,
    )
    bloquantes = etat.bloquantes
    if request.method == "POST":
        form.is_valid()
        envoyees = {
            a.code_regle: request.POST.get(PREFIXE_JUSTIFICATION + a.code_regle, "") for a in etat.avertissements
        }
        try:
            resultat = reponse_soumettre(
                reponse=saisie.reponse,
                justifications=envoyees,
                par=request.user,
                organisme=saisie.organisme,
                pour_le_compte=saisie.pour_le_compte,
            )
        except EcritureRefusee as exc:
            return _refus(request, exc.message, saisie)
        if resultat.ok:
            messages.success(
                request,
                f"Votre réponse est déposée (dépôt n° {resultat.depot.numero}). Voici votre accusé de dépôt.",
            )
            return redirect(saisie.url("recu", resultat.depot.numero))
        bloquantes = resultat.bloquantes
        for code_regle, message in resultat.justifications_invalides.items():
            nom = PREFIXE_JUSTIFICATION + code_regle
            if nom in form.fields and not form.has_error(nom):
                form.add_error(nom, message)
    depots = selectors.depots(saisie.reponse)
    changements = []
    if depots:
        changements = differences(saisie.modele, depots[-1].valeurs, saisie.valeurs)
    return render(
        request,
        "saisie/soumettre.html",
        {
            **_contexte_commun(saisie),
            "etat": etat,
            "form": form,
            "bloquantes": [
                {"a": a, "liens": _liens_anomalie(saisie, a), "manquante": manquante(a)} for a in bloquantes
            ],
            "avertissements": [(a, champ, _liens_anomalie(saisie, a)) for a, champ in form.lignes()],
            "dernier_depot": depots[-1] if depots else None,
            "changements": changements,
            "envoye": request.method == "POST",
        },
    )


@porte_saisie
@require_POST
@lecture_get_atomique_post
def rouvrir(request, annee: int, pk: int):
    saisie = _saisie(request, annee, pk)
    if saisie.reponse is None:
        raise Http404("Aucune réponse.")
    try:
        reponse_rouvrir(
            reponse=saisie.reponse,
            pour_le_compte=saisie.pour_le_compte,
            par=request.user,
            organisme=saisie.organisme,
        )
    except EcritureRefusee as exc:
        return _refus(request, exc.message, saisie)
    messages.success(
        request,
        "Votre réponse est rouverte pour correction. Vos dépôts restent enregistrés ; déposez-la à nouveau "
        "une fois corrigée.",
    )
    return redirect(saisie.url("sommaire"))


def _depot(saisie: Saisie, numero: int):
    if saisie.reponse is None:
        raise Http404("Aucun dépôt.")
    depots = {d.numero: d for d in selectors.depots(saisie.reponse)}
    if numero not in depots:
        raise Http404("Dépôt inconnu.")
    precedents = [n for n in depots if n < numero]
    return depots[numero], (depots[max(precedents)] if precedents else None)


@porte_saisie
@lecture_get_atomique_post
def depots(request, annee: int, pk: int):
    saisie = _saisie(request, annee, pk)
    lignes = []
    precedent = None
    for d in selectors.depots(saisie.reponse) if saisie.reponse else []:
        lignes.append(
            {
                "depot": d,
                "url": saisie.url("recu", d.numero),
                "changements": differences(saisie.modele, precedent.valeurs, d.valeurs) if precedent else None,
            }
        )
        precedent = d
    return render(request, "saisie/depots.html", {**_contexte_commun(saisie), "lignes": list(reversed(lignes))})


@porte_saisie
@lecture_get_atomique_post
def recu_html(request, annee: int, pk: int, numero: int):
    saisie = _saisie(request, annee, pk)
    depot, precedent = _depot(saisie, numero)
    return render(
        request,
        "saisie/recu.html",
        {**_contexte_commun(saisie), "recu": recu(depot, precedent), "depot": depot},
    )


@porte_saisie
@lecture_get_atomique_post
def recu_pdf_vue(request, annee: int, pk: int, numero: int):
    saisie = _saisie(request, annee, pk)
    depot, precedent = _depot(saisie, numero)
    contenu = recu_pdf(recu(depot, precedent))
    reponse = HttpResponse(contenu, content_type="application/pdf")
    nom = f"accuse-depot-{saisie.campagne.annee}-{saisie.structure.identifiant}-{depot.numero}.pdf"
    reponse["Content-Disposition"] = f'inline; filename="{nom}"'
    return reponse
