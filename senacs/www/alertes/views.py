"""Alertes de compréhension (charte 2.1) et FAQ du guide.

- ``/alertes/signaler/?campagne=<annee>&question=<code>`` : une structure dit ne pas comprendre une
  question (le lien « Je ne comprends pas cette question » des écrans de saisie y mène ; sans
  paramètre, la page propose de choisir la question) ;
- ``/alertes/`` : les alertes que l'utilisateur voit (les siennes ; celles de ses départements ; les
  alertes transmises au national) ;
- ``/alertes/<pk>/`` : le fil daté de l'alerte et les actions permises ;
- ``/alertes/faq/`` : les questions fréquentes du guide, par question.

Portée : ``alertes_visibles(request.perimetre)`` ; hors périmètre, 404. COPIL, invités et
administrateurs n'ont pas accès aux alertes (403).
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_http_methods, require_POST

from core import capacites
from senacs.campagnes.models import Campagne
from senacs.campagnes.selectors import campagne_courante
from senacs.questionnaires.importation import questionnaire_de_campagne
from senacs.questionnaires.models import StatutAlerte
from senacs.questionnaires.services_alertes import (
    MESSAGE_FAQ,
    PHASES_SIGNALEMENT,
    QUALITE_NATIONAL,
    STATUTS_CORRESPONDANT,
    STATUTS_NATIONAUX,
    alerte_completer,
    alerte_escalader,
    alerte_repondre,
    alerte_repondre_national,
    alerte_signaler,
    alertes_visibles,
    cote_correspondant,
    cote_national,
    cote_structure,
    departements_correspondant,
    faq_par_question,
    faq_pour_question,
    faq_publier,
)
from senacs.structures.models import Structure
from senacs.www.alertes.forms import (
    ChoixQuestionForm,
    FAQForm,
    MessageForm,
    ReponseForm,
    SignalementForm,
    TransmissionForm,
)
from senacs.www.decorators import lecture_get_atomique_post, mandat_requis, perimetre_requis

AFFICHAGE_MAX = 200
CLASSES_STATUTS = {
    StatutAlerte.OUVERTE: "etiquette--attention",
    StatutAlerte.REPONDUE: "etiquette--succes",
    StatutAlerte.ESCALADEE: "etiquette--saisie",
    StatutAlerte.REPONDUE_NATIONAL: "etiquette--succes",
    StatutAlerte.CLOSE: "",
}
FILTRES_TERRITOIRE = {
    "a_traiter": ("À traiter", (StatutAlerte.OUVERTE,)),
    "transmises": ("Transmises au national", STATUTS_NATIONAUX),
    "repondues": ("Répondues", (StatutAlerte.REPONDUE,)),
    "toutes": ("Toutes", tuple(StatutAlerte.values)),
}


acces_alertes = perimetre_requis(capacites.traiter_les_alertes)


def _campagne(valeur: str) -> Campagne | None:
    if valeur and valeur.isdigit():
        return Campagne.objects.filter(annee=int(valeur)).first()
    return campagne_courante()


def _question(campagne, code):
    modele = questionnaire_de_campagne(campagne) if campagne else None
    if modele is None or not code or code not in modele:
        return modele, None, None
    return modele, modele.question(code), modele.section_de(code)


@perimetre_requis(capacites.signaler_une_question)
@require_http_methods(["GET", "POST"])
@lecture_get_atomique_post
def signaler(request):
    perimetre = request.perimetre
    source = request.POST if request.method == "POST" else request.GET
    campagne = _campagne(source.get("campagne", ""))
    code = source.get("question", "").strip().upper()
    modele, question, section = _question(campagne, code)
    structures = list(Structure.objects.filter(pk__in=perimetre.structures_propres).order_by("nom"))
    ouverte = campagne is not None and campagne.phase in PHASES_SIGNALEMENT
    choix = None
    if question is None and modele is not None:
        questions = [q for q in modele.questions() if q.type != "calcul"]
        choix = ChoixQuestionForm(request.GET if "question" in request.GET else None, questions=questions)
        if choix.is_bound:
            choix.is_valid()
    form = SignalementForm(request.POST or None, structures=structures)
    if request.method == "POST" and question is not None and ouverte and form.is_valid():
        structure = next(s for s in structures if s.pk == form.cleaned_data["structure"])
        try:
            alerte = alerte_signaler(
                campagne=campagne,
                structure=structure,
                code_question=question.code,
                texte=form.cleaned_data["texte"],
                par=request.user,
                perimetre=perimetre,
            )
        except ValidationError as exc:
            form.add_error(None, exc.messages[0])
        else:
            messages.success(
                request,
                f"Votre question sur {question.code} est envoyée à vos correspondants SENACS : vous serez prévenu "
                "par courriel de leur réponse.",
            )
            return redirect("alertes:detail", alerte.pk)
    deja = []
    if question is not None:
        deja = list(
            alertes_visibles(perimetre)
            .filter(structure_id__in=perimetre.structures_propres, campagne=campagne, code_question=question.code)
            .order_by("-cree_le")
        )
    return render(
        request,
        "alertes/signaler.html",
        {
            "campagne": campagne,
            "question": question,
            "section": section,
            "libelles_choix": modele.choix(question.code) if question is not None and question.liste else (),
            "code_demande": code,
            "choix": choix,
            "form": form,
            "ouverte": ouverte,
            "faq": faq_pour_question(question.code) if question is not None else [],
            "deja": deja,
        },
        status=400 if request.method == "POST" else 200,
    )


@acces_alertes
@lecture_get_atomique_post
def liste(request):
    perimetre = request.perimetre
    visibles = alertes_visibles(perimetre).select_related("structure", "campagne").order_by("-modifiee_le", "-pk")
    departements = departements_correspondant(perimetre)
    filtre = request.GET.get("statut", "a_traiter")
    if filtre not in FILTRES_TERRITOIRE:
        filtre = "a_traiter"
    mes_alertes = list(visibles.filter(structure_id__in=perimetre.structures_propres)[:AFFICHAGE_MAX])
    territoire, nationales = [], []
    if departements:
        territoire = list(
            visibles.filter(structure__departement_id__in=departements, statut__in=FILTRES_TERRITOIRE[filtre][1])[
                :AFFICHAGE_MAX
            ]
        )
    if perimetre.est_national:
        nationales = list(visibles.filter(statut__in=STATUTS_NATIONAUX).order_by("statut", "-modifiee_le", "-pk"))[
            :AFFICHAGE_MAX
        ]
    return render(
        request,
        "alertes/liste.html",
        {
            "est_structure": bool(perimetre.structures_propres),
            "est_correspondant": bool(departements),
            "est_national": perimetre.est_national,
            "mes_alertes": _lignes(mes_alertes),
            "territoire": _lignes(territoire),
            "nationales": _lignes(nationales),
            "filtres": [(cle, libelle) for cle, (libelle, _) in FILTRES_TERRITOIRE.items()],
            "filtre": filtre,
            "affichage_max": AFFICHAGE_MAX,
        },
    )


def _lignes(alertes) -> list[dict]:
    return [{"alerte": a, "classe": CLASSES_STATUTS.get(a.statut, "")} for a in alertes]


def _alerte(request, pk: int):
    return get_object_or_404(
        alertes_visibles(request.perimetre).select_related("structure__departement", "campagne", "cree_par"), pk=pk
    )


def _detail(request, alerte, status=200, **formulaires):
    perimetre = request.perimetre
    modele, question, section = _question(alerte.campagne, alerte.code_question)
    structure_ = cote_structure(perimetre, alerte)
    national = cote_national(perimetre, alerte)
    correspondant = cote_correspondant(perimetre, alerte) and alerte.statut in STATUTS_CORRESPONDANT
    fil = list(alerte.messages.select_related("auteur"))
    derniere_nationale = next(
        (m.texte for m in reversed(fil) if m.qualite == QUALITE_NATIONAL and not m.texte.startswith(MESSAGE_FAQ)), ""
    )
    deja_publiee = alerte.entrees_faq.exists()
    contexte = {
        "alerte": alerte,
        "classe": CLASSES_STATUTS.get(alerte.statut, ""),
        "question": question,
        "section": section,
        "fil": fil,
        "faq": faq_pour_question(alerte.code_question),
        "form_completer": formulaires.get("completer") or (MessageForm() if structure_ else None),
        "form_reponse": formulaires.get("reponse") or (ReponseForm() if (correspondant or national) else None),
        "reponse_nationale": national,
        "form_transmission": formulaires.get("transmission") or (TransmissionForm() if correspondant else None),
        "form_faq": formulaires.get("faq")
        or (
            FAQForm(initial={"question": alerte.texte, "reponse": derniere_nationale})
            if national and not deja_publiee
            else None
        ),
    }
    return render(request, "alertes/detail.html", contexte, status=status)


@acces_alertes
@lecture_get_atomique_post
def detail(request, pk: int):
    return _detail(request, _alerte(request, pk))


def _executer(request, alerte, service, form, nom: str, succes: str, **kwargs):
    if not form.is_valid():
        return _detail(request, alerte, status=400, **{nom: form})
    try:
        service(alerte=alerte, par=request.user, perimetre=request.perimetre, **kwargs, **form.cleaned_data)
    except ValidationError as exc:
        form.add_error(None, exc.messages[0])
        return _detail(request, alerte, status=400, **{nom: form})
    messages.success(request, succes)
    return redirect("alertes:detail", alerte.pk)


@acces_alertes
@require_POST
@lecture_get_atomique_post
def repondre(request, pk: int):
    alerte = _alerte(request, pk)
    if cote_national(request.perimetre, alerte):
        service, succes = alerte_repondre_national, "Réponse envoyée à la structure et à ses correspondants."
    else:
        service, succes = alerte_repondre, "Réponse envoyée à la structure."
    return _executer(request, alerte, service, ReponseForm(request.POST), "reponse", succes)


@acces_alertes
@require_POST
@lecture_get_atomique_post
def transmettre(request, pk: int):
    alerte = _alerte(request, pk)
    return _executer(
        request,
        alerte,
        alerte_escalader,
        TransmissionForm(request.POST),
        "transmission",
        "Alerte transmise au comité technique national ; la structure en est informée.",
    )


@acces_alertes
@require_POST
@lecture_get_atomique_post
def completer(request, pk: int):
    alerte = _alerte(request, pk)
    return _executer(
        request, alerte, alerte_completer, MessageForm(request.POST), "completer", "Votre message est envoyé."
    )


@acces_alertes
@require_POST
@lecture_get_atomique_post
def publier(request, pk: int):
    alerte = _alerte(request, pk)
    return _executer(
        request,
        alerte,
        faq_publier,
        FAQForm(request.POST),
        "faq",
        "Réponse ajoutée au guide : toutes les structures la voient à côté de la question.",
    )


@mandat_requis
@lecture_get_atomique_post
def faq(request):
    campagne = campagne_courante()
    modele = questionnaire_de_campagne(campagne) if campagne else None
    groupes = []
    for code, entrees in faq_par_question().items():
        libelle = modele.question(code).libelle if modele is not None and code in modele else ""
        groupes.append({"code": code, "libelle": libelle, "entrees": entrees})
    if modele is not None:
        ordre = {c: i for i, c in enumerate(modele.codes())}
        groupes.sort(key=lambda g: (ordre.get(g["code"], len(ordre)), g["code"]))
    lien_signaler = None
    if capacites.signaler_une_question(request.perimetre) and campagne is not None:
        lien_signaler = f"{reverse('alertes:signaler')}?{urlencode({'campagne': campagne.annee})}"
    return render(
        request, "alertes/faq.html", {"groupes": groupes, "campagne": campagne, "lien_signaler": lien_signaler}
    )
