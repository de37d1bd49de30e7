"""Contrôle de cohérence : tableau de bord, anomalies, interpellations, relances, validation.

Portée (un seul mécanisme, ``visibles_par`` et ``departements_controle``) :

- tableau de bord : qui suit la collecte (correspondants sur leurs départements, national sur tout
  le pays) ; la liste des anomalies (messages chiffrés = réponses brutes) seulement là où l'on voit
  aussi les réponses brutes (correspondants). Le national n'a que des comptes agrégés ;
- page d'une réponse, interpellations, relances, validation : correspondants des départements de la
  structure ; la structure voit ses propres anomalies, interpellations et validations ;
- hors périmètre : 404 (on ne révèle pas l'existence d'un objet), rôle insuffisant : 403.
"""

from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Case, Exists, IntegerField, OuterRef, Q, Value, When
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from core import capacites, tableur
from core.formats import formater_date, formater_nombre
from core.questionnaire.saisie import formater
from core.recherche import motif_sans_accents
from core.roles import Role
from senacs.campagnes.models import Campagne
from senacs.campagnes.selectors import LIBELLES_ETATS, etat_de, total
from senacs.controles import selectors
from senacs.controles.models import (
    ETATS_EN_COURS,
    Gravite,
    Interpellation,
    NatureRelance,
    Signalement,
    StatutSignalement,
    departements_controle,
)
from senacs.controles.services import (
    ErreurControle,
    codes_modifiables_en_controle,
    interpellation_annuler,
    interpellation_commenter,
    interpellation_corriger,
    interpellation_justifier,
    interpellation_ouvrir,
    interpellation_resoudre,
    interpellation_rouvrir,
    interpellations_ouvrir_en_masse,
    relance_apercu_courriel,
    relances_apercu,
    relances_envoyer,
    reponse_deverrouiller,
    reponse_valider,
    reponse_verrouillee,
)
from senacs.journal.models import Nature
from senacs.journal.services import journaliser_acces
from senacs.reponses.models import Reponse, Statut
from senacs.reponses.selectors import organisme_saisie
from senacs.structures.models import Structure
from senacs.www.campagnes.affichage import CLASSES_ETATS
from senacs.www.controles.forms import (
    TRIS,
    CorrectionForm,
    DeverrouillageForm,
    FiltreSignalementsForm,
    InterpellationForm,
    InterpellationMasseForm,
    RelanceForm,
    TexteForm,
    echeance_par_defaut,
)
from senacs.www.decorators import lecture_get_atomique_post, perimetre_requis

PAR_PAGE = 50
CLASSES_GRAVITES = {
    Gravite.BLOQUANT: "etiquette--erreur",
    Gravite.AVERTISSEMENT: "etiquette--attention",
    Gravite.INFORMATION: "etiquette--saisie",
}
CLASSES_INTERPELLATIONS = {
    "ouverte": "etiquette--attention",
    "repondue": "etiquette--saisie",
    "resolue": "etiquette--succes",
    "annulee": "",
}


def _campagne(annee: int) -> Campagne:
    return get_object_or_404(
        Campagne.objects.select_related("questionnaire").prefetch_related("prorogations"), annee=annee
    )


def _url_base(request) -> str:
    return request.build_absolute_uri("/").rstrip("/")


def _organisme_correspondant(request, structure) -> str:
    return organisme_saisie(request.user, structure, pour_le_compte=True, jour=timezone.localdate())


def _organisme_pour(request):
    """Au titre de quel organisme le correspondant agit, par département (une requête par département)."""
    cache: dict[str, str] = {}

    def organisme(structure):
        if structure.departement_id not in cache:
            cache[structure.departement_id] = _organisme_correspondant(request, structure)
        return cache[structure.departement_id]

    return organisme


def _reponse_controlee(request, annee: int, pk: int) -> Reponse:
    """Réponse d'une structure d'un département que l'utilisateur contrôle (404 sinon)."""
    qs = Reponse.objects.select_related("campagne__questionnaire", "structure__departement").filter(
        campagne__annee=annee, structure__departement_id__in=departements_controle(request.perimetre)
    )
    return get_object_or_404(qs, pk=pk)


def _signalements_visibles(request, campagne: Campagne):
    return Signalement.objects.visibles_par(request.perimetre).filter(
        campagne=campagne, reponse__structure__departement_id__in=departements_controle(request.perimetre)
    )


# --------------------------------------------------------------------------- tableau de bord


