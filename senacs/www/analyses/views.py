"""Analyses thématiques (``/analyses/``) : constructeur, analyses enregistrées, partage, exports.

Qui voit quoi (moteur : ``senacs.analyses.services``) :

- **constructeur** (``/analyses/``) et exports d'un calcul : les comptes qui ont des agrégats (membres
  de COPIL, préparateur, correspondants, national) ; le territoire vient de
  ``territoires_autorises(perimetre)`` (hors de cette liste : 404) ; structures, invités et comptes sans
  agrégats : 403 ;
- **analyses enregistrées** (``/analyses/enregistrees/``, ``/analyses/<pk>/``) : en plus, les invités
  d'un COPIL, qui n'ouvrent que les analyses partagées avec eux ; une analyse que l'on ne peut pas
  ouvrir : 404. Chaque ouverture recalcule l'analyse pour le public de son lecteur ;
- chaque calcul protège ses cellules et les inscrit au registre des libérations (écriture en base) :
  ces vues GET ne sont donc pas en lecture seule ; elles écrivent dans une transaction
  (``@get_et_post_atomiques``). Les autres sont ``@lecture_get_atomique_post``.
"""

from dataclasses import dataclass, field

from django.contrib import messages
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from core import capacites
from core.analyses.modele import DIMENSIONS, MARGE, DefinitionAnalyse
from core.formats import formater_nombre
from core.graphiques import svg_accessible
from senacs.analyses import services
from senacs.analyses.models import Analyse
from senacs.copil.models import Copil, Designation, MembreCopil, PartageDocument, StatutDesignation
from senacs.statistiques.selectors import Territoire
from senacs.www.analyses.forms import ConstructeurForm
from senacs.www.decorators import get_et_post_atomiques, lecture_get_atomique_post, perimetre_requis
from senacs.www.statistiques.views import campagnes_diffusees

FORMATS_EXPORT = ("xlsx", "csv")
DIMENSIONS_FILTRABLES = [code for code in DIMENSIONS if code != "territoire"]


# --------------------------------------------------------------------------- formulaire


@dataclass
class Formulaire:
    """Le formulaire GET du constructeur : valeurs choisies et erreurs (messages en français)."""

    indicateur: str = ""
    territoire: str = ""
    dimension1: str = ""
    dimension2: str = ""
    campagnes: list[int] = field(default_factory=list)
    filtres: dict[str, list[str]] = field(default_factory=dict)
    erreurs: dict[str, str] = field(default_factory=dict)
    generales: list[str] = field(default_factory=list)

    @property
    def a_des_erreurs(self) -> bool:
        return bool(self.erreurs or self.generales)

    def definition(self) -> DefinitionAnalyse:
        return DefinitionAnalyse(
            indicateur=self.indicateur,
            territoire=self.territoire,
            dimensions=tuple(d for d in (self.dimension1, self.dimension2) if d),
            filtres=tuple(sorted((code, tuple(sorted(m))) for code, m in self.filtres.items() if m)),
            campagnes=tuple(sorted(self.campagnes)),
        )

    def parametres(self) -> str:
        """La requête GET qui redonne ce calcul (pour les liens d'export)."""
        from urllib.parse import urlencode

        paires = [("indicateur", self.indicateur), ("territoire", self.territoire)]
        paires += [("dimension1", self.dimension1), ("dimension2", self.dimension2)]
        paires += [("campagne", str(c)) for c in self.campagnes]
        for code, modalites in sorted(self.filtres.items()):
            paires += [(f"filtre_{code}", m) for m in modalites]
        return urlencode([(k, v) for k, v in paires if v])


def lire_formulaire(get, indicateurs, territoires, campagnes) -> Formulaire:
    """Le formulaire GET lu par ``ConstructeurForm`` ; les valeurs saisies sont gardées pour être
    réaffichées, même refusées."""
    form = ConstructeurForm(get, indicateurs=indicateurs, territoires=territoires, campagnes=campagnes)
    form.is_valid()
    f = Formulaire(
        indicateur=get.get("indicateur", "").strip(),
        territoire=get.get("territoire", "").strip(),
        dimension1=get.get("dimension1", "").strip(),
        dimension2=get.get("dimension2", "").strip(),
        campagnes=list(form.campagnes_lues),
        filtres=form.filtres(),
        erreurs={("campagnes" if nom == "campagne" else nom): erreurs[0] for nom, erreurs in form.errors.items()},
    )
    if f.dimension2 and not f.dimension1:
        f.dimension1, f.dimension2 = f.dimension2, ""
    if not f.erreurs:
        f.generales = f.definition().erreurs()
    return f


# --------------------------------------------------------------------------- mise en page du résultat


@dataclass
class Case:
    texte: str
    repondants: str
    masquee: bool


