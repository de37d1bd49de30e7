"""Moteur des analyses thématiques (Python pur) : cellules, protection, mise en forme.

Entrée : ``microdonnees`` (``polars.DataFrame``), une ligne par structure répondante et par campagne :

============  ========  ===============================================================
colonne       type      sens
============  ========  ===============================================================
structure     Int64     identifiant stable de la structure
gestionnaire  Utf8      organisme gestionnaire (ses structures = un seul contributeur)
campagne      Int64     année de la campagne
<dimension>   Utf8      une colonne par code de ``DIMENSIONS`` (modalité, jamais nulle)
valeur        Float64   variable de l'indicateur : montant, ou 1/0 (comptage) ; null = pas de réponse
============  ========  ===============================================================

Chaque cellule est l'ensemble des répondants (``valeur`` non nulle) de la campagne qui passent les
filtres et ont la modalité de la cellule sur chaque dimension (``*`` : marge, toutes modalités).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from itertools import product

import polars as pl

from core.analyses.modele import (
    MARGE,
    CelluleAnalyse,
    DefinitionAnalyse,
    Dimension,
    Indicateur,
    ResultatAnalyse,
)
from core.analyses.protection import COMPTAGE, GRANDEUR, Contribution, Ensemble, Regles, proteger
from core.formats import formater_euros, formater_nombre, formater_pourcentage

SECRET = "s"


def nature_de(indicateur: Indicateur) -> str:
    return COMPTAGE if indicateur.statistique in ("part", "effectif") else GRANDEUR


@dataclass
class Liberation:
    """Une cellule effectivement montrée : ce que le registre doit retenir."""

    campagne: int
    ensemble: str  # description canonique (territoire, conditions)
    structures: frozenset[int]
    valeur: float  # valeur affichée (somme, moyenne, part ou effectif)
    repondants: int


@dataclass
class Calcul:
    resultat: ResultatAnalyse
    liberations: list[Liberation] = field(default_factory=list)


def description(territoire: str, conditions: Mapping[str, frozenset[str]], dimensions: Mapping[str, Dimension]) -> str:
    """Description canonique d'un ensemble : ``D:69|gestion=caf,municipale|type=CS`` (une condition qui
    garde toutes les modalités d'une dimension disparaît)."""
    morceaux = [territoire]
    for code in sorted(conditions):
        gardees = conditions[code]
        toutes = {m for m, _ in dimensions[code].modalites}
        if toutes and toutes <= gardees:
            continue
        morceaux.append(f"{code}={','.join(sorted(gardees))}")
    return "|".join(morceaux)


def valeur_affichee(indicateur: Indicateur, total: float, n: int) -> float | None:
    if indicateur.statistique in ("somme", "effectif"):
        return total
    if n == 0:
        return None
    if indicateur.statistique == "moyenne":
        return total / n
    return 100.0 * total / n  # part


def texte_valeur(indicateur: Indicateur, valeur: float | None) -> str:
    if valeur is None:
        return ""
    if indicateur.statistique == "part" or indicateur.unite == "pourcentage":
        return formater_pourcentage(valeur)
    if indicateur.unite == "euros":
        return formater_euros(valeur)
    if indicateur.statistique == "moyenne":
        return formater_nombre(valeur, 1)
    return formater_nombre(valeur)


def _conditions(definition: DefinitionAnalyse, modalites: tuple[str, ...]) -> dict[str, frozenset[str]]:
    conditions: dict[str, frozenset[str]] = {code: frozenset(m) for code, m in definition.filtres}
    for code, m in zip(definition.dimensions, modalites, strict=True):
        if m == MARGE:
            continue
        conditions[code] = conditions.get(code, frozenset({m})) & frozenset({m})
    return conditions


def _ensemble(micro: pl.DataFrame, conditions: Mapping[str, frozenset[str]]) -> frozenset[int]:
    masque = pl.lit(True)
    for code, gardees in conditions.items():
        masque = masque & pl.col(code).is_in(sorted(gardees))
    return frozenset(micro.filter(masque)["structure"].to_list())