def _signalements_filtres(request, campagne, form):
    qs = _signalements_visibles(request, campagne)
    filtres = {}
    if form.is_bound:
        form.is_valid()  # un filtre invalide est ignoré (et signalé), les autres s'appliquent
        filtres = {k: v for k, v in form.cleaned_data.items() if v}
    statut = filtres.get("statut", "")
    if statut == "toutes":
        pass
    elif statut:
        qs = qs.filter(statut=statut)
    else:
        qs = qs.filter(present=True, statut=StatutSignalement.OUVERTE)
    if filtres.get("gravite"):
        qs = qs.filter(gravite=filtres["gravite"])
    if filtres.get("code"):
        qs = qs.filter(code=filtres["code"])
    if filtres.get("departement"):
        qs = qs.filter(reponse__structure__departement_id=filtres["departement"])
    if filtres.get("structure"):
        texte = filtres["structure"]
        qs = qs.filter(
            Q(reponse__structure__nom__iregex=motif_sans_accents(texte))
            | Q(reponse__structure__identifiant__iexact=texte)
        )
    tri = filtres.get("tri") or "gravite"
    en_cours = Interpellation.objects.filter(signalement=OuterRef("pk"), etat__in=ETATS_EN_COURS)
    qs = (
        qs.annotate(
            gravite_rang=Case(
                When(gravite=Gravite.BLOQUANT, then=Value(0)),
                When(gravite=Gravite.AVERTISSEMENT, then=Value(1)),
                default=Value(2),
                output_field=IntegerField(),
            ),
            interpellation_en_cours=Exists(en_cours),
        )
        .select_related("reponse__structure")
        .order_by(*TRIS[tri][1], "pk")
    )
    return qs, filtres


@perimetre_requis(capacites.suivre_la_collecte)
@lecture_get_atomique_post
def tableau_de_bord(request, annee: int):
    perimetre = request.perimetre
    campagne = _campagne(annee)
    structures = Structure.objects.suivies_par(perimetre)
    par_region = perimetre.est_national
    departements = sorted(perimetre.departements_suivi)
    lignes = selectors.tableau_de_bord(campagne, structures, par_region=par_region, departements=departements)
    resume = selectors.total_tableau(lignes, total(ligne.avancement for ligne in lignes))
    contexte = {
        "campagne": campagne,
        "lignes": lignes,
        "resume": resume,
        "par_region": par_region,
        "synthese": selectors.synthese_par_code(campagne, structures),
        "controleur": capacites.controler(perimetre),
        "peut_lancer": capacites.controler(perimetre) and campagne.phase in ("saisie", "controle"),
    }
    if contexte["controleur"]:
        visibles = _signalements_visibles(request, campagne)
        form = FiltreSignalementsForm(
            request.GET or None,
            departements=departements_controle(perimetre),
            codes=selectors.codes_presents(campagne, visibles),
        )
        qs, filtres = _signalements_filtres(request, campagne, form)
        page = Paginator(qs, PAR_PAGE).get_page(request.GET.get("page"))
        contexte |= {
            "form": form,
            "filtres": filtres,
            "page": page,
            "signalements": [
                {
                    "s": s,
                    "classe": CLASSES_GRAVITES.get(s.gravite, ""),
                    "verrouillee": s.reponse.statut == Statut.VALIDEE,
                }
                for s in page.object_list
            ],
            "form_masse": InterpellationMasseForm(
                choix=[], initial={"echeance": echeance_par_defaut()}, auto_id="masse_%s"
            ),
            "phase_ouverte": campagne.phase in ("saisie", "controle"),
        }
        # Les messages des anomalies citent des valeurs brutes (montants, effectifs) : journalisé.
        journaliser_acces(
            request,
            structures={s.reponse.structure_id for s in page.object_list},
            campagne=campagne,
            nature=Nature.CONTROLE,
            detail="Liste des anomalies du contrôle de cohérence",
        )
    return render(request, "controles/tableau_de_bord.html", contexte)


# --------------------------------------------------------------------------- exports


def _lignes_export_structures(campagne, structures):
    for s in selectors.liste_suivi(campagne, structures):
        etat = etat_de(s.statut)
        yield [
            s.identifiant,
            s.nom,
            s.type,
            s.commune_nom,
            s.departement_id,
            LIBELLES_ETATS[etat],
            formater_date(timezone.localtime(s.reponse_soumise_le)) if s.reponse_soumise_le else "",
            formater_date(timezone.localtime(s.reponse_validee_le)) if s.reponse_validee_le else "",
            s.nb_bloquantes,
            s.nb_avertissements,
            s.nb_informations,
            s.nb_interpellations,
            formater_date(timezone.localtime(s.derniere_relance)) if s.derniere_relance else "",
        ]


ENTETES_STRUCTURES = [
    "identifiant",
    "structure",
    "type",
    "commune",
    "departement",
    "etat",
    "deposee_le",
    "validee_le",
    "anomalies_bloquantes",
    "avertissements",
    "informations",
    "interpellations_en_cours",
    "derniere_relance",
]
ENTETES_TERRITOIRES = [
    "territoire",
    "libelle",
    "attendues",
    "non_commencees",
    "brouillons",
    "soumises",
    "validees",
    "en_interpellation",
    "taux_reponse_pct",
    "anomalies_bloquantes",
    "avertissements",
    "informations",
]


