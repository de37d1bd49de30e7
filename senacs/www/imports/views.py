"""Import en masse des réponses par un correspondant : dépôt et simulation, puis confirmation.

Réservé aux correspondants (Caf et fédération) : seules les structures des départements de leurs
mandats de correspondant peuvent figurer dans le fichier. Le fichier déposé est conservé côté
serveur sous un nom aléatoire le temps de la confirmation (au plus 24 heures) : seul le jeton est
rangé dans la session, jamais le nom donné par l'utilisateur. Format : ``senacs.reponses.importation``.
"""

import hashlib
import secrets

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from core import capacites
from core.territoires import departements_par_code
from senacs.campagnes.models import Campagne
from senacs.questionnaires.services_alertes import departements_correspondant
from senacs.reponses.importation import PHASES_IMPORT, reponses_importer, reponses_modele
from senacs.www.decorators import lecture_get_atomique_post, perimetre_requis
from senacs.www.depots import DepotsEnAttente, nom_affiche
from senacs.www.imports.forms import ImportReponsesForm

DEPOTS = DepotsEnAttente(
    cle_session="reponses_import", reglage="SENACS_DOSSIER_IMPORTS_REPONSES", sous_dossier="imports-reponses"
)
AFFICHAGE_MAX = 500

acces_import = perimetre_requis(capacites.saisir_pour_le_compte)


def _texte_perimetre(departements) -> str:
    deps = departements_par_code()
    libelles = [f"{c} ({deps[c].nom})" if c in deps else c for c in sorted(departements)]
    return ("le département " if len(libelles) == 1 else "les départements ") + ", ".join(libelles)


def _page(request, form, rapport=None, jeton="", alerte="", status=200):
    contexte = {
        "form": form,
        "rapport": rapport,
        "jeton": jeton,
        "alerte": alerte,
        "perimetre_texte": _texte_perimetre(departements_correspondant(request.perimetre)),
        "affichage_max": AFFICHAGE_MAX,
        "campagnes_ouvertes": list(Campagne.objects.filter(phase__in=PHASES_IMPORT).order_by("-annee")),
    }
    if rapport is not None:
        contexte.update(
            lignes=rapport.lignes[:AFFICHAGE_MAX],
            lignes_masquees=max(0, len(rapport.lignes) - AFFICHAGE_MAX),
            erreurs=rapport.erreurs_triees,
            avertissements=rapport.avertissements[:AFFICHAGE_MAX],
        )
    return render(request, "imports/reponses.html", contexte, status=status)


@acces_import
@require_http_methods(["GET", "POST"])
@lecture_get_atomique_post
def reponses(request):
    """Premier temps : dépôt du fichier et simulation (rien n'est écrit)."""
    if request.method != "POST":
        return _page(request, ImportReponsesForm())
    form = ImportReponsesForm(request.POST, request.FILES)
    if not form.is_valid():
        return _page(request, form, status=400)
    DEPOTS.oublier(request)
    campagne = form.cleaned_data["campagne"]
    nom = nom_affiche(form.cleaned_data["fichier"].name or "")
    rapport = reponses_importer(
        contenu=form.contenu,
        nom_fichier=f"reponses.{form.extension}",
        campagne=campagne,
        par=request.user,
        departements=departements_correspondant(request.perimetre),
        simulation=True,
    )
    rapport.nom_fichier = nom
    jeton = (
        "" if rapport.a_erreurs else DEPOTS.conserver(request, form.contenu, form.extension, nom, annee=campagne.annee)
    )
    return _page(request, ImportReponsesForm(initial={"campagne": campagne}), rapport=rapport, jeton=jeton)


@acces_import
@require_POST
@lecture_get_atomique_post
def confirmer(request):
    """Second temps : le fichier simulé est importé pour de bon (tout ou rien)."""
    en_attente = DEPOTS.en_attente(request)
    chemin = DEPOTS.chemin(en_attente)
    campagne = Campagne.objects.filter(annee=en_attente.get("annee") or 0).first()
    if (
        chemin is None
        or campagne is None
        or en_attente.get("utilisateur") != request.user.pk
        or not secrets.compare_digest(request.POST.get("jeton", ""), en_attente.get("jeton", ""))
        or not chemin.is_file()
    ):
        messages.error(request, "Aucun fichier n'attend de confirmation : déposez de nouveau le fichier des réponses.")
        return redirect("imports:reponses")
    contenu = chemin.read_bytes()
    if hashlib.sha256(contenu).hexdigest() != en_attente.get("empreinte"):
        DEPOTS.oublier(request)
        messages.error(request, "Le fichier déposé a été altéré : déposez-le de nouveau.")
        return redirect("imports:reponses")
    rapport = reponses_importer(
        contenu=contenu,
        nom_fichier=f"reponses.{en_attente['extension']}",
        campagne=campagne,
        par=request.user,
        departements=departements_correspondant(request.perimetre),
        simulation=False,
    )
    rapport.nom_fichier = en_attente.get("nom", "")
    DEPOTS.oublier(request)
    if rapport.a_erreurs:
        alerte = (
            "Les réponses, la campagne ou vos droits ont changé depuis la simulation : le fichier comporte "
            "maintenant des erreurs. Rien n'a été enregistré."
        )
        return _page(request, ImportReponsesForm(), rapport=rapport, alerte=alerte, status=409)
    messages.success(
        request,
        f"Import enregistré ({rapport.nom_fichier}) : {rapport.resume()}. Les structures en sont prévenues et "
        "peuvent contester chaque réponse saisie pour leur compte.",
    )
    return redirect("imports:reponses")


@acces_import
@require_http_methods(["GET"])
@lecture_get_atomique_post
def modele(request, annee: int):
    """Classeur vierge à remplir : les structures du périmètre et une colonne par question (aucune réponse)."""
    campagne = Campagne.objects.filter(annee=annee, phase__in=PHASES_IMPORT).first()
    if campagne is None:
        raise Http404("Aucune campagne ouverte à l'import pour cette année.")
    contenu = reponses_modele(campagne=campagne, departements=departements_correspondant(request.perimetre))
    reponse = HttpResponse(contenu, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    reponse["Content-Disposition"] = f'attachment; filename="modele-reponses-{campagne.annee}.xlsx"'
    return reponse