def calculer(
    microdonnees: pl.DataFrame,
    definition: DefinitionAnalyse,
    indicateur: Indicateur,
    dimensions: Mapping[str, Dimension],
    regles: Regles,
    *,
    fond: Mapping[int, list[frozenset[int]]] | None = None,
    registre: Mapping[int, list[frozenset[int]]] | None = None,
    secrets: Mapping[int, list[frozenset[int]]] | None = None,
    question_sensible: bool = False,
    libelle_territoire: str = "",
    departements: Iterable[str] | None = None,
) -> Calcul:
    """Calcule et protège l'analyse.

    ``fond`` : par campagne, les ensembles publiés par la diffusion ; ``registre`` : ceux déjà libérés
    au public du lecteur ; ``secrets`` : ceux que la diffusion masque. Les figures non filtrées qui
    correspondent aux cellules d'une analyse filtrée sont protégées avec elle (compléments), sans être
    affichées. ``departements`` : les cellules ne portent que sur ces départements (les autres lignes
    servent aux ensembles du registre qui débordent du territoire)."""
    definition = definition.normalisee()
    fond, registre, secrets = fond or {}, registre or {}, secrets or {}
    dims = [dimensions[c] for c in definition.dimensions]
    axes = [[m for m, _ in d.modalites] + [MARGE] for d in dims]
    combinaisons = list(product(*axes)) if axes else [()]
    nature = nature_de(indicateur)
    cellules: list[CelluleAnalyse] = []
    liberations: list[Liberation] = []
    campagnes = definition.campagnes or tuple(sorted(set(microdonnees["campagne"].to_list())))
    for campagne in campagnes:
        tout = microdonnees.filter((pl.col("campagne") == campagne) & pl.col("valeur").is_not_null())
        contributions = {
            s: Contribution(g or f"S{s}", float(v))
            for s, g, v in tout.select("structure", "gestionnaire", "valeur").iter_rows()
        }
        micro = tout if departements is None else tout.filter(pl.col("departement").is_in(sorted(departements)))
        ensembles: list[Ensemble] = []
        par_cle: dict[tuple[str, ...], Ensemble] = {}
        for combinaison in combinaisons:
            conditions = _conditions(definition, combinaison)
            structures = _ensemble(micro, conditions)
            marges = sum(1 for m in combinaison if m == MARGE)
            cout = (1.0 + len(structures)) * (10.0**marges)
            e = Ensemble(
                description(definition.territoire, conditions, dimensions), structures, liberable=True, cout=cout
            )
            ensembles.append(e)
            par_cle[combinaison] = e
        if definition.filtres:
            cles = {e.cle for e in ensembles}
            for combinaison in combinaisons:
                conditions = {
                    c: frozenset({m}) for c, m in zip(definition.dimensions, combinaison, strict=True) if m != MARGE
                }
                cle = description(definition.territoire, conditions, dimensions)
                if cle in cles:
                    continue
                cles.add(cle)
                structures = _ensemble(micro, conditions)
                ensembles.append(
                    Ensemble(cle, structures, liberable=True, cout=1e6 * (1 + len(structures)), ombre=True)
                )
        connus = _connus(fond, registre, campagne)
        proteger(
            ensembles + connus,
            contributions,
            nature,
            regles,
            question_sensible=question_sensible,
            secrets=secrets.get(campagne, ()),
        )
        for combinaison in combinaisons:
            e = par_cle[combinaison]
            n = len(e.structures)
            total = sum(contributions[s].valeur for s in e.structures)
            valeur = valeur_affichee(indicateur, total, n)
            if e.masque:
                cellules.append(CelluleAnalyse(campagne, combinaison, None, SECRET, None, True, e.motif))
                continue
            cellules.append(CelluleAnalyse(campagne, combinaison, valeur, texte_valeur(indicateur, valeur), n, False))
            if n:
                liberations.append(Liberation(campagne, e.cle, e.structures, valeur, n))
    resultat = mettre_en_forme(definition, indicateur, dims, cellules, campagnes, libelle_territoire)
    return Calcul(resultat, liberations)