def _lignes_export_territoires(lignes):
    for ligne in lignes:
        a = ligne.avancement
        yield [
            a.code,
            a.libelle,
            a.attendues,
            a.non_commencees,
            a.brouillons,
            a.soumises,
            a.validees,
            ligne.en_interpellation,
            None if a.taux_reponse is None else round(a.taux_reponse, 1),
            ligne.bloquantes,
            ligne.avertissements,
            ligne.informations,
        ]


def _csv(nom: str, entetes, lignes) -> HttpResponse:
    """CSV pour Excel en français : séparateur « ; », UTF-8 avec BOM, décimales à virgule."""
    lignes = (
        [formater_nombre(v).replace("\u00a0", "") if isinstance(v, float) else v for v in ligne] for ligne in lignes
    )
    reponse = HttpResponse(tableur.ecrire_csv(entetes, lignes), content_type=tableur.TYPES_MIME["csv"])
    reponse["Content-Disposition"] = f'attachment; filename="{nom}.csv"'
    return reponse


def _xlsx(nom: str, entetes, lignes) -> HttpResponse:
    feuille = tableur.Feuille("Suivi", entetes, lignes, format_nombre="0.0")
    reponse = HttpResponse(tableur.ecrire_xlsx([feuille]), content_type=tableur.TYPES_MIME["xlsx"])
    reponse["Content-Disposition"] = f'attachment; filename="{nom}.xlsx"'
    return reponse


@perimetre_requis(capacites.suivre_la_collecte)
@lecture_get_atomique_post
def exporter(request, annee: int, format: str):
    """Liste de suivi (une ligne par structure attendue : état, anomalies à traiter, interpellations,
    dernière relance ; aucune valeur de réponse) ou tableau par territoire, en CSV ou XLSX."""
    if format not in ("csv", "xlsx"):
        raise Http404
    perimetre = request.perimetre
    campagne = _campagne(annee)
    structures = Structure.objects.suivies_par(perimetre)
    if request.GET.get("liste") == "territoires":
        lignes = selectors.tableau_de_bord(
            campagne, structures, par_region=perimetre.est_national, departements=sorted(perimetre.departements_suivi)
        )
        entetes, donnees, nom = ENTETES_TERRITOIRES, list(_lignes_export_territoires(lignes)), "territoires"
    else:
        entetes, donnees, nom = ENTETES_STRUCTURES, list(_lignes_export_structures(campagne, structures)), "structures"
    nom = f"senacs-{campagne.annee}-suivi-{nom}"
    return _csv(nom, entetes, donnees) if format == "csv" else _xlsx(nom, entetes, donnees)


# --------------------------------------------------------------------------- réponse (correspondant)


def _choix_questions(reponse: Reponse):
    modele = reponse.campagne.questionnaire.modele.pour_public(
        reponse.structure.type, reponse.structure.departement_id
    )
    return [(q.code, f"{q.code} — {q.libelle}") for q in modele.questions() if q.saisie]


def _sections_questions(reponse: Reponse) -> dict[str, tuple[str, str]]:
    """Code de question → (code, titre) de sa section, pour ranger les cases à cocher par section."""
    modele = reponse.campagne.questionnaire.modele
    return {q.code: (sec.code, sec.titre) for sec in modele.sections for q in sec.questions}


def _questions_par_section(form, reponse: Reponse) -> list[dict]:
    """Les cases « Réponses concernées » rangées par section (150 cases nues sont illisibles)."""
    rang = _sections_questions(reponse)
    groupes: dict[str, dict] = {}
    for case in form["questions"]:
        code = str(case.data["value"])
        sec_code, titre = rang.get(code, ("", "Autres questions"))
        groupe = groupes.setdefault(sec_code, {"code": sec_code, "titre": titre, "cases": [], "cochees": 0})
        groupe["cases"].append(case)
        groupe["cochees"] += bool(case.data["selected"])
    return list(groupes.values())


def _reponses_affichees(reponse: Reponse) -> list[dict]:
    """Les réponses elles-mêmes, section par section (libellé, valeur lisible), pour contrôler sans quitter la page."""
    modele = reponse.campagne.questionnaire.modele.pour_public(
        reponse.structure.type, reponse.structure.departement_id
    )
    valeurs = reponse.valeurs or {}
    sections = []
    for sec in modele.sections:
        lignes = []
        for q in sec.questions:
            if not q.saisie:
                continue
            valeur = valeurs.get(q.code)
            texte = formater(q, valeur, modele.libelles_choix(q.code) if q.liste else None)
            lignes.append({"code": q.code, "libelle": q.libelle, "valeur": texte, "renseignee": bool(texte)})
        if lignes:
            renseignees = sum(ligne["renseignee"] for ligne in lignes)
            sections.append({"code": sec.code, "titre": sec.titre, "lignes": lignes, "renseignees": renseignees})
    return sections