@dataclass
class TableauResultat:
    legende: str
    entete_lignes: str
    colonnes: list[tuple[str, str]]
    lignes: list[tuple[str, list[Case]]]


def _case(resultat, campagne: int, modalites: tuple[str, ...]) -> Case:
    c = resultat.cellule(campagne, *modalites)
    if c is None and modalites == (MARGE,):
        c = resultat.cellule(campagne)  # analyse sans ventilation : la cellule n'a pas de modalité
    if c is None:
        return Case("–", "", False)
    if c.repondants is None:
        repondants = ""
    else:
        repondants = f"{formater_nombre(c.repondants, 0)} répondant{'s' if c.repondants > 1 else ''}"
    texte = "s" if c.masquee else (c.texte or "–")
    return Case(texte, repondants, c.masquee)


def tableaux_resultat(resultat) -> list[TableauResultat]:
    """Un tableau (deux ventilations : un par campagne) avec lignes, colonnes, marges « Ensemble »."""
    definition = resultat.definition
    campagnes = list(definition.campagnes) or sorted({c.campagne for c in resultat.cellules})
    dims = list(definition.dimensions)
    titre = f"{resultat.indicateur.libelle} — {resultat.libelle_territoire or definition.territoire}"
    libelle_dims = [DIMENSIONS[d].libelle for d in dims]
    tableaux = []
    if len(dims) == 2:
        for campagne in campagnes:
            lignes = [
                (lib, [_case(resultat, campagne, (m, col)) for col, _ in resultat.colonnes])
                for m, lib in resultat.lignes
            ]
            tableaux.append(
                TableauResultat(
                    f"{titre}, campagne {campagne}, par {libelle_dims[0].lower()} (lignes) et "
                    f"{libelle_dims[1].lower()} (colonnes)",
                    libelle_dims[0],
                    list(resultat.colonnes),
                    lignes,
                )
            )
        return tableaux
    colonnes = [(str(c), f"Campagne {c}") for c in campagnes]
    if len(dims) == 1:
        lignes = [(lib, [_case(resultat, c, (m,)) for c in campagnes]) for m, lib in resultat.lignes]
        legende = f"{titre}, par {libelle_dims[0].lower()}"
        entete = libelle_dims[0]
    else:
        lignes = [("Ensemble", [_case(resultat, c, (MARGE,)) for c in campagnes])]
        legende, entete = titre, "Champ"
    return [TableauResultat(legende, entete, colonnes, lignes)]


# --------------------------------------------------------------------------- COPIL de l'utilisateur


def copils_animes(utilisateur) -> list[Copil]:
    """Les COPIL dont l'utilisateur est membre en cours ou préparateur désigné en cours."""
    membres = MembreCopil.objects.valides().filter(utilisateur=utilisateur).values_list("copil_id", flat=True)
    jour = timezone.localdate()
    preparateur = Designation.objects.filter(
        designe=utilisateur, statut=StatutDesignation.EFFECTIVE, fin__gte=jour
    ).values_list("copil_id", flat=True)
    return list(
        Copil.objects.filter(pk__in=[*membres, *preparateur]).select_related("region", "departement").order_by("pk")
    )


def copils_pour(utilisateur, territoire: str) -> list[Copil]:
    """COPIL animés par l'utilisateur dont le territoire contient celui de l'analyse."""
    t = Territoire.depuis_cle(territoire)
    if t is None:
        return []
    sortie = []
    for c in copils_animes(utilisateur):
        tc = Territoire.depuis_cle(c.cle_territoire)
        if tc is not None and t.departements() <= tc.departements():
            sortie.append(c)
    return sortie


# --------------------------------------------------------------------------- vues


def _rendu_resultat(resultat) -> dict:
    titre = f"{resultat.indicateur.libelle} — {resultat.libelle_territoire or resultat.definition.territoire}"
    graphique = ""
    if resultat.spec and resultat.spec.get("data", {}).get("values"):
        graphique = svg_accessible(resultat.spec, titre, resultat.texte_alternatif)
    return {
        "resultat": resultat,
        "titre_resultat": titre,
        "graphique": graphique,
        "tableaux": tableaux_resultat(resultat),
        "note": resultat.note_methodologique.split("\n"),
    }


def _options(request) -> dict:
    campagnes = campagnes_diffusees()
    return {
        "indicateurs": services.indicateurs_disponibles(),
        "territoires": services.territoires_autorises(request.perimetre),
        "campagnes": campagnes,
        "dimensions": [DIMENSIONS[c] for c in DIMENSIONS],
        "dimensions_filtrables": [DIMENSIONS[c] for c in DIMENSIONS_FILTRABLES],
    }


