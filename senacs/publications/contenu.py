"""Contenu d'une plaquette construit à partir des seuls agrégats protégés (diffusions des campagnes).

- ``contenu_plaquette(campagne=…, cle="D:48", textes=…, pages=…, mention=…)`` lit les cellules
  **publiques** de la diffusion en vigueur de la campagne (``cellules_publiques`` : aucune valeur pour
  une cellule secrète), celles des diffusions des campagnes précédentes (évolutions) et les cellules de
  la région et de la France (comparaison), puis confie la mise en forme à ``core.plaquette.construction``.
- Les cellules d'une diffusion sont lues **une fois** (cache par fichier et empreinte) : générer les
  plaquettes de tous les territoires ne relit pas le fichier à chaque territoire.
- ``territoires_plaquettes(campagne)`` : la France, puis chaque région et chaque département qui a au
  moins une structure attendue dans la diffusion.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterable, Mapping

import polars as pl
from django.utils import timezone

from core.formats import formater_date
from core.plaquette.construction import QUESTIONS, Cellules, Entrees, Lieu, construire
from core.plaquette.modele import ContenuPlaquette
from core.plaquette.rendu import VERSION_GABARIT
from core.territoires import departements_par_code, regions
from senacs.campagnes.models import Campagne
from senacs.statistiques.models import Diffusion
from senacs.statistiques.services import cellules_publiques, diffusion_courante, sha256_fichier

NB_CAMPAGNES_TENDANCE = 5
_CACHE_TAILLE = 8
_cache: OrderedDict[tuple, Cellules] = OrderedDict()
_verrou = threading.Lock()


class ErreurContenu(ValueError):
    """Contenu impossible à construire (campagne sans diffusion, territoire inconnu…), message en français."""


# --------------------------------------------------------------------------- lecture des cellules


def cellules_diffusion(diffusion: Diffusion) -> Cellules:
    """Index des cellules publiques d'une diffusion, lu une fois (l'empreinte du fichier est vérifiée à la
    première lecture : un fichier modifié n'est jamais lu)."""
    cle = (str(diffusion.chemin), diffusion.empreinte)
    with _verrou:
        if cle in _cache:
            _cache.move_to_end(cle)
            return _cache[cle]
    if not diffusion.chemin.exists():
        raise ErreurContenu(f"Le fichier de la diffusion n° {diffusion.numero} est introuvable.")
    if sha256_fichier(diffusion.chemin) != diffusion.empreinte:
        raise ErreurContenu(f"Le fichier de la diffusion n° {diffusion.numero} a été modifié (empreinte) : refusé.")
    table = cellules_publiques(diffusion).select(
        "niveau", "territoire", "public", "question", "statistique", "modalite", "valeur", "statut"
    )
    table = table.filter((pl.col("niveau") != "zone") & pl.col("question").is_in(sorted(QUESTIONS)))
    cellules = Cellules(table.iter_rows())
    with _verrou:
        _cache[cle] = cellules
        while len(_cache) > _CACHE_TAILLE:
            _cache.popitem(last=False)
    return cellules


def vider_cache() -> None:
    with _verrou:
        _cache.clear()


def _diffusion(campagne: Campagne) -> Diffusion:
    diffusion = diffusion_courante(campagne)
    if diffusion is None:
        raise ErreurContenu(
            f"La campagne {campagne.annee} n'a pas encore de diffusion des agrégats protégés : "
            "aucune plaquette ne peut être produite."
        )
    return diffusion


# --------------------------------------------------------------------------- territoires


def _lieu(cle: str) -> Lieu:
    cle = (cle or "").strip()
    if cle.upper() == "FR":
        return Lieu("nation", "FR", "France")
    if cle[:2].upper() == "R:":
        code = cle[2:]
        nom = next((r.nom for r in regions() if r.code == code), None)
        if nom is None:
            raise ErreurContenu(f"Territoire inconnu : « {cle} ».")
        return Lieu("region", code, nom)
    if cle[:2].upper() == "D:":
        code = cle[2:].upper()
        dep = departements_par_code().get(code)
        if dep is None:
            raise ErreurContenu(f"Territoire inconnu : « {cle} ».")
        return Lieu("departement", code, dep.nom)
    raise ErreurContenu(f"Territoire inconnu : « {cle} » (attendu : FR, R:84 ou D:69).")