def _rendre_reponse(request, reponse, *, form_interpellation=None, form_deverrouillage=None, status=200):
    campagne = reponse.campagne
    signalement = None
    if form_interpellation is None:
        initial = {"echeance": echeance_par_defaut()}
        anomalie = request.GET.get("anomalie", "")
        if anomalie.isdigit():
            signalement = reponse.signalements.filter(pk=int(anomalie)).first()
            if signalement is not None:
                initial |= {"texte": signalement.message, "questions": signalement.questions}
        form_interpellation = InterpellationForm(
            initial=initial, questions=_choix_questions(reponse), auto_id="interpellation_%s"
        )
    contexte = {
        "campagne": campagne,
        "reponse": reponse,
        "structure": reponse.structure,
        "etat": LIBELLES_ETATS[etat_de(reponse.statut)],
        "classe_etat": CLASSES_ETATS[etat_de(reponse.statut)],
        "verrouillee": reponse_verrouillee(reponse),
        "signalements": [
            {"s": s, "classe": CLASSES_GRAVITES.get(s.gravite, "")}
            for s in reponse.signalements.order_by("-present", "statut", "gravite", "code")
        ],
        "interpellations": [
            {"i": i, "classe": CLASSES_INTERPELLATIONS.get(i.etat, "")} for i in selectors.interpellations_de(reponse)
        ],
        "validations": selectors.historique_validation(reponse),
        "form_interpellation": form_interpellation,
        "questions_par_section": _questions_par_section(form_interpellation, reponse),
        "sections_reponses": _reponses_affichees(reponse),
        "signalement": signalement,
        "form_deverrouillage": form_deverrouillage or DeverrouillageForm(auto_id="deverrouillage_%s"),
        "en_cours": Interpellation.objects.en_cours().filter(reponse=reponse).count(),
        "phase_ouverte": campagne.phase in ("saisie", "controle"),
    }
    return render(request, "controles/reponse.html", contexte, status=status)


@perimetre_requis(capacites.controler)
@lecture_get_atomique_post
def reponse(request, annee: int, pk: int):
    r = _reponse_controlee(request, annee, pk)
    journaliser_acces(request, structures=[r.structure_id], campagne=r.campagne, nature=Nature.CONTROLE)
    return _rendre_reponse(request, r)


@require_POST
@perimetre_requis(capacites.controler)
@lecture_get_atomique_post
def interpeller(request, annee: int, pk: int):
    r = _reponse_controlee(request, annee, pk)
    form = InterpellationForm(request.POST, questions=_choix_questions(r), auto_id="interpellation_%s")
    signalement = None
    if request.POST.get("anomalie", "").isdigit():
        signalement = r.signalements.filter(pk=int(request.POST["anomalie"])).first()
    if form.is_valid():
        try:
            i = interpellation_ouvrir(
                reponse=r,
                texte=form.cleaned_data["texte"],
                echeance=form.cleaned_data["echeance"],
                questions=form.cleaned_data["questions"],
                signalement=signalement,
                par=request.user,
                organisme=_organisme_correspondant(request, r.structure),
                url_base=_url_base(request),
            )
        except ErreurControle as erreur:
            form.add_error(None, erreur.message)
        else:
            messages.success(
                request,
                f"Interpellation envoyée à {r.structure.nom} ; réponse attendue avant le {formater_date(i.echeance)}.",
            )
            return redirect("controles:interpellation", annee=annee, pk=i.pk)
    return _rendre_reponse(request, r, form_interpellation=form, status=400)


@require_POST
@perimetre_requis(capacites.controler)
@lecture_get_atomique_post
def interpeller_anomalie(request, annee: int, pk: int):
    """En un clic depuis la liste : interpellation sur l'anomalie, son message pour texte, échéance par défaut."""
    campagne = _campagne(annee)
    s = get_object_or_404(_signalements_visibles(request, campagne).select_related("reponse__structure"), pk=pk)
    deja = s.interpellations.en_cours().first()
    if deja is not None:
        messages.info(request, "Une interpellation est déjà en cours sur cette anomalie.")
        return redirect("controles:interpellation", annee=annee, pk=deja.pk)
    r = s.reponse
    r.campagne = campagne
    try:
        i = interpellation_ouvrir(
            reponse=r,
            texte=s.message,
            echeance=echeance_par_defaut(),
            signalement=s,
            par=request.user,
            organisme=_organisme_correspondant(request, r.structure),
            url_base=_url_base(request),
        )
    except ErreurControle as erreur:
        messages.error(request, erreur.message)
        return redirect(f"{reverse('controles:tableau_de_bord', args=[annee])}?{request.GET.urlencode()}")
    messages.success(
        request, f"Interpellation envoyée à {r.structure.nom} ; réponse attendue avant le {formater_date(i.echeance)}."
    )
    return redirect("controles:interpellation", annee=annee, pk=i.pk)