def _calculer(request, formulaire: Formulaire):
    """Le résultat protégé (inscrit au registre), ou None avec l'erreur ajoutée au formulaire."""
    try:
        with transaction.atomic():
            return services.analyse_calculer(
                utilisateur=request.user, perimetre=request.perimetre, definition=formulaire.definition()
            )
    except PermissionError as exc:
        raise Http404("Territoire hors de vos mandats.") from exc
    except services.ErreurAnalyse as exc:
        formulaire.generales.append(exc.message)
    return None


def departements_filtrables(territoire: str) -> list[tuple[str, str]]:
    """Départements proposés au filtre « Département » : ceux d'une région choisie (la France en compte
    trop pour des cases à cocher ; un département n'a rien à filtrer)."""
    t = Territoire.depuis_cle(territoire) if territoire else None
    if t is None or t.niveau != "region":
        return []
    return [(d, Territoire("departement", d).libelle) for d in sorted(t.departements())]


@perimetre_requis(capacites.voir_des_agregats)
@get_et_post_atomiques
def constructeur(request):
    options = _options(request)
    contexte = {**options, "formulaire": None, "resultat": None}
    contexte["departements"] = departements_filtrables(request.GET.get("territoire", ""))
    statut = 200
    if "indicateur" in request.GET:
        formulaire = lire_formulaire(request.GET, options["indicateurs"], options["territoires"], options["campagnes"])
        contexte["formulaire"] = formulaire
        if not formulaire.a_des_erreurs:
            resultat = _calculer(request, formulaire)
            if resultat is not None:
                contexte.update(_rendu_resultat(resultat))
                contexte["definition_json"] = formulaire.definition().vers_json()
                contexte["parametres"] = formulaire.parametres()
                contexte["copils"] = copils_pour(request.user, formulaire.territoire)
        if formulaire.a_des_erreurs:
            statut = 400
    else:
        derniere = options["campagnes"][0].annee if options["campagnes"] else None
        contexte["formulaire"] = Formulaire(campagnes=[derniere] if derniere else [])
    return render(request, "analyses/constructeur.html", contexte, status=statut)


def _reponse_export(resultat, format_: str) -> HttpResponse:
    contenu, type_mime, nom = services.exporter(resultat, format_)
    reponse = HttpResponse(contenu, content_type=type_mime)
    reponse["Content-Disposition"] = f'attachment; filename="{nom}"'
    return reponse


@perimetre_requis(capacites.voir_des_agregats)
@get_et_post_atomiques
def exporter(request, format_: str):
    if format_ not in FORMATS_EXPORT:
        raise Http404("Format inconnu.")
    options = _options(request)
    formulaire = lire_formulaire(request.GET, options["indicateurs"], options["territoires"], options["campagnes"])
    if formulaire.a_des_erreurs:
        return render(
            request, "analyses/constructeur.html", {**options, "formulaire": formulaire, "resultat": None}, status=400
        )
    resultat = _calculer(request, formulaire)
    if resultat is None:
        return render(
            request, "analyses/constructeur.html", {**options, "formulaire": formulaire, "resultat": None}, status=400
        )
    return _reponse_export(resultat, format_)


@perimetre_requis(capacites.voir_des_agregats)
@require_POST
@lecture_get_atomique_post
def enregistrer(request):
    nom = request.POST.get("nom", "").strip()
    try:
        definition = DefinitionAnalyse.depuis_json(
            {
                "indicateur": request.POST.get("indicateur", ""),
                "territoire": request.POST.get("territoire", ""),
                "dimensions": [d for d in request.POST.getlist("dimension") if d],
                "filtres": {
                    code[len("filtre_") :]: request.POST.getlist(code)
                    for code in request.POST
                    if code.startswith("filtre_")
                },
                "campagnes": request.POST.getlist("campagne"),
            }
        )
    except ValueError:
        messages.error(request, "Définition d'analyse illisible : recommencez depuis le constructeur.")
        return redirect("analyses:index")
    if definition.territoire not in {c for c, _ in services.territoires_autorises(request.perimetre)}:
        raise Http404("Territoire hors de vos mandats.")
    copil = None
    choix_copil = request.POST.get("copil", "")
    if choix_copil:
        copil = next((c for c in copils_pour(request.user, definition.territoire) if str(c.pk) == choix_copil), None)
        if copil is None:
            raise Http404("Comité hors de vos mandats.")
    retour = f"{reverse('analyses:index')}?{_parametres_definition(definition)}"
    try:
        with transaction.atomic():
            analyse = services.analyse_enregistrer(par=request.user, nom=nom, definition=definition, copil=copil)
    except services.ErreurAnalyse as exc:
        messages.error(request, f"L'analyse n'est pas enregistrée : {exc.message}")
        return redirect(retour)
    except PermissionError as exc:
        raise Http404("Comité hors de vos mandats.") from exc
    messages.success(request, f"Analyse « {analyse.nom} » enregistrée.")
    return redirect("analyses:detail", pk=analyse.pk)


