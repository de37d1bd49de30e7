"""Tableaux agrégés et protégés (``/tableaux/``), export des réponses pour le préparateur, tableaux
automatisés d'une structure.

Qui voit quoi (design §1) :

- tableaux d'un territoire : correspondants, membres de COPIL, préparateur, national — le territoire
  vient de ``request.perimetre.territoires_agregats`` (un territoire hors de cet ensemble : 404) ;
  structures, invités et comptes sans agrégats : 403 (les invités passent par les documents que leur
  COPIL leur partage, les structures par leurs tableaux automatisés) ;
- seules les cellules d'une diffusion dont l'audit est réussi sont lues (campagne non diffusée : 404) ;
- réponses brutes d'un territoire : le préparateur désigné de ce territoire seulement (mandat
  « preparateur » issu de la désignation), export journalisé ;
- tableaux automatisés : la structure elle-même, fichiers servis par cette vue seulement.
"""

import io

from django.contrib import messages
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from core import capacites
from core.perimetre import cle_territoire
from core.roles import Role
from senacs.campagnes.models import Campagne
from senacs.reponses.models import Reponse
from senacs.statistiques.automatises import ErreurTableaux, demande_creer, dossier_media
from senacs.statistiques.ecriture import FORMATS, tableaux_en
from senacs.statistiques.models import DemandeTableaux, Diffusion, StatutDemande
from senacs.statistiques.selectors import STATUTS_DEPOSES, Territoire
from senacs.statistiques.services import (
    ErreurPublication,
    diffusion_courante,
    export_brut,
    publication_autorisee,
)
from senacs.statistiques.tableaux import LEGENDE, NOTE_METHODE, tableaux_territoire
from senacs.structures.models import Structure
from senacs.www.decorators import lecture_get_atomique_post, perimetre_requis

ORDRE_NIVEAUX = {"nation": 0, "region": 1, "departement": 2}


def territoires_autorises(perimetre) -> list[Territoire]:
    territoires = [t for t in map(Territoire.depuis_cle, perimetre.territoires_agregats) if t is not None]
    return sorted(territoires, key=lambda t: (ORDRE_NIVEAUX[t.niveau], t.code))


def territoires_preparateur(perimetre) -> list[Territoire]:
    cles = {cle_territoire(m.niveau, m.code) for m in perimetre.territoires_du_role(Role.PREPARATEUR)}
    territoires = [t for t in map(Territoire.depuis_cle, cles) if t is not None]
    return sorted(territoires, key=lambda t: (ORDRE_NIVEAUX[t.niveau], t.code))


def diffusion_publiable(annee: int) -> Diffusion:
    """La diffusion en vigueur de la campagne si sa publication est autorisée (audit réussi), sinon 404."""
    campagne = get_object_or_404(Campagne.objects.select_related("questionnaire"), annee=annee)
    if not publication_autorisee(campagne):
        raise Http404("Aucun agrégat diffusé pour cette campagne.")
    return diffusion_courante(campagne)


def _territoire_autorise(request, slug: str) -> Territoire:
    territoire = Territoire.depuis_slug(slug)
    if territoire is None or territoire.cle not in request.perimetre.territoires_agregats:
        raise Http404("Territoire hors de vos mandats.")
    return territoire


def campagnes_diffusees() -> list[Campagne]:
    campagnes = Campagne.objects.filter(diffusions__audit_ok=True).distinct().order_by("-annee")
    return [c for c in campagnes if publication_autorisee(c)]


@perimetre_requis(capacites.voir_les_tableaux)
@lecture_get_atomique_post
def index(request):
    campagnes = campagnes_diffusees()
    preparateur = territoires_preparateur(request.perimetre)
    return render(
        request,
        "statistiques/index.html",
        {
            "campagnes": campagnes,
            "territoires": territoires_autorises(request.perimetre),
            "territoires_preparateur": preparateur,
            "campagnes_brutes": Campagne.objects.filter(questionnaire__isnull=False).order_by("-annee")
            if preparateur
            else [],
        },
    )


@perimetre_requis(capacites.voir_des_agregats)
@lecture_get_atomique_post
def tableaux(request, annee: int, territoire: str):
    territoire = _territoire_autorise(request, territoire)
    diffusion = diffusion_publiable(annee)
    tout = tableaux_territoire(diffusion, territoire)
    codes = [code for code, _ in tout.sections]
    section = request.GET.get("section")
    if section not in codes:
        section = codes[0] if codes else None
    return render(
        request,
        "statistiques/tableaux.html",
        {
            "t": tout,
            "questions": tout.de_la_section(section),
            "section": section,
            "legende": LEGENDE,
            "note_methode": NOTE_METHODE,
            "autres_territoires": [t for t in territoires_autorises(request.perimetre) if t != territoire],
        },
    )