@require_POST
@perimetre_requis(capacites.controler)
@lecture_get_atomique_post
def interpeller_en_masse(request, annee: int):
    campagne = _campagne(annee)
    visibles = _signalements_visibles(request, campagne)
    demandes = [int(x) for x in request.POST.getlist("signalements") if x.isdigit()]
    choix = list(visibles.filter(pk__in=demandes).values_list("pk", flat=True))
    form = InterpellationMasseForm(request.POST, choix=choix, auto_id="masse_%s")
    retour = reverse("controles:tableau_de_bord", args=[annee])
    if request.POST.get("filtres"):
        retour += "?" + request.POST["filtres"]
    if not form.is_valid():
        for erreurs in form.errors.values():
            for erreur in erreurs:
                messages.error(request, erreur)
        return redirect(retour)
    signalements = list(
        visibles.filter(pk__in=form.cleaned_data["signalements"]).select_related(
            "reponse__structure", "reponse__campagne"
        )
    )
    resultat = interpellations_ouvrir_en_masse(
        signalements=signalements,
        echeance=form.cleaned_data["echeance"],
        complement=form.cleaned_data["complement"],
        par=request.user,
        organisme_pour=_organisme_pour(request),
        url_base=_url_base(request),
    )
    n = len(resultat.creees)
    structures = len({i.reponse_id for i in resultat.creees})
    if n:
        messages.success(
            request,
            f"{n} interpellation{'s' if n > 1 else ''} envoyée{'s' if n > 1 else ''} à {structures} "
            f"structure{'s' if structures > 1 else ''}.",
        )
    for s, motif in resultat.ignorees:
        messages.warning(request, f"{s.code} — {s.reponse.structure.nom} : ignorée ({motif}).")
    return redirect(retour)


@require_POST
@perimetre_requis(capacites.controler)
@lecture_get_atomique_post
def lancer(request, annee: int):
    """Lance le contrôle en lot des départements contrôlés par l'utilisateur, en tâche de fond."""
    from senacs.controles.tasks import controler

    campagne = _campagne(annee)
    if campagne.phase not in ("saisie", "controle"):
        messages.error(request, "Le contrôle ne se lance que pendant la saisie ou le contrôle de cohérence.")
        return redirect("controles:tableau_de_bord", annee=annee)
    departements = sorted(departements_controle(request.perimetre))
    for code in departements:
        controler.enqueue(campagne.pk, code)
    n = len(departements)
    messages.success(
        request,
        f"Contrôle lancé en arrière-plan pour {n} département{'s' if n > 1 else ''} : "
        "les anomalies apparaîtront ici d'ici quelques minutes (rechargez la page).",
    )
    return redirect("controles:tableau_de_bord", annee=annee)


@require_POST
@perimetre_requis(capacites.controler)
@lecture_get_atomique_post
def valider(request, annee: int, pk: int):
    r = _reponse_controlee(request, annee, pk)
    if request.POST.get("confirme") != "oui":
        # Geste irréversible pour la structure (réponse verrouillée) : une page de confirmation d'abord.
        en_cours = Interpellation.objects.en_cours().filter(reponse=r).count()
        return render(
            request,
            "controles/confirmer_validation.html",
            {
                "campagne": r.campagne,
                "reponse": r,
                "structure": r.structure,
                "en_cours": en_cours,
                "a_traiter": r.signalements.filter(present=True, statut=StatutSignalement.OUVERTE).count(),
            },
        )
    try:
        reponse_valider(reponse=r, par=request.user, organisme=_organisme_correspondant(request, r.structure))
    except ErreurControle as erreur:
        messages.error(request, erreur.message)
    else:
        messages.success(request, f"La réponse de {r.structure.nom} est validée : elle est désormais verrouillée.")
    return redirect("controles:reponse", annee=annee, pk=r.pk)


@require_POST
@perimetre_requis(capacites.controler)
@lecture_get_atomique_post
def deverrouiller(request, annee: int, pk: int):
    r = _reponse_controlee(request, annee, pk)
    form = DeverrouillageForm(request.POST, auto_id="deverrouillage_%s")
    if form.is_valid():
        try:
            reponse_deverrouiller(
                reponse=r,
                par=request.user,
                organisme=_organisme_correspondant(request, r.structure),
                motif=form.cleaned_data["motif"],
            )
        except ErreurControle as erreur:
            form.add_error(None, erreur.message)
        else:
            messages.success(request, f"La réponse de {r.structure.nom} est déverrouillée.")
            return redirect("controles:reponse", annee=annee, pk=r.pk)
    return _rendre_reponse(request, r, form_deverrouillage=form, status=400)


# --------------------------------------------------------------------------- interpellation