def _parametres_definition(definition: DefinitionAnalyse) -> str:
    f = Formulaire(
        indicateur=definition.indicateur,
        territoire=definition.territoire,
        dimension1=definition.dimensions[0] if definition.dimensions else "",
        dimension2=definition.dimensions[1] if len(definition.dimensions) > 1 else "",
        campagnes=list(definition.campagnes),
        filtres={code: list(m) for code, m in definition.filtres},
    )
    return f.parametres()


def _parametres_enregistree(analyse: Analyse) -> str:
    try:
        return _parametres_definition(analyse.definition_analyse)
    except ValueError:  # définition illisible : pas de lien vers le constructeur
        return ""


def _partagees_invites(copils: list[int]) -> set[int]:
    refs = (
        PartageDocument.objects.actifs()
        .filter(copil_id__in=copils, nature="analyse")
        .values_list("reference", flat=True)
    )
    return {int(r) for r in refs if r.isdigit()}


@perimetre_requis(capacites.ouvrir_les_analyses)
@lecture_get_atomique_post
def liste(request):
    visibles = list(services.analyses_visibles(request.user, request.perimetre))
    animes = {c.pk for c in copils_animes(request.user)}
    avec_invites = _partagees_invites(sorted({a.copil_id for a in visibles if a.copil_id}))
    mes = [a for a in visibles if a.proprietaire_id == request.user.pk]
    copil = [a for a in visibles if a.proprietaire_id != request.user.pk and a.copil_id in animes and a.partagee_copil]
    invites = [a for a in visibles if a.pk in avec_invites and a not in mes and a not in copil]
    return render(
        request,
        "analyses/liste.html",
        {
            "mes": mes,
            "partagees_copil": copil,
            "partagees_invites": invites,
            "avec_invites": avec_invites,
            "peut_construire": capacites.voir_des_agregats(request.perimetre),
        },
    )


def _analyse_visible(request, pk: int) -> Analyse:
    return get_object_or_404(services.analyses_visibles(request.user, request.perimetre), pk=pk)


def _ouvrir(request, analyse: Analyse):
    try:
        with transaction.atomic():
            return services.analyse_ouvrir(analyse=analyse, utilisateur=request.user, perimetre=request.perimetre)
    except PermissionError as exc:
        raise Http404("Analyse introuvable.") from exc


@perimetre_requis(capacites.ouvrir_les_analyses)
@get_et_post_atomiques
def detail(request, pk: int):
    analyse = _analyse_visible(request, pk)
    erreur = None
    contexte: dict = {"analyse": analyse}
    try:
        resultat = _ouvrir(request, analyse)
    except services.ErreurAnalyse as exc:
        erreur = exc.message
    else:
        contexte.update(_rendu_resultat(resultat))
    animes = {c.pk for c in copils_animes(request.user)}
    contexte.update(
        {
            "erreur": erreur,
            "peut_partager": bool(analyse.copil_id and analyse.copil_id in animes),
            "partagee_invites": analyse.pk in _partagees_invites([analyse.copil_id] if analyse.copil_id else []),
            "parametres": _parametres_enregistree(analyse) if capacites.voir_des_agregats(request.perimetre) else "",
        }
    )
    return render(request, "analyses/detail.html", contexte, status=400 if erreur else 200)


@perimetre_requis(capacites.ouvrir_les_analyses)
@get_et_post_atomiques
def exporter_enregistree(request, pk: int, format_: str):
    if format_ not in FORMATS_EXPORT:
        raise Http404("Format inconnu.")
    analyse = _analyse_visible(request, pk)
    try:
        resultat = _ouvrir(request, analyse)
    except services.ErreurAnalyse as exc:
        messages.error(request, exc.message)
        return redirect("analyses:detail", pk=pk)
    return _reponse_export(resultat, format_)


@perimetre_requis(capacites.voir_des_agregats)
@require_POST
@lecture_get_atomique_post
def partager(request, pk: int):
    analyse = _analyse_visible(request, pk)
    avec_invites = request.POST.get("avec_invites") == "1"
    try:
        with transaction.atomic():
            services.analyse_partager(analyse=analyse, par=request.user, avec_invites=avec_invites)
    except PermissionError as exc:
        raise Http404("Analyse introuvable.") from exc
    except services.ErreurAnalyse as exc:
        messages.error(request, f"L'analyse n'est pas partagée : {exc.message}")
    else:
        messages.success(
            request,
            f"Analyse « {analyse.nom} » partagée avec les membres du comité"
            + (" et avec ses invités." if avec_invites else "."),
        )
    return redirect("analyses:detail", pk=pk)