def reponse_tableaux(tableaux, format_: str) -> HttpResponse:
    if format_ not in FORMATS:
        raise Http404("Format inconnu.")
    type_mime, extension = FORMATS[format_]
    contenu = tableaux_en(format_, tableaux)
    nom = f"tableaux-{tableaux.campagne.annee}-{tableaux.territoire.slug}.{extension}"
    reponse = HttpResponse(contenu, content_type=type_mime)
    reponse["Content-Disposition"] = f'attachment; filename="{nom}"'
    return reponse


@perimetre_requis(capacites.voir_des_agregats)
@lecture_get_atomique_post
def telecharger(request, annee: int, territoire: str, format_: str):
    territoire = _territoire_autorise(request, territoire)
    diffusion = diffusion_publiable(annee)
    return reponse_tableaux(tableaux_territoire(diffusion, territoire), format_)


@perimetre_requis(capacites.preparer)
@lecture_get_atomique_post
def reponses_brutes(request, annee: int, territoire: str):
    """Réponses déposées du territoire (CSV, même fichier que ``senacs export-brut``), journalisé."""
    cible = Territoire.depuis_slug(territoire)
    if cible is None or cible not in territoires_preparateur(request.perimetre):
        raise Http404("Territoire hors de votre désignation.")
    campagne = get_object_or_404(Campagne.objects.select_related("questionnaire"), annee=annee)
    tampon = io.StringIO()
    try:
        export_brut(campagne, cible, tampon, acteur=request, detail=f"Téléchargement — {cible.libelle_complet}")
    except ErreurPublication as exc:
        raise Http404(str(exc)) from exc
    reponse = HttpResponse(tampon.getvalue().encode("utf-8"), content_type="text/csv; charset=utf-8")
    reponse["Content-Disposition"] = f'attachment; filename="reponses-{annee}-{cible.slug}.csv"'
    return reponse


# --------------------------------------------------------------------------- tableaux automatisés


def _structures_propres(request):
    return Structure.objects.filter(pk__in=request.perimetre.structures_propres).order_by("nom")


@perimetre_requis(capacites.repondre_pour_sa_structure)
@require_http_methods(["GET", "POST"])
@lecture_get_atomique_post
def ma_structure(request):
    structures = list(_structures_propres(request))
    campagnes = campagnes_diffusees()
    deposees = set(
        Reponse.objects.filter(
            structure__in=structures, campagne__in=campagnes, statut__in=STATUTS_DEPOSES
        ).values_list("structure_id", "campagne_id")
    )
    if request.method == "POST":
        choisie = request.POST.get("structure", "")
        structure = next((s for s in structures if str(s.pk) == choisie), None)
        if structure is None:
            raise Http404("Structure hors de vos mandats.")
        campagne = next((c for c in campagnes if str(c.annee) == request.POST.get("campagne")), None)
        if campagne is None or (structure.pk, campagne.pk) not in deposees:
            raise Http404("Aucune réponse déposée à cette campagne, ou campagne non diffusée.")
        try:
            demande_creer(structure=structure, campagne=campagne, par=request.user)
        except ErreurTableaux as exc:
            messages.error(request, str(exc))
        else:
            messages.success(
                request,
                f"Demande enregistrée : vos tableaux {campagne.annee} sont en préparation. Vous recevrez un "
                "courriel quand ils seront prêts.",
            )
        return redirect("tableaux:ma_structure")
    demandes = DemandeTableaux.objects.filter(structure__in=structures).select_related("campagne", "structure")[:50]
    lignes = [{"structure": s, "campagne": c} for s in structures for c in campagnes if (s.pk, c.pk) in deposees]
    return render(
        request,
        "statistiques/ma_structure.html",
        {"lignes": lignes, "demandes": demandes, "StatutDemande": StatutDemande},
    )


@perimetre_requis(capacites.repondre_pour_sa_structure)
@lecture_get_atomique_post
def fichier_automatise(request, pk: int, format_: str):
    demande = get_object_or_404(
        DemandeTableaux.objects.filter(
            structure_id__in=request.perimetre.structures_propres, statut=StatutDemande.PRETE
        ),
        pk=pk,
    )
    relatif = {"xlsx": demande.fichier_xlsx, "pdf": demande.fichier_pdf}.get(format_)
    if not relatif:
        raise Http404("Format inconnu.")
    chemin = (dossier_media() / relatif).resolve()
    if dossier_media().resolve() not in chemin.parents or not chemin.is_file():
        raise Http404("Fichier introuvable.")
    type_mime = FORMATS["xlsx"][0] if format_ == "xlsx" else "application/pdf"
    return FileResponse(open(chemin, "rb"), as_attachment=True, filename=chemin.name, content_type=type_mime)