def _interpellation(request, annee: int, pk: int) -> Interpellation:
    qs = Interpellation.objects.visibles_par(request.perimetre).select_related(
        "campagne__questionnaire", "reponse__structure__departement", "signalement", "ouverte_par", "close_par"
    )
    return get_object_or_404(qs, campagne__annee=annee, pk=pk)


def _roles(request, i: Interpellation) -> tuple[bool, bool]:
    p = request.perimetre
    return (
        i.reponse.structure_id in p.structures_propres,
        i.reponse.structure.departement_id in departements_controle(p),
    )


def _questions_modifiables(i: Interpellation):
    """Questions que la structure peut corriger ici (interpellation ouverte, réponse non verrouillée)."""
    codes = codes_modifiables_en_controle(i.reponse) & set(i.questions)
    modele = i.campagne.questionnaire.modele.pour_public(i.reponse.structure.type, i.reponse.structure.departement_id)
    return modele, [q for q in modele.questions() if q.code in codes and q.saisie]


def _erreurs_bloquantes(i: Interpellation) -> list:
    """Erreurs bloquantes de la réponse telle qu'elle est maintenant (après d'éventuelles corrections)."""
    from core.questionnaire.evaluation import plan
    from senacs.reponses.selectors import valeurs_precedentes

    r = i.reponse
    modele = i.campagne.questionnaire.modele.pour_public(r.structure.type, r.structure.departement_id)
    precedentes = valeurs_precedentes(i.campagne, r.structure)
    return [a for a in plan(modele).anomalies(r.valeurs or {}, precedentes) if a.bloquante]


def _rendre_interpellation(request, i: Interpellation, formulaires=None, status=200):
    est_structure, est_correspondant = _roles(request, i)
    formulaires = formulaires or {}
    modele, modifiables = _questions_modifiables(i)
    concernees = []
    for q in modele.questions():
        if q.code in i.questions:
            libelles = modele.libelles_choix(q.code) if q.liste else {}
            concernees.append({"q": q, "valeur": formater(q, i.reponse.valeurs.get(q.code), libelles) or "—"})
    phase_ouverte = i.campagne.phase in ("saisie", "controle")
    contexte = {
        "campagne": i.campagne,
        "i": i,
        "classe": CLASSES_INTERPELLATIONS.get(i.etat, ""),
        "structure": i.reponse.structure,
        "fil": i.messages.select_related("auteur").prefetch_related("changements").order_by("le", "pk"),
        "concernees": concernees,
        "est_structure": est_structure,
        "est_correspondant": est_correspondant,
        "verrouillee": reponse_verrouillee(i.reponse),
        "phase_ouverte": phase_ouverte,
        # Montrées aux deux côtés dès qu'une correction en crée une, avec la façon de la lever.
        "erreurs_bloquantes": [
            {
                "a": a,
                "corrigeable_ici": set(a.questions) <= {q.code for q in modifiables},
                "visee": bool(set(a.questions) & set(i.questions)),
            }
            for a in _erreurs_bloquantes(i)
        ],
    }
    if est_structure and i.etat == "ouverte" and phase_ouverte:
        if modifiables:
            contexte["form_correction"] = formulaires.get("corriger") or CorrectionForm(
                questions=modifiables, modele=modele, reponse=i.reponse, auto_id="correction_%s"
            )
        contexte["form_justification"] = formulaires.get("justifier") or TexteForm(
            label="Votre justification", obligatoire=True, auto_id="justification_%s"
        )
    if i.en_cours:
        contexte["form_message"] = formulaires.get("commenter") or TexteForm(
            label="Votre message", obligatoire=True, auto_id="message_%s"
        )
    if est_correspondant:
        if i.en_cours:
            contexte["form_resolution"] = formulaires.get("resoudre") or TexteForm(
                label="Commentaire de clôture (facultatif)", auto_id="resolution_%s"
            )
            contexte["form_annulation"] = formulaires.get("annuler") or TexteForm(
                label="Motif de l'annulation (facultatif)", auto_id="annulation_%s"
            )
        if i.etat in ("repondue", "resolue") and phase_ouverte:
            contexte["form_reouverture"] = formulaires.get("rouvrir") or TexteForm(
                label="Ce qui reste à éclaircir", obligatoire=True, auto_id="reouverture_%s"
            )
    return render(request, "controles/interpellation.html", contexte, status=status)


@perimetre_requis(capacites.suivre_une_interpellation)
@lecture_get_atomique_post
def interpellation(request, annee: int, pk: int):
    i = _interpellation(request, annee, pk)
    journaliser_acces(request, structures=[i.reponse.structure_id], campagne=i.campagne, nature=Nature.CONTROLE)
    return _rendre_interpellation(request, i)