def _region_de(lieu: Lieu) -> Lieu:
    code = departements_par_code()[lieu.code].code_region
    return Lieu("region", code, next(r.nom for r in regions() if r.code == code))


def territoires_plaquettes(campagne: Campagne) -> list[str]:
    """Clés des territoires qui ont une plaquette : ``FR``, les régions puis les départements (ordre INSEE)
    qui ont au moins une structure attendue dans la diffusion en vigueur."""
    cellules = cellules_diffusion(_diffusion(campagne))
    presents = cellules.territoires()
    cles = ["FR"] if ("nation", "FR") in presents else []
    cles += [f"R:{r.code}" for r in regions() if ("region", r.code) in presents]
    cles += [f"D:{code}" for code in departements_par_code() if ("departement", code) in presents]
    return cles


# --------------------------------------------------------------------------- contenu


def _libelles(campagne: Campagne) -> dict[str, dict[str, str]]:
    questionnaire = campagne.questionnaire
    if questionnaire is None:
        return {}
    modele = questionnaire.modele
    codes = ("A15", "A16", "A17", "A18", "B03", "C09", "D09", "G03", "G05")
    return {code: modele.libelles_choix(code) for code in codes if code in modele}


def _historique(campagne: Campagne) -> list[tuple[int, Cellules]]:
    precedentes = Campagne.objects.filter(annee__lt=campagne.annee).order_by("-annee")[: NB_CAMPAGNES_TENDANCE - 1]
    historique = []
    for c in precedentes:
        d = diffusion_courante(c)
        if d is None:
            continue
        try:
            historique.append((c.annee, cellules_diffusion(d)))
        except ErreurContenu:
            continue  # une diffusion ancienne illisible n'empêche pas la plaquette : l'année est omise
    return sorted(historique, key=lambda x: x[0])


def contenu_plaquette(
    *,
    campagne: Campagne,
    cle: str,
    textes: Mapping[str, str] | None = None,
    pages: Iterable[str] | None = None,
    mention: str = "Projet",
) -> ContenuPlaquette:
    """Contenu de la plaquette du territoire ``cle`` (``FR``, ``R:84``, ``D:48``) pour la campagne.

    Lève :class:`ErreurContenu` (message en français) si la campagne n'a pas de diffusion, si le territoire
    est inconnu ou absent de la diffusion, ou si une page demandée n'existe pas dans le gabarit."""
    lieu = _lieu(cle)
    cellules = cellules_diffusion(_diffusion(campagne))
    if not cellules.existe(lieu):
        raise ErreurContenu(f"{lieu.nom} n'a aucune structure attendue à la campagne {campagne.annee}.")
    nation = Lieu("nation", "FR", "France")
    if lieu.niveau == "nation":
        comparaison = [
            Lieu("region", r.code, r.nom) for r in regions() if cellules.existe(Lieu("region", r.code, r.nom))
        ]
    elif lieu.niveau == "region":
        comparaison = [nation]
    else:
        comparaison = [_region_de(lieu), nation]
    entrees = Entrees(
        cellules=cellules,
        lieu=lieu,
        nation=nation,
        campagne=campagne.annee,
        annee_donnees=campagne.annee_donnees,
        libelles=_libelles(campagne),
        historique=_historique(campagne),
        comparaison=comparaison,
        textes=textes,
        pages=pages,
        mention=mention,
        version_gabarit=VERSION_GABARIT,
        edite_le=formater_date(timezone.localdate()),
    )
    try:
        return construire(entrees)
    except ValueError as exc:  # page inconnue
        raise ErreurContenu(str(exc)) from exc
