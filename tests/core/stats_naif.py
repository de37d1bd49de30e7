"""Oracle de test : calcul de référence, groupe par groupe, en Python simple (pour vérifier le calcul
vectorisé de ``core.stats.calculer_statistiques`` ; il n'est pas livré avec le paquet).

Lent (une boucle par territoire, public et question) mais évident à relire : c'est la définition
des statistiques. ``calculer_statistiques`` doit donner exactement les mêmes cellules.
"""

import math
from collections.abc import Iterable, Mapping, Sequence

import polars as pl

from core.stats.modele import (
    PUBLIC_ENSEMBLE,
    PUBLICS,
    QUESTION_CAMPAGNE,
    QuestionStat,
    Territoires,
)


def quantile_lineaire(valeurs: Sequence[float], p: float) -> float:
    """Quantile de type 7 (interpolation linéaire entre les rangs, comme R et numpy par défaut)."""
    x = sorted(valeurs)
    h = (len(x) - 1) * p
    bas = math.floor(h)
    haut = min(bas + 1, len(x) - 1)
    return x[bas] + (h - bas) * (x[haut] - x[bas])


def _membres(lignes: list[dict], niveau: str, territoire: str, public: str) -> list[dict]:
    champ = {"nation": None, "region": "region", "departement": "departement", "zone": "zone"}[niveau]
    return [
        r
        for r in lignes
        if (champ is None or r[champ] == territoire) and (public == PUBLIC_ENSEMBLE or r["type"] == public)
    ]


def calculer_statistiques_naif(
    microdonnees: pl.DataFrame,
    attendus: pl.DataFrame,
    questions: Sequence[QuestionStat],
    *,
    campagne: str,
    territoires: Territoires | None = None,
    zones: Mapping[str, Iterable[str]] | None = None,
    publics: Sequence[str] = PUBLICS,
) -> pl.DataFrame:
    """Mêmes cellules que ``calculer_statistiques`` (colonnes ouvertes + n, n_contrib, x1, x2, denominateur)."""
    if territoires is None:
        territoires = Territoires.depuis_donnees(attendus, microdonnees, zones)
    micro = microdonnees.to_dicts()
    for r in micro:
        if r["gestionnaire"] is None:
            r["gestionnaire"] = f"structure:{r['structure']}"
    att = attendus.to_dicts()
    sortie: list[dict] = []
    for niveau, territoire, parent in territoires.table().iter_rows():
        for public in publics:
            base = {"campagne": str(campagne), "niveau": niveau, "territoire": territoire, "parent": parent}
            base["public"] = public
            rep = _membres(micro, niveau, territoire, public)
            attendues = _membres(att, niveau, territoire, public)

            def cellule(
                question: str, statistique: str, valeur: float | None, modalite: str = "", base=base, **autres
            ):
                sortie.append(
                    base
                    | {"question": question, "statistique": statistique, "modalite": modalite, "valeur": valeur}
                    | autres
                )

            cellule(QUESTION_CAMPAGNE, "attendus", float(len(attendues)), n=len(attendues))
            cellule(QUESTION_CAMPAGNE, "repondants", float(len(rep)), n=len(rep))
            for q in questions:
                repondants = [r for r in rep if r[q.code] is not None]
                d = len(repondants)
                gest = {r["gestionnaire"] for r in repondants}
                commun = {"denominateur": d}
                cellule(q.code, "repondants", float(d), n=d, n_contrib=len(gest), **commun)
                if q.est_nombre:
                    valeurs = [float(r[q.code]) for r in repondants]
                    par_g: dict[str, float] = {}
                    for r in repondants:
                        par_g[r["gestionnaire"]] = par_g.get(r["gestionnaire"], 0.0) + float(r[q.code])
                    contributions = sorted((abs(v) for v in par_g.values()), reverse=True)
                    magn = {
                        "n": d,
                        "n_contrib": len(par_g),
                        "x1": contributions[0] if contributions else 0.0,
                        "x2": contributions[1] if len(contributions) > 1 else 0.0,
                        "total_abs": sum(contributions),
                    }
                    cellule(q.code, "somme", sum(valeurs), **magn, **commun)
                    cellule(q.code, "moyenne", sum(valeurs) / d if d else None, **magn, **commun)
                    for stat, p in (("mediane", 0.5), ("q1", 0.25), ("q3", 0.75)):
                        v = quantile_lineaire(valeurs, p) if d else None
                        cellule(q.code, stat, v, n=d, n_contrib=len(par_g), **commun)
                    continue
                for m in q.modalites:
                    if q.nature == "oui_non":
                        dans = [r for r in repondants if (r[q.code] is True) == (m == "oui")]
                    elif q.nature == "choix_multiple":
                        dans = [r for r in repondants if m in r[q.code]]
                    else:
                        dans = [r for r in repondants if r[q.code] == m]
                    c = len(dans)
                    g = len({r["gestionnaire"] for r in dans})
                    cellule(q.code, "effectif", float(c), m, n=c, n_contrib=g, **commun)
                    cellule(q.code, "part", round(100.0 * c / d, 1) if d else None, m, n=c, n_contrib=g, **commun)
    schema = {
        "campagne": pl.Utf8,
        "niveau": pl.Utf8,
        "territoire": pl.Utf8,
        "parent": pl.Utf8,
        "public": pl.Utf8,
        "question": pl.Utf8,
        "statistique": pl.Utf8,
        "modalite": pl.Utf8,
        "valeur": pl.Float64,
        "n": pl.Int64,
        "n_contrib": pl.Int64,
        "x1": pl.Float64,
        "x2": pl.Float64,
        "total_abs": pl.Float64,
        "denominateur": pl.Int64,
    }
    return pl.DataFrame([{k: ligne.get(k) for k in schema} for ligne in sortie], schema=schema)