ACTIONS_STRUCTURE = ("corriger", "justifier")
ACTIONS_CORRESPONDANT = ("resoudre", "rouvrir", "annuler")
SUCCES = {
    "corriger": "Votre correction est enregistrée ; votre correspondant en est prévenu.",
    "justifier": "Votre justification est envoyée à votre correspondant.",
    "commenter": "Message ajouté.",
    "resoudre": "Interpellation résolue.",
    "rouvrir": "Interpellation rouverte ; la structure en est prévenue.",
    "annuler": "Interpellation annulée.",
}
LIBELLES_FORMULAIRES = {
    "justifier": ("Votre justification", True),
    "commenter": ("Votre message", True),
    "resoudre": ("Commentaire de clôture (facultatif)", False),
    "rouvrir": ("Ce qui reste à éclaircir", True),
    "annuler": ("Motif de l'annulation (facultatif)", False),
}


@require_POST
@perimetre_requis(capacites.suivre_une_interpellation)
@lecture_get_atomique_post
def interpellation_agir(request, annee: int, pk: int, action: str):
    i = _interpellation(request, annee, pk)
    est_structure, est_correspondant = _roles(request, i)
    if (action in ACTIONS_STRUCTURE and not est_structure) or (
        action in ACTIONS_CORRESPONDANT and not est_correspondant
    ):
        raise Http404
    role = Role.STRUCTURE if est_structure and not est_correspondant else Role.CORRESPONDANT
    organisme = (
        i.reponse.structure.nom if role == Role.STRUCTURE else _organisme_correspondant(request, i.reponse.structure)
    )
    url_base = _url_base(request)
    if action == "corriger":
        modele, modifiables = _questions_modifiables(i)
        form = CorrectionForm(
            request.POST, questions=modifiables, modele=modele, reponse=i.reponse, auto_id="correction_%s"
        )
        if not modifiables:
            messages.error(request, "Aucune réponse n'est modifiable ici : l'interpellation n'est plus ouverte.")
            return redirect("controles:interpellation", annee=annee, pk=i.pk)
        if form.is_valid():
            avant = {a.code_regle for a in _erreurs_bloquantes(i)}
            try:
                resultat = interpellation_corriger(
                    interpellation=i,
                    saisies=form.cleaned_data["saisies"],
                    texte=form.cleaned_data["texte"],
                    par=request.user,
                    organisme=organisme,
                    url_base=url_base,
                )
            except ErreurControle as erreur:
                form.add_error(None, erreur.message)
            else:
                if resultat.ok:
                    i.reponse.refresh_from_db()
                    nouvelles = [a for a in _erreurs_bloquantes(i) if a.code_regle not in avant]
                    if nouvelles:
                        messages.warning(
                            request,
                            f"{SUCCES[action]} Attention : elle crée {len(nouvelles)} erreur"
                            f"{'s' if len(nouvelles) > 1 else ''} bloquante{'s' if len(nouvelles) > 1 else ''} "
                            "(détail et façon de corriger ci-dessous).",
                        )
                    else:
                        messages.success(request, SUCCES[action])
                    return redirect("controles:interpellation", annee=annee, pk=i.pk)
                for conflit in resultat.conflits:
                    form.add_error(
                        f"q_{conflit.code}",
                        f"Cette réponse a été modifiée entre-temps par {conflit.enregistree_par or 'quelqu’un'} : "
                        "rechargez la page pour voir sa valeur actuelle.",
                    )
        return _rendre_interpellation(request, i, {"corriger": form}, status=400)
    if action not in LIBELLES_FORMULAIRES:
        raise Http404
    label, obligatoire = LIBELLES_FORMULAIRES[action]
    form = TexteForm(request.POST, label=label, obligatoire=obligatoire, auto_id=f"{action}_%s")
    if form.is_valid():
        texte = form.cleaned_data["texte"]
        try:
            if action == "justifier":
                interpellation_justifier(
                    interpellation=i, texte=texte, par=request.user, organisme=organisme, url_base=url_base
                )
            elif action == "commenter":
                interpellation_commenter(
                    interpellation=i, texte=texte, par=request.user, role=role, organisme=organisme
                )
            elif action == "resoudre":
                interpellation_resoudre(interpellation=i, texte=texte, par=request.user, organisme=organisme)
            elif action == "rouvrir":
                interpellation_rouvrir(
                    interpellation=i, texte=texte, par=request.user, organisme=organisme, url_base=url_base
                )
            else:
                interpellation_annuler(interpellation=i, texte=texte, par=request.user, organisme=organisme)
        except ErreurControle as erreur:
            form.add_error(None, erreur.message)
        else:
            messages.success(request, SUCCES[action])
            return redirect("controles:interpellation", annee=annee, pk=i.pk)
    return _rendre_interpellation(request, i, {action: form}, status=400)


# --------------------------------------------------------------------------- structure