def _connus(fond, registre, campagne: int) -> list[Ensemble]:
    return [Ensemble(f"diffusion:{i}", e) for i, e in enumerate(fond.get(campagne, ()))] + [
        Ensemble(f"registre:{i}", e) for i, e in enumerate(registre.get(campagne, ()))
    ]


# --------------------------------------------------------------------------- mise en forme


def mettre_en_forme(
    definition: DefinitionAnalyse,
    indicateur: Indicateur,
    dims: list[Dimension],
    cellules: list[CelluleAnalyse],
    campagnes: tuple[int, ...],
    libelle_territoire: str,
) -> ResultatAnalyse:
    plusieurs = len(campagnes) > 1
    if dims:
        lignes = [(m, lib) for m, lib in dims[0].modalites] + [(MARGE, "Ensemble")]
    else:
        lignes = [(MARGE, "Ensemble")]
    if len(dims) > 1:
        colonnes = [(m, lib) for m, lib in dims[1].modalites] + [(MARGE, "Ensemble")]
    elif plusieurs:
        colonnes = [(str(c), f"Campagne {c}") for c in campagnes]
    else:
        colonnes = [(MARGE, indicateur.libelle)]
    spec = spec_vega(indicateur, dims, cellules, plusieurs)
    masquees = sum(1 for c in cellules if c.masquee)
    visibles = [c for c in cellules if not c.masquee and c.valeur is not None]
    alt = (
        f"{indicateur.libelle}, {libelle_territoire or definition.territoire}"
        + (f", par {' et par '.join(d.libelle.lower() for d in dims)}" if dims else "")
        + f", campagne{'s' if plusieurs else ''} {', '.join(str(c) for c in campagnes)} : "
        + f"{len(visibles)} valeur{'s' if len(visibles) > 1 else ''} représentée{'s' if len(visibles) > 1 else ''}"
        + (f", {masquees} masquée(s) (secret statistique, non tracées)" if masquees else "")
        + ". Le tableau qui suit donne toutes les valeurs."
    )
    return ResultatAnalyse(
        definition=definition,
        indicateur=indicateur,
        cellules=cellules,
        lignes=lignes,
        colonnes=colonnes,
        note_methodologique=note_methodologique(definition, indicateur, dims, campagnes),
        spec=spec,
        texte_alternatif=alt,
        libelle_territoire=libelle_territoire,
    )


def note_methodologique(
    definition: DefinitionAnalyse, indicateur: Indicateur, dims: list[Dimension], campagnes: tuple[int, ...]
) -> str:
    stat = {
        "somme": "somme des réponses des structures",
        "moyenne": "moyenne des réponses des structures qui ont répondu à la question",
        "part": "part des structures ayant répondu « oui » (ou la modalité indiquée) parmi celles qui ont répondu",
        "effectif": "nombre de structures ayant répondu « oui » (ou la modalité indiquée)",
    }[indicateur.statistique]
    morceaux = [
        f"Indicateur : {indicateur.libelle} — {stat} (question {indicateur.question}).",
        "Champ : structures dont la réponse a été déposée (soumise ou validée), classées selon leur situation au "
        "moment du dépôt ; une absence de réponse n'est jamais comptée comme zéro. « Répondants » : nombre de "
        "structures prises en compte dans chaque cellule.",
    ]
    if definition.filtres:
        morceaux.append(
            "Filtres appliqués : "
            + " ; ".join(
                f"{code} ∈ {{{', '.join(m)}}}" if code not in _LIB else f"{_LIB[code]} : {', '.join(m)}"
                for code, m in definition.filtres
            )
            + "."
        )
    morceaux.append(
        "Secret statistique : les règles des tableaux agrégés s'appliquent à chaque cellule (au moins 3 "
        "gestionnaires, pas de contributeur dominant, pas de répartition sur moins de 5 répondants). Des cellules "
        "sont masquées en plus pour qu'aucune ne puisse être retrouvée par différence, ni avec les marges, ni avec "
        "la même figure sans filtre (complément), ni avec les chiffres déjà publiés ou communiqués à votre "
        "comité. Toute cellule masquée porte le symbole « s »."
    )
    if len(campagnes) > 1:
        morceaux.append(
            "Plusieurs campagnes : chaque année porte sur les répondants de l'année ; les évolutions mêlent "
            "changement des valeurs et changement des répondants (voir les tendances à panel constant)."
        )
    return "\n".join(morceaux)


