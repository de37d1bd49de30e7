"""Import en masse des réponses par un correspondant : dépôt et simulation, puis confirmation.

Réservé aux correspondants (Caf et fédération) : seules les structures des départements de leurs
mandats de correspondant peuvent figurer dans le fichier. Le fichier déposé est conservé côté
serveur sous un nom aléatoire le temps de la confirmation (au plus 24 heures) : seul le jeton est
rangé dans la session, jamais le nom donné par l'utilisateur. Format : ``senacs.reponses.importation``.
"""

import hashlib
import re
import secrets
import time
import unicodedata
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from core.territoires import departements_par_code
from senacs.campagnes.models import Campagne
from senacs.questionnaires.services_alertes import departements_correspondant
from senacs.reponses.importation import PHASES_IMPORT, reponses_importer, reponses_modele
from senacs.www.decorators import lecture_seule, perimetre_requis
from senacs.www.imports.forms import ImportReponsesForm

CLE_SESSION = "reponses_import"
DUREE_CONSERVATION = 24 * 3600
AFFICHAGE_MAX = 500
RE_JETON = re.compile(r"^[0-9a-f]{32}$")

acces_import = perimetre_requis(lambda p: departements_correspondant(p))


def _dossier() -> Path:
    dossier = Path(getattr(settings, "SENACS_DOSSIER_IMPORTS_REPONSES", settings.VAR_DIR / "imports-reponses"))
    dossier.mkdir(mode=0o700, parents=True, exist_ok=True)
    return dossier


def _nettoyer(dossier: Path) -> None:
    limite = time.time() - DUREE_CONSERVATION
    for chemin in dossier.iterdir():
        try:
            if chemin.is_file() and chemin.stat().st_mtime < limite:
                chemin.unlink()
        except OSError:
            pass


def _chemin(en_attente: dict) -> Path | None:
    jeton, extension = en_attente.get("jeton", ""), en_attente.get("extension", "")
    if not RE_JETON.match(jeton) or extension not in ("csv", "xlsx", "xls", "ods"):
        return None
    return _dossier() / f"{jeton}.{extension}"


def _oublier(request) -> None:
    en_attente = request.session.pop(CLE_SESSION, None)
    if en_attente:
        chemin = _chemin(en_attente)
        if chemin is not None:
            chemin.unlink(missing_ok=True)


def _conserver(request, contenu: bytes, extension: str, nom: str, annee: int) -> str:
    dossier = _dossier()
    _nettoyer(dossier)
    jeton = secrets.token_hex(16)
    chemin = dossier / f"{jeton}.{extension}"
    chemin.touch(mode=0o600)
    chemin.write_bytes(contenu)
    request.session[CLE_SESSION] = {
        "jeton": jeton,
        "extension": extension,
        "nom": nom,
        "annee": annee,
        "empreinte": hashlib.sha256(contenu).hexdigest(),
        "utilisateur": request.user.pk,
    }
    return jeton


def _nom_affiche(nom: str) -> str:
    nom = nom.replace("\\", "/").rsplit("/", 1)[-1]
    nom = "".join(c for c in nom if unicodedata.category(c)[0] != "C")
    return nom[:120] or "fichier"


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
@lecture_seule
def reponses(request):
    """Premier temps : dépôt du fichier et simulation (rien n'est écrit)."""
    if request.method != "POST":
        return _page(request, ImportReponsesForm())
    form = ImportReponsesForm(request.POST, request.FILES)
    if not form.is_valid():
        return _page(request, form, status=400)
    _oublier(request)
    campagne = form.cleaned_data["campagne"]
    nom = _nom_affiche(form.cleaned_data["fichier"].name or "")
    rapport = reponses_importer(
        contenu=form.contenu,
        nom_fichier=f"reponses.{form.extension}",
        campagne=campagne,
        par=request.user,
        departements=departements_correspondant(request.perimetre),
        simulation=True,
    )
    rapport.nom_fichier = nom
    jeton = "" if rapport.a_erreurs else _conserver(request, form.contenu, form.extension, nom, campagne.annee)
    return _page(request, ImportReponsesForm(initial={"campagne": campagne}), rapport=rapport, jeton=jeton)


@acces_import
@require_POST
@lecture_seule
def confirmer(request):
    """Second temps : le fichier simulé est importé pour de bon (tout ou rien)."""
    en_attente = request.session.get(CLE_SESSION) or {}
    chemin = _chemin(en_attente)
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
        _oublier(request)
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
    _oublier(request)
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
@lecture_seule
def modele(request, annee: int):
    """Classeur vierge à remplir : les structures du périmètre et une colonne par question (aucune réponse)."""
    campagne = Campagne.objects.filter(annee=annee, phase__in=PHASES_IMPORT).first()
    if campagne is None:
        raise Http404("Aucune campagne ouverte à l'import pour cette année.")
    contenu = reponses_modele(campagne=campagne, departements=departements_correspondant(request.perimetre))
    reponse = HttpResponse(contenu, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    reponse["Content-Disposition"] = f'attachment; filename="modele-reponses-{campagne.annee}.xlsx"'
    return reponse