@perimetre_requis(capacites.repondre_pour_sa_structure)
@lecture_get_atomique_post
def ma_reponse(request, annee: int):
    """Pour la structure : état de sa réponse à chaque étape, ses anomalies (les siennes seulement),
    ses interpellations, l'historique des validations."""
    campagne = _campagne(annee)
    perimetre = request.perimetre
    structures = Structure.objects.visibles_par(perimetre).filter(pk__in=perimetre.structures_propres).order_by("nom")
    blocs = []
    for structure in structures:
        r = Reponse.objects.filter(campagne=campagne, structure=structure).first()
        bloc = {"structure": structure, "reponse": r, "etat": LIBELLES_ETATS[etat_de(r.statut if r else None)]}
        bloc["classe_etat"] = CLASSES_ETATS[etat_de(r.statut if r else None)]
        if r is not None:
            en_cours = Interpellation.objects.en_cours().filter(reponse=r).count()
            bloc |= {
                "etapes": _etapes(r, en_cours),
                "signalements": [
                    {"s": s, "classe": CLASSES_GRAVITES.get(s.gravite, "")}
                    for s in r.signalements.filter(present=True).order_by("statut", "gravite", "code")
                ],
                "interpellations": [
                    {"i": i, "classe": CLASSES_INTERPELLATIONS.get(i.etat, "")}
                    for i in selectors.interpellations_de(r)
                ],
                "validations": selectors.historique_validation(r),
                "modifiables": sorted(codes_modifiables_en_controle(r)),
            }
        blocs.append(bloc)
    return render(request, "controles/ma_reponse.html", {"campagne": campagne, "blocs": blocs})


def _etapes(r: Reponse, en_cours: int) -> list[dict]:
    """Les étapes de la réponse, dans l'ordre : commencée, déposée, en contrôle, validée."""
    soumise = r.statut in (Statut.SOUMISE, Statut.VALIDEE)
    return [
        {"libelle": "Commencée", "fait": True, "date": r.commencee_le},
        {"libelle": "Déposée", "fait": soumise, "date": r.soumise_le if soumise else None},
        {
            "libelle": f"En interpellation ({en_cours})" if en_cours else "Contrôle",
            # Une interpellation ouverte attend la structure : l'étape est en cours, pas « faite ».
            "fait": soumise and not en_cours and r.statut == Statut.VALIDEE,
            "courante": soumise and r.statut != Statut.VALIDEE,
            "etat": "à vous de répondre" if en_cours else "en cours",
            "date": None,
        },
        {"libelle": "Validée", "fait": r.statut == Statut.VALIDEE, "date": r.validee_le},
    ]


# --------------------------------------------------------------------------- relances


@perimetre_requis(capacites.controler)
@lecture_get_atomique_post
def relances(request, annee: int):
    campagne = _campagne(annee)
    departements = departements_controle(request.perimetre)
    donnees = request.POST if request.method == "POST" else (request.GET or None)
    form = RelanceForm(donnees, departements=departements, initial={"nature": NatureRelance.NON_DEPOSEE})
    contexte = {"campagne": campagne, "form": form}
    if form.is_bound and form.is_valid():
        structures = Structure.objects.suivies_par(request.perimetre).filter(departement_id__in=departements)
        if form.cleaned_data["departement"]:
            structures = structures.filter(departement_id=form.cleaned_data["departement"])
        nature = form.cleaned_data["nature"]
        if request.method == "POST":
            envoyees = relances_envoyer(
                campagne=campagne,
                structures=structures,
                nature=nature,
                par=request.user,
                organisme_pour=_organisme_pour(request),
                url_base=_url_base(request),
                message=form.cleaned_data["message"],
            )
            n = len(envoyees)
            messages.success(request, f"{n} relance{'s' if n > 1 else ''} envoyée{'s' if n > 1 else ''}.")
            # Retour à l'aperçu (POST puis redirection) sans le jeton CSRF ni le message dans l'adresse.
            filtres = {"nature": nature, "departement": form.cleaned_data["departement"] or ""}
            return redirect(f"{reverse('controles:relances', args=[annee])}?{urlencode(filtres)}")
        lignes = relances_apercu(campagne=campagne, structures=structures, nature=nature)
        premiere = next((ligne for ligne in lignes if ligne.relancee), None)
        if premiere is not None:
            contexte["exemple"] = relance_apercu_courriel(
                campagne=campagne,
                ligne=premiere,
                nature=nature,
                organisme=_organisme_pour(request)(premiere.structure),
                url_base=_url_base(request),
                message=form.cleaned_data["message"],
            )
            contexte["exemple_structure"] = premiere.structure
        contexte |= {
            "lignes": lignes,
            "a_relancer": sum(1 for ligne in lignes if ligne.relancee),
            "ignorees": sum(1 for ligne in lignes if not ligne.relancee),
        }
    elif request.method == "POST":
        return render(request, "controles/relances.html", contexte, status=400)
    return render(request, "controles/relances.html", contexte)