_LIB = {
    "type": "Type de structure",
    "gestion": "Mode de gestion",
    "qpv": "QPV",
    "urbain_rural": "Urbain ou rural",
    "taille": "Taille",
    "federation": "Fédération",
    "territoire": "Département",
}


def spec_vega(indicateur: Indicateur, dims: list[Dimension], cellules: list[CelluleAnalyse], plusieurs: bool) -> dict:
    """Diagramme en barres (Vega-Lite) des cellules publiées hors marges ; les masquées ne sont pas tracées."""
    valeurs = []
    for c in cellules:
        if c.masquee or c.valeur is None:
            continue
        if dims and any(m == MARGE for m in c.modalites):
            continue
        ligne = {"valeur": c.valeur, "texte": c.texte, "campagne": str(c.campagne)}
        for i, d in enumerate(dims):
            ligne[f"d{i}"] = d.libelle_modalite(c.modalites[i])
        valeurs.append(ligne)
    titre_axe = indicateur.libelle + (" (%)" if indicateur.statistique == "part" else "")
    # Plusieurs campagnes dans les données : côte à côte avec une légende, jamais empilées (additionnées).
    plusieurs = plusieurs or len({v["campagne"] for v in valeurs}) > 1
    if not dims:
        x = {"field": "campagne", "type": "ordinal", "title": "Campagne"}
    else:
        ordre = [lib for _, lib in dims[0].modalites]
        x = {"field": "d0", "type": "nominal", "title": dims[0].libelle, "sort": ordre}
    spec: dict = {
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
        "data": {"values": valeurs},
        "mark": {"type": "bar"},
        "encoding": {
            "x": x,
            "y": {
                "field": "valeur",
                "type": "quantitative",
                "title": titre_axe,
                "axis": {"format": ",.0f"},
                "stack": None,
            },
            "tooltip": [{"field": "campagne", "title": "Campagne"}, {"field": "texte", "title": indicateur.libelle}],
        },
        "width": 480,
        "height": 260,
    }
    if len(dims) > 1:
        spec["encoding"]["xOffset"] = {"field": "d1", "sort": [lib for _, lib in dims[1].modalites]}
        spec["encoding"]["color"] = {"field": "d1", "type": "nominal", "title": dims[1].libelle}
        if plusieurs:  # un petit diagramme par campagne, côte à côte
            spec["encoding"]["column"] = {"field": "campagne", "type": "ordinal", "title": "Campagne"}
            spec["width"] = 300
    elif dims and plusieurs:
        spec["encoding"]["xOffset"] = {"field": "campagne"}
        spec["encoding"]["color"] = {"field": "campagne", "type": "nominal", "title": "Campagne"}
    return spec


# --------------------------------------------------------------------------- tendances


@dataclass
class CalculTendance:
    tous: list[CelluleAnalyse]
    panel: list[CelluleAnalyse]
    panel_effectif: int
    liberations: list[Liberation]
    spec: dict
    texte_alternatif: str


