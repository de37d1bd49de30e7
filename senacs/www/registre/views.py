"""Registre des structures : import d'un tableur en deux temps (simulation, puis confirmation) et export.

Réservé aux correspondants (leurs départements), au national et aux administrateurs. Le fichier déposé
est conservé côté serveur, sous un nom aléatoire, le temps de la confirmation : seul le jeton est
rangé dans la session, jamais le nom donné par l'utilisateur.
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
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from core.territoires import departements_par_code
from senacs.structures.importation import registre_exporter, registre_importer, registre_structures
from senacs.www.decorators import lecture_seule, perimetre_requis
from senacs.www.registre.forms import ImportRegistreForm

CLE_SESSION = "registre_import"
DUREE_CONSERVATION = 24 * 3600  # secondes : un dépôt non confirmé est effacé au-delà
AFFICHAGE_MAX = 500  # lignes montrées par tableau du rapport
RE_JETON = re.compile(r"^[0-9a-f]{32}$")
TYPES_EXPORT = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}

acces_registre = perimetre_requis(lambda p: p.departements_suivi or p.est_admin)


def _dossier() -> Path:
    dossier = Path(getattr(settings, "SENACS_DOSSIER_IMPORTS", settings.VAR_DIR / "imports-registre"))
    dossier.mkdir(mode=0o700, parents=True, exist_ok=True)
    return dossier


def _nettoyer(dossier: Path) -> None:
    """Efface les dépôts abandonnés (plus de 24 heures)."""
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


def _conserver(request, contenu: bytes, extension: str, nom_affiche: str) -> str:
    dossier = _dossier()
    _nettoyer(dossier)
    jeton = secrets.token_hex(16)
    chemin = dossier / f"{jeton}.{extension}"
    chemin.touch(mode=0o600)
    chemin.write_bytes(contenu)
    request.session[CLE_SESSION] = {
        "jeton": jeton,
        "extension": extension,
        "nom": nom_affiche,
        "empreinte": hashlib.sha256(contenu).hexdigest(),
        "utilisateur": request.user.pk,
    }
    return jeton


def _nom_affiche(nom: str) -> str:
    """Nom du fichier pour l'affichage seulement (jamais pour un chemin) : sans dossier ni caractère de contrôle."""
    nom = nom.replace("\\", "/").rsplit("/", 1)[-1]
    nom = "".join(c for c in nom if unicodedata.category(c)[0] != "C")
    return nom[:120] or "fichier"


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
@lecture_seule
def importer(request):
    """Premier temps : dépôt du fichier et simulation (rien n'est écrit)."""
    if request.method != "POST":
        return _page(request, ImportRegistreForm())
    form = ImportRegistreForm(request.POST, request.FILES)
    if not form.is_valid():
        return _page(request, form)
    _oublier(request)
    nom = _nom_affiche(form.cleaned_data["fichier"].name or "")
    rapport = registre_importer(
        contenu=form.contenu,
        nom_fichier=f"registre.{form.extension}",
        perimetre=request.perimetre,
        simulation=True,
    )
    rapport.nom_fichier = nom
    jeton = "" if rapport.a_erreurs else _conserver(request, form.contenu, form.extension, nom)
    return _page(request, ImportRegistreForm(), rapport=rapport, jeton=jeton)


@acces_registre
@require_POST
@lecture_seule
def confirmer(request):
    """Second temps : le fichier simulé est importé pour de bon (tout ou rien)."""
    en_attente = request.session.get(CLE_SESSION) or {}
    chemin = _chemin(en_attente)
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
        _oublier(request)
        messages.error(request, "Le fichier déposé a été altéré : déposez-le de nouveau.")
        return redirect("registre:importer")
    rapport = registre_importer(
        contenu=contenu,
        nom_fichier=f"registre.{en_attente['extension']}",
        perimetre=request.perimetre,
        simulation=False,
    )
    rapport.nom_fichier = en_attente.get("nom", "")
    _oublier(request)
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
@lecture_seule
def exporter(request, format):
    """Le registre du périmètre de l'utilisateur, au format d'import."""
    if format not in TYPES_EXPORT:
        raise Http404("Format d'export inconnu.")
    contenu = registre_exporter(structures=registre_structures(request.perimetre), format=format)
    reponse = HttpResponse(contenu, content_type=TYPES_EXPORT[format])
    nom = f"registre-senacs-{timezone.localdate():%Y-%m-%d}.{format}"
    reponse["Content-Disposition"] = f'attachment; filename="{nom}"'
    return reponse
