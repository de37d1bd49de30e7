"""Droit de regard (charte 2.2) : ce que la Caf ou la fédération a saisi pour la structure.

- ``/revue/`` : la structure est renvoyée vers sa page ; un correspondant voit les saisies contestées
  et à examiner des structures de ses départements ;
- ``/revue/structures/<pk>/`` : les réponses saisies pour le compte d'une structure (campagne en
  cours), à accepter ou contester ;
- ``/revue/<pk>/`` : une saisie, son fil de discussion et les actions permises (accepter, contester,
  répondre, corriger).

Toute lecture passe par ``revues_visibles(request.perimetre)`` : hors périmètre, 404.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Case, Count, IntegerField, Max, Q, Value, When
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from core import capacites
from senacs.campagnes.models import Campagne
from senacs.campagnes.selectors import campagne_courante
from senacs.journal.models import Nature
from senacs.journal.services import journaliser_acces
from senacs.questionnaires.importation import questionnaire_de_campagne
from senacs.questionnaires.services_alertes import departements_correspondant, nom_de
from senacs.reponses.models import Reponse, StatutRevue
from senacs.reponses.revue import (
    PHASES_REVUE,
    afficher,
    cote_correspondant,
    cote_structure,
    libelle_question,
    revue_accepter,
    revue_contester,
    revue_corriger,
    revue_repondre,
    revues_accepter_toutes,
    revues_visibles,
)
from senacs.structures.models import Structure
from senacs.www.decorators import lecture_get_atomique_post, perimetre_requis
from senacs.www.revue.forms import ContestationForm, CorrectionForm, MessageForm

PAR_PAGE = 50
CLASSES_STATUTS = {
    StatutRevue.A_EXAMINER: "etiquette--attention",
    StatutRevue.ACCEPTEE: "etiquette--succes",
    StatutRevue.CONTESTEE: "etiquette--erreur",
}
FILTRES = {
    "en_cours": ("Contestées et à examiner", (StatutRevue.CONTESTEE, StatutRevue.A_EXAMINER)),
    "contestee": ("Contestées", (StatutRevue.CONTESTEE,)),
    "a_examiner": ("À examiner par la structure", (StatutRevue.A_EXAMINER,)),
    "acceptee": ("Acceptées", (StatutRevue.ACCEPTEE,)),
}


acces_revue = perimetre_requis(capacites.revoir_les_saisies)
DETAIL_REVUE = "Revue des valeurs saisies pour le compte de la structure"


def _structures_accessibles(perimetre):
    return Structure.objects.filter(
        Q(pk__in=perimetre.structures_propres) | Q(departement_id__in=departements_correspondant(perimetre))
    )


def _campagne(request) -> Campagne | None:
    annee = request.GET.get("campagne", "")
    if annee.isdigit():
        campagne = Campagne.objects.filter(annee=int(annee)).first()
        if campagne is not None:
            return campagne
    return campagne_courante()


def _ligne(revue, modele) -> dict:
    h = revue.historique
    reponse = revue.reponse
    courante = reponse.valeurs.get(revue.code)
    return {
        "revue": revue,
        "code": revue.code,
        "libelle": libelle_question(modele, revue.code),
        "valeur": afficher(modele, revue.code, h.valeur),
        "ancienne_valeur": afficher(modele, revue.code, h.ancienne_valeur),
        "valeur_courante": afficher(modele, revue.code, courante),
        "modifiee_depuis": courante != h.valeur,
        "auteur": nom_de(h.par),
        "organisme": h.organisme,
        "le": h.le,
        "origine_import": h.origine == "import",
        "statut": revue.get_statut_display(),
        "classe_statut": CLASSES_STATUTS.get(revue.statut, ""),
    }


@acces_revue
@lecture_get_atomique_post
def index(request):
    perimetre = request.perimetre
    departements = departements_correspondant(perimetre)
    mes_structures = list(Structure.objects.filter(pk__in=perimetre.structures_propres).order_by("nom"))
    if not departements and len(mes_structures) == 1:
        return redirect("revue:structure", mes_structures[0].pk)
    campagne = _campagne(request)
    filtre = request.GET.get("statut", "en_cours")
    if filtre not in FILTRES:
        filtre = "en_cours"
    page, lignes = None, []
    if departements and campagne is not None:
        revues = (
            revues_visibles(perimetre)
            .filter(
                reponse__campagne=campagne,
                reponse__structure__departement_id__in=departements,
                remplacee=False,
                statut__in=FILTRES[filtre][1],
            )
            .select_related("historique__par", "reponse__structure", "reponse__campagne")
            .annotate(
                nb_messages=Count("messages"),
                dernier_message=Max("messages__le"),
                rang=Case(
                    When(statut=StatutRevue.CONTESTEE, then=Value(0)), default=Value(1), output_field=IntegerField()
                ),
            )
            .order_by("rang", "reponse__structure__departement_id", "reponse__structure__nom", "code", "pk")
        )
        page = Paginator(revues, PAR_PAGE).get_page(request.GET.get("page"))
        modele = questionnaire_de_campagne(campagne)
        lignes = [_ligne(r, modele) | {"structure": r.reponse.structure} for r in page.object_list]
        # Valeurs saisies pour le compte des structures : chaque affichage est journalisé.
        journaliser_acces(
            request,
            structures={ligne["structure"].pk for ligne in lignes},
            campagne=campagne,
            nature=Nature.SAISIE,
            detail=DETAIL_REVUE,
        )
    return render(
        request,
        "revue/index.html",
        {
            "campagne": campagne,
            "correspondant": bool(departements),
            "mes_structures": mes_structures,
            "filtres": [(cle, libelle) for cle, (libelle, _) in FILTRES.items()],
            "filtre": filtre,
            "page": page,
            "lignes": lignes,
        },
    )


@acces_revue
@lecture_get_atomique_post
def structure(request, pk: int):
    perimetre = request.perimetre
    structure = get_object_or_404(_structures_accessibles(perimetre).select_related("departement"), pk=pk)
    campagne = _campagne(request)
    reponse = Reponse.objects.filter(campagne=campagne, structure=structure).first() if campagne else None
    groupes = {StatutRevue.A_EXAMINER: [], StatutRevue.CONTESTEE: [], StatutRevue.ACCEPTEE: []}
    if reponse is not None:
        modele = questionnaire_de_campagne(campagne)
        ordre = {code: i for i, code in enumerate(modele.codes())} if modele else {}
        revues = (
            revues_visibles(perimetre)
            .filter(reponse=reponse, remplacee=False)
            .select_related("historique__par", "reponse")
            .annotate(nb_messages=Count("messages"))
        )
        for revue in sorted(revues, key=lambda r: (ordre.get(r.code, len(ordre)), r.code)):
            groupes[revue.statut].append(_ligne(revue, modele) | {"nb_messages": revue.nb_messages})
        if any(groupes.values()):
            journaliser_acces(
                request, structures=[structure], campagne=campagne, nature=Nature.SAISIE, detail=DETAIL_REVUE
            )
    est_structure = structure.pk in perimetre.structures_propres
    return render(
        request,
        "revue/structure.html",
        {
            "structure": structure,
            "campagne": campagne,
            "reponse": reponse,
            "a_examiner": groupes[StatutRevue.A_EXAMINER],
            "contestees": groupes[StatutRevue.CONTESTEE],
            "acceptees": groupes[StatutRevue.ACCEPTEE],
            "est_structure": est_structure,
            "phase_ouverte": campagne is not None and campagne.phase in PHASES_REVUE,
        },
    )


def _revue(request, pk: int):
    return get_object_or_404(
        revues_visibles(request.perimetre).select_related(
            "historique__par", "reponse__structure__departement", "reponse__campagne", "decidee_par"
        ),
        pk=pk,
    )


def _detail(request, revue, *, contestation=None, message=None, correction=None, status=200):
    perimetre = request.perimetre
    reponse = revue.reponse
    modele = questionnaire_de_campagne(reponse.campagne)
    question = modele.question(revue.code) if modele and revue.code in modele else None
    structure_, correspondant = cote_structure(perimetre, reponse), cote_correspondant(perimetre, reponse)
    ouverte = reponse.campagne.phase in PHASES_REVUE
    active = ouverte and not revue.remplacee
    peut_accepter = structure_ and active and revue.statut != StatutRevue.ACCEPTEE
    peut_contester = structure_ and active and revue.statut == StatutRevue.A_EXAMINER
    peut_ecrire = (structure_ or correspondant) and revue.statut == StatutRevue.CONTESTEE
    peut_corriger = correspondant and active and revue.statut == StatutRevue.CONTESTEE
    historique = (
        revues_visibles(perimetre)
        .filter(reponse=reponse, code=revue.code)
        .exclude(pk=revue.pk)
        .select_related("historique__par", "reponse")
        .order_by("-pk")
    )
    journaliser_acces(
        request,
        structures=[reponse.structure_id],
        campagne=reponse.campagne,
        nature=Nature.SAISIE,
        detail=DETAIL_REVUE,
    )
    return render(
        request,
        "revue/detail.html",
        {
            "revue": revue,
            "ligne": _ligne(revue, modele),
            "structure": reponse.structure,
            "campagne": reponse.campagne,
            "question": question,
            "fil": revue.messages.select_related("auteur"),
            "autres": [_ligne(r, modele) for r in historique],
            "est_structure": structure_,
            "peut_accepter": peut_accepter,
            "form_contestation": (contestation or ContestationForm()) if peut_contester else None,
            "form_message": (message or MessageForm()) if peut_ecrire else None,
            "form_correction": (correction or CorrectionForm(initial={"version": reponse.versions.get(revue.code, 0)}))
            if peut_corriger
            else None,
            "phase_ouverte": ouverte,
        },
        status=status,
    )


@acces_revue
@lecture_get_atomique_post
def detail(request, pk: int):
    revue = _revue(request, pk)
    return _detail(request, revue)  # _detail journalise l'affichage des valeurs


def _retour(revue):
    return redirect("revue:structure", revue.reponse.structure_id)


@acces_revue
@require_POST
@lecture_get_atomique_post
def accepter(request, pk: int):
    revue = _revue(request, pk)
    try:
        revue_accepter(revue=revue, par=request.user, perimetre=request.perimetre)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
        return redirect("revue:detail", revue.pk)
    messages.success(request, f"Vous avez accepté la saisie de la question {revue.code}.")
    return _retour(revue)


@acces_revue
@require_POST
@lecture_get_atomique_post
def tout_accepter(request, pk: int):
    reponse = get_object_or_404(
        Reponse.objects.filter(structure_id__in=request.perimetre.structures_propres).select_related(
            "structure", "campagne"
        ),
        pk=pk,
    )
    try:
        nombre = revues_accepter_toutes(reponse=reponse, par=request.user, perimetre=request.perimetre)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
    else:
        messages.success(request, f"{nombre} saisie{'s' if nombre > 1 else ''} acceptée{'s' if nombre > 1 else ''}.")
    return redirect("revue:structure", reponse.structure_id)


@acces_revue
@require_POST
@lecture_get_atomique_post
def contester(request, pk: int):
    revue = _revue(request, pk)
    form = ContestationForm(request.POST)
    if not form.is_valid():
        return _detail(request, revue, contestation=form, status=400)
    try:
        revue_contester(
            revue=revue, par=request.user, perimetre=request.perimetre, message=form.cleaned_data["message"]
        )
    except ValidationError as exc:
        form.add_error(None, exc.messages[0])
        return _detail(request, revue, contestation=form, status=400)
    messages.success(request, "Votre contestation est enregistrée : vos correspondants SENACS en sont prévenus.")
    return redirect("revue:detail", revue.pk)


@acces_revue
@require_POST
@lecture_get_atomique_post
def repondre(request, pk: int):
    revue = _revue(request, pk)
    form = MessageForm(request.POST)
    if not form.is_valid():
        return _detail(request, revue, message=form, status=400)
    try:
        revue_repondre(
            revue=revue, par=request.user, perimetre=request.perimetre, message=form.cleaned_data["message"]
        )
    except ValidationError as exc:
        form.add_error(None, exc.messages[0])
        return _detail(request, revue, message=form, status=400)
    messages.success(request, "Message envoyé.")
    return redirect("revue:detail", revue.pk)


@acces_revue
@require_POST
@lecture_get_atomique_post
def corriger(request, pk: int):
    revue = _revue(request, pk)
    form = CorrectionForm(request.POST)
    if not form.is_valid():
        return _detail(request, revue, correction=form, status=400)
    try:
        revue_corriger(
            revue=revue,
            par=request.user,
            perimetre=request.perimetre,
            valeur=form.cleaned_data["valeur"],
            version=form.cleaned_data["version"],
            message=form.cleaned_data["message"],
        )
    except ValidationError as exc:
        form.add_error("valeur", exc.messages[0])
        return _detail(request, revue, correction=form, status=400)
    messages.success(request, "Réponse corrigée : la structure examine la nouvelle saisie.")
    return redirect("revue:detail", revue.pk)