def calculer_tendance(
    microdonnees: pl.DataFrame,
    indicateur: Indicateur,
    territoire: str,
    campagnes: tuple[int, ...],
    regles: Regles,
    *,
    fond: Mapping[int, list[frozenset[int]]] | None = None,
    registre: Mapping[int, list[frozenset[int]]] | None = None,
    secrets: Mapping[int, list[frozenset[int]]] | None = None,
    question_sensible: bool = False,
    libelle_territoire: str = "",
    departements: Iterable[str] | None = None,
) -> CalculTendance:
    """L'indicateur sur chaque campagne, pour tous les répondants et pour le **panel constant** (les
    structures qui ont répondu à toutes les campagnes affichées). Les deux cellules d'une campagne sont
    protégées ensemble (leur différence est le groupe des structures hors panel) et avec ``fond``."""
    fond, registre, secrets = fond or {}, registre or {}, secrets or {}
    nature = nature_de(indicateur)
    repondu = microdonnees.filter(pl.col("valeur").is_not_null() & pl.col("campagne").is_in(list(campagnes)))
    dedans = repondu if departements is None else repondu.filter(pl.col("departement").is_in(sorted(departements)))
    par_structure = dedans.group_by("structure").agg(pl.col("campagne").n_unique().alias("k"))
    panel = frozenset(par_structure.filter(pl.col("k") == len(campagnes))["structure"].to_list())
    cle_panel = f"{territoire}|panel={','.join(str(c) for c in campagnes)}"
    tous_c: list[CelluleAnalyse] = []
    panel_c: list[CelluleAnalyse] = []
    liberations: list[Liberation] = []
    for campagne in campagnes:
        micro = repondu.filter(pl.col("campagne") == campagne)
        contributions = {
            s: Contribution(g or f"S{s}", float(v))
            for s, g, v in micro.select("structure", "gestionnaire", "valeur").iter_rows()
        }
        ensemble_tous = frozenset(dedans.filter(pl.col("campagne") == campagne)["structure"].to_list())
        ensemble_panel = ensemble_tous & panel
        e_tous = Ensemble(territoire, ensemble_tous, liberable=True, cout=10.0 * (1 + len(ensemble_tous)))
        e_panel = Ensemble(cle_panel, ensemble_panel, liberable=True, cout=1.0 + len(ensemble_panel))
        proteger(
            [e_tous, e_panel, *_connus(fond, registre, campagne)],
            contributions,
            nature,
            regles,
            question_sensible=question_sensible,
            secrets=secrets.get(campagne, ()),
        )
        for e, liste in ((e_tous, tous_c), (e_panel, panel_c)):
            n = len(e.structures)
            total = sum(contributions[s].valeur for s in e.structures)
            valeur = valeur_affichee(indicateur, total, n)
            if e.masque:
                liste.append(CelluleAnalyse(campagne, (), None, SECRET, None, True, e.motif))
            else:
                liste.append(CelluleAnalyse(campagne, (), valeur, texte_valeur(indicateur, valeur), n, False))
                if n:
                    liberations.append(Liberation(campagne, e.cle, e.structures, valeur, n))
    valeurs = [
        {"campagne": str(c.campagne), "valeur": c.valeur, "texte": c.texte, "serie": serie}
        for serie, liste in (("Tous les répondants", tous_c), ("Panel constant", panel_c))
        for c in liste
        if not c.masquee and c.valeur is not None
    ]
    spec = {
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
        "data": {"values": valeurs},
        "mark": {"type": "line", "point": True},
        "encoding": {
            "x": {"field": "campagne", "type": "ordinal", "title": "Campagne"},
            "y": {"field": "valeur", "type": "quantitative", "title": indicateur.libelle, "axis": {"format": ",.0f"}},
            "color": {"field": "serie", "type": "nominal", "title": "Série"},
            "tooltip": [{"field": "texte", "title": indicateur.libelle}],
        },
        "width": 480,
        "height": 260,
    }
    masquees = sum(1 for c in tous_c + panel_c if c.masquee)
    alt = (
        f"Évolution de « {indicateur.libelle} », {libelle_territoire or territoire}, campagnes "
        f"{campagnes[0]} à {campagnes[-1]} : deux courbes, tous les répondants et panel constant de "
        f"{len(panel)} structure{'s' if len(panel) > 1 else ''}"
        + (f" ; {masquees} valeur(s) masquée(s) (secret statistique)" if masquees else "")
        + ". Le tableau qui suit donne toutes les valeurs."
    )
    return CalculTendance(tous_c, panel_c, len(panel), liberations, spec, alt)
