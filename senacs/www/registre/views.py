"""Registre des structures : import d'un tableur en deux temps (simulation, puis confirmation) et export.

Réservé aux correspondants (leurs départements), au national et aux administrateurs. Le fichier déposé
est conservé côté serveur, sous un nom aléatoire, le temps de la confirmation : seul le jeton est
rangé dans la session, jamais le nom donné par l'utilisateur.
"""

import hashlib
import secrets

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from core import capacites
from core.territoires import departements_par_code
from senacs.structures.importation import registre_exporter, registre_importer, registre_structures
from senacs.www.decorators import lecture_get_atomique_post, perimetre_requis
from senacs.www.depots import DepotsEnAttente, nom_affiche
from senacs.www.registre.forms import ImportRegistreForm

DEPOTS = DepotsEnAttente(
    cle_session="registre_import", reglage="SENACS_DOSSIER_IMPORTS", sous_dossier="imports-registre"
)
AFFICHAGE_MAX = 500  # lignes montrées par tableau du rapport
TYPES_EXPORT = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}

acces_registre = perimetre_requis(capacites.gerer_le_registre)


def _texte_perimetre(perimetre) -> str:
    if perimetre.est_national or perimetre.est_admin:
        return "la France entière"
    deps = departements_par_code()
    libelles = [f"{c} ({deps[c].nom})" if c in deps else c for c in sorted(perimetre.departements_suivi)]
    return ("le département " if len(libelles) == 1 else "les départements ") + ", ".join(libelles)


def _page(request, form, rapport=None, jeton="", alerte="", status=200):
    contexte = {
        "form": form,
        "rapport": rapport,
        "jeton": jeton,
        "alerte": alerte,
        "perimetre_texte": _texte_perimetre(request.perimetre),
        "affichage_max": AFFICHAGE_MAX,
    }
    if rapport is not None:
        contexte.update(
            creations=rapport.creations[:AFFICHAGE_MAX],
            creations_masquees=max(0, len(rapport.creations) - AFFICHAGE_MAX),
            modifications=rapport.modifications[:AFFICHAGE_MAX],
            modifications_masquees=max(0, len(rapport.modifications) - AFFICHAGE_MAX),
            erreurs=rapport.erreurs_triees,
        )
    return render(request, "registre/importer.html", contexte, status=status)


@acces_registre
@require_http_methods(["GET", "POST"])
@lecture_get_atomique_post
def importer(request):
    """Premier temps : dépôt du fichier et simulation (rien n'est écrit)."""
    if request.method != "POST":
        return _page(request, ImportRegistreForm())
    form = ImportRegistreForm(request.POST, request.FILES)
    if not form.is_valid():
        return _page(request, form)
    DEPOTS.oublier(request)
    nom = nom_affiche(form.cleaned_data["fichier"].name or "")
    rapport = registre_importer(
        contenu=form.contenu,
        nom_fichier=f"registre.{form.extension}",
        perimetre=request.perimetre,
        simulation=True,
    )
    rapport.nom_fichier = nom
    jeton = "" if rapport.a_erreurs else DEPOTS.conserver(request, form.contenu, form.extension, nom)
    return _page(request, ImportRegistreForm(), rapport=rapport, jeton=jeton)


@acces_registre
@require_POST
@lecture_get_atomique_post
def confirmer(request):
    """Second temps : le fichier simulé est importé pour de bon (tout ou rien)."""
    en_attente = DEPOTS.en_attente(request)
    chemin = DEPOTS.chemin(en_attente)
    if (
        chemin is None
        or en_attente.get("utilisateur") != request.user.pk
        or not secrets.compare_digest(request.POST.get("jeton", ""), en_attente.get("jeton", ""))
        or not chemin.is_file()
    ):
        messages.error(request, "Aucun fichier n'attend de confirmation : déposez de nouveau le fichier du registre.")
        return redirect("registre:importer")
    contenu = chemin.read_bytes()
    if hashlib.sha256(contenu).hexdigest() != en_attente.get("empreinte"):
        DEPOTS.oublier(request)
        messages.error(request, "Le fichier déposé a été altéré : déposez-le de nouveau.")
        return redirect("registre:importer")
    rapport = registre_importer(
        contenu=contenu,
        nom_fichier=f"registre.{en_attente['extension']}",
        perimetre=request.perimetre,
        simulation=False,
        par=request.user,
    )
    rapport.nom_fichier = en_attente.get("nom", "")
    DEPOTS.oublier(request)
    if rapport.a_erreurs:
        alerte = (
            "Le registre ou vos droits ont changé depuis la simulation : le fichier comporte maintenant des "
            "erreurs. Rien n'a été enregistré."
        )
        return _page(request, ImportRegistreForm(), rapport=rapport, alerte=alerte)
    messages.success(request, f"Import enregistré ({rapport.nom_fichier}) : {rapport.resume()}.")
    return redirect("registre:importer")


@acces_registre
@require_http_methods(["GET"])
@lecture_get_atomique_post
def exporter(request, format):
    """Le registre du périmètre de l'utilisateur, au format d'import."""
    if format not in TYPES_EXPORT:
        raise Http404("Format d'export inconnu.")
    contenu = registre_exporter(structures=registre_structures(request.perimetre), format=format)
    reponse = HttpResponse(contenu, content_type=TYPES_EXPORT[format])
    nom = f"registre-senacs-{timezone.localdate():%Y-%m-%d}.{format}"
    reponse["Content-Disposition"] = f'attachment; filename="{nom}"'
    return reponse
