"""Calcul vectorisé des statistiques de campagne (polars, aucune boucle par structure).

Chaque structure est « empilée » dans ses territoires (nation, région, département, zone) et ses
publics (son type et « ensemble ») ; une seule série de ``group_by`` calcule alors toutes les
cellules de tous les territoires. Les clés de regroupement sont des entiers (groupe territoire ×
public, question, modalité, gestionnaire) : c'est ce qui rend le calcul rapide. Les réponses
manquantes (null) ne sont jamais des zéros : elles sont hors du dénominateur, qui est publié avec
chaque statistique (``repondants`` de la question).

Quantiles : interpolation linéaire entre les rangs (type 7 de Hyndman et Fan, celui de R, de numpy
et des tableurs), calculés d'un seul tri de toutes les valeurs.
"""

from collections.abc import Iterable, Mapping, Sequence

import numpy as np
import polars as pl

from core.stats.modele import (
    PUBLIC_ENSEMBLE,
    PUBLICS,
    QUANTILES,
    QUESTION_CAMPAGNE,
    SCHEMA_CELLULES,
    STATUT_A_DECIDER,
    ErreurDonnees,
    QuestionStat,
    Territoires,
    valider_entrees,
)

CLE_GROUPE = ("niveau", "territoire", "public")


def groupes_de(cadre: pl.DataFrame, publics: Sequence[str] = PUBLICS) -> pl.DataFrame:
    """Appartenances d'une structure : une ligne par (structure, niveau, territoire, public)."""
    base = cadre.select("structure", "type", "region", "departement", pl.col("zone").cast(pl.Utf8))
    niveaux = [
        base.select("structure", "type", niveau=pl.lit("nation"), territoire=pl.lit("FR")),
        base.select("structure", "type", niveau=pl.lit("region"), territoire=pl.col("region")),
        base.select("structure", "type", niveau=pl.lit("departement"), territoire=pl.col("departement")),
        base.filter(pl.col("zone").is_not_null()).select(
            "structure", "type", niveau=pl.lit("zone"), territoire=pl.col("zone")
        ),
    ]
    empile = pl.concat(niveaux, how="vertical")
    return (
        empile.with_columns(public=pl.concat_list(pl.col("type"), pl.lit(PUBLIC_ENSEMBLE)))
        .explode("public")
        .filter(pl.col("public").is_in(list(publics)))
        .select("structure", *CLE_GROUPE)
    )


def catalogue_cellules(questions: Iterable[QuestionStat]) -> pl.DataFrame:
    """Les cellules d'un territoire et d'un public : (question, statistique, modalite), dans l'ordre.

    ``qid`` : rang de la question (0 pour les comptes de campagne), ``mid`` : rang de la modalité.
    """
    lignes: list[tuple[int, str, str, int, str]] = [
        (0, QUESTION_CAMPAGNE, "attendus", 0, ""),
        (0, QUESTION_CAMPAGNE, "repondants", 0, ""),
    ]
    for qid, q in enumerate(questions, start=1):
        lignes.append((qid, q.code, "repondants", 0, ""))
        if q.est_nombre:
            lignes += [(qid, q.code, s, 0, "") for s in ("somme", "moyenne", "mediane", "q1", "q3")]
        else:
            for mid, m in enumerate(q.modalites, start=1):
                lignes += [(qid, q.code, "effectif", mid, m), (qid, q.code, "part", mid, m)]
    cat = pl.DataFrame(
        lignes,
        schema={"qid": pl.Int64, "question": pl.Utf8, "statistique": pl.Utf8, "mid": pl.Int64, "modalite": pl.Utf8},
        orient="row",
    )
    return cat.with_row_index("ordre_cellule")


def _avec_gestionnaire(micro: pl.DataFrame) -> pl.DataFrame:
    """Gestionnaire manquant : la structure est son propre gestionnaire ; identifiant entier ``gid``."""
    return micro.with_columns(
        gestionnaire=pl.coalesce(pl.col("gestionnaire"), pl.lit("structure:") + pl.col("structure").cast(pl.Utf8))
    ).with_columns(ges=pl.col("gestionnaire").rank("dense").cast(pl.Int64))


def _reponses_longues(micro: pl.DataFrame, questions: Sequence[QuestionStat]) -> dict[str, pl.DataFrame]:
    """Réponses en format long, clés entières : (structure, ges, qid[, v | mid])."""
    index = ["structure", "ges"]
    qid = {q.code: i for i, q in enumerate(questions, start=1)}
    vers_qid = pl.col("question").replace_strict(qid, return_dtype=pl.Int64)
    nombres = [q.code for q in questions if q.est_nombre]
    vide = {"structure": pl.Int64, "ges": pl.Int64, "qid": pl.Int64}
    if nombres:
        num = (
            micro.select(*index, *[pl.col(c).cast(pl.Float64) for c in nombres])
            .unpivot(index=index, on=nombres, variable_name="question", value_name="v")
            .drop_nulls("v")
            .select(*index, qid=vers_qid, v="v")
        )
    else:
        num = pl.DataFrame(schema=vide | {"v": pl.Float64})
    morceaux = [pl.DataFrame(schema=vide | {"mid": pl.Int64})]
    for q in questions:
        if q.est_nombre:
            continue
        mids = {m: i for i, m in enumerate(q.modalites, start=1)}
        col = pl.col(q.code)
        if q.nature == "choix_unique":
            mod = col.cast(pl.Utf8).replace_strict(mids, default=None, return_dtype=pl.Int64)
        elif q.nature == "oui_non":
            mod = pl.when(col.cast(pl.Boolean)).then(pl.lit(1)).when(~col.cast(pl.Boolean)).then(pl.lit(2))
        else:
            mod = col.cast(pl.List(pl.Utf8)).list.unique()
        cadre = micro.select(*index, qid=pl.lit(qid[q.code], dtype=pl.Int64), mid=mod)
        if q.nature == "choix_multiple":
            cadre = cadre.explode("mid").with_columns(
                mid=pl.col("mid").replace_strict(mids, default=None, return_dtype=pl.Int64)
            )
        morceaux.append(cadre.drop_nulls("mid").with_columns(pl.col("mid").cast(pl.Int64)))
    choix = pl.concat(morceaux, how="vertical")
    codes = [q.code for q in questions]
    if codes:
        repond = (
            micro.select(*index, *[pl.col(c).is_not_null().alias(c) for c in codes])
            .unpivot(index=index, on=codes, variable_name="question", value_name="ok")
            .filter(pl.col("ok"))
            .select(*index, qid=vers_qid)
        )
    else:
        repond = pl.DataFrame(schema=vide)
    return {"nombres": num, "choix": choix, "repondants": repond}


def _quantiles_tries(num: pl.DataFrame) -> pl.DataFrame:
    """Médiane et quartiles (type 7) par clé ``k``, d'un seul tri (k, v)."""
    tri = num.select("k", "v").sort("k", "v")
    k = tri["k"].to_numpy()
    v = tri["v"].to_numpy()
    if k.size == 0:
        return pl.DataFrame(schema={"k": pl.Int64, "mediane": pl.Float64, "q1": pl.Float64, "q3": pl.Float64})
    debut = np.flatnonzero(np.r_[True, k[1:] != k[:-1]])
    n = np.diff(np.r_[debut, k.size])
    sortie = {"k": k[debut]}
    for nom, p in QUANTILES.items():
        h = (n - 1) * p
        bas = np.floor(h).astype(np.int64)
        haut = np.minimum(bas + 1, n - 1)
        x_bas = v[debut + bas]
        sortie[nom] = x_bas + (h - bas) * (v[debut + haut] - x_bas)
    return pl.DataFrame(sortie)


def calculer_statistiques(
    microdonnees: pl.DataFrame,
    attendus: pl.DataFrame,
    questions: Sequence[QuestionStat],
    *,
    campagne: str,
    territoires: Territoires | None = None,
    zones: Mapping[str, Iterable[str]] | None = None,
    publics: Sequence[str] = PUBLICS,
    valider: bool = True,
) -> pl.DataFrame:
    """Toutes les cellules d'une campagne : territoires × publics × questions × statistiques.

    Renvoie une table aux colonnes ``SCHEMA_CELLULES`` (colonnes ouvertes + colonnes internes), une
    ligne par cellule, y compris pour les territoires sans répondant. ``statut`` vaut
    ``"a_decider"`` : c'est le module ``core.secret`` qui le fixe.
    """
    questions = list(questions)
    if territoires is None:
        territoires = Territoires.depuis_donnees(attendus, microdonnees, zones)
    if set(publics) - set(PUBLICS) or not publics:
        raise ErreurDonnees(f"Publics inconnus : {sorted(set(publics) - set(PUBLICS))}.")
    if valider:
        valider_entrees(microdonnees, attendus, questions, territoires)
    micro = _avec_gestionnaire(microdonnees)
    nq = len(questions) + 1
    nm = max([len(q.modalites) for q in questions] + [0]) + 1

    # Groupes territoire × public, numérotés ; appartenances (structure, gid).
    territoires_publics = (
        territoires.table()
        .join(pl.DataFrame({"public": list(publics)}).with_row_index("ordre_public"), how="cross")
        .with_row_index("gid")
        .with_columns(pl.col("gid").cast(pl.Int64))
    )

    def appartenances(cadre: pl.DataFrame) -> pl.DataFrame:
        return (
            groupes_de(cadre, publics)
            .join(territoires_publics.select(*CLE_GROUPE, "gid"), on=list(CLE_GROUPE))
            .select("structure", "gid")
        )

    app_micro = appartenances(micro)
    app_attendus = appartenances(attendus)
    att = app_attendus.group_by("gid").agg(n_att=pl.len())
    rep = app_micro.group_by("gid").agg(n_rep=pl.len())

    longs = _reponses_longues(micro, questions)
    # Expansion aux groupes (≈ 8 par structure) en mode paresseux, clés entières sur 32 bits : le
    # moteur n'en garde que les colonnes utiles (la mémoire reste sous quelques centaines de Mo).
    app = app_micro.lazy().with_columns(pl.col("gid").cast(pl.Int32))
    cle_q = (pl.col("gid") * nq + pl.col("qid")).cast(pl.Int64)
    num = (
        longs["nombres"]
        .lazy()
        .join(app, on="structure")
        .select(k=cle_q, ges=pl.col("ges").cast(pl.Int32), v="v")
        .collect()
    )
    denominateurs = (
        longs["repondants"]
        .lazy()
        .join(app, on="structure")
        .select(k=cle_q, ges=pl.col("ges").cast(pl.Int32))
        .group_by("k")
        .agg(denominateur=pl.len(), n_contrib_question=pl.col("ges").n_unique(), ges_unique=pl.col("ges").first())
        .collect(engine="streaming")
        .with_columns(pl.col("ges_unique").cast(pl.Int64))
    )
    effectifs = (
        longs["choix"]
        .lazy()
        .join(app, on="structure")
        .select(k=cle_q * nm + pl.col("mid"), ges=pl.col("ges").cast(pl.Int32))
        .group_by("k")
        .agg(effectif=pl.len(), n_contrib_mod=pl.col("ges").n_unique())
        .collect(engine="streaming")
    )
    stats_num = num.group_by("k").agg(somme=pl.col("v").sum(), moyenne=pl.col("v").mean())
    quantiles = _quantiles_tries(num)
    par_gestionnaire = (
        num.lazy()
        .group_by("k", "ges")
        .agg(a=pl.col("v").sum().abs())
        .group_by("k")
        .agg(
            n_contrib_num=pl.len(),
            x1=pl.col("a").max(),
            x2=pl.when(pl.len() >= 2).then(pl.col("a").top_k(2).min()).otherwise(0.0),
            total_abs=pl.col("a").sum(),
        )
        .collect(engine="streaming")
    )
    del num
    noms_ges = micro.select("ges", "gestionnaire").unique("ges")
    negatifs = {q.code: bool((microdonnees[q.code].drop_nulls() < 0).any()) for q in questions if q.est_nombre}

    catalogue = catalogue_cellules(questions)
    gids = territoires_publics.select("gid")
    kq = pl.col("gid") * nq + pl.col("qid")
    stat = pl.col("statistique")

    def grille(*statistiques: str) -> pl.DataFrame:
        return gids.join(catalogue.filter(stat.is_in(statistiques)), how="cross").with_columns(kq=kq)

    # Comptes de campagne : attendus et répondants (publics, le registre l'est).
    campagne_c = (
        grille("attendus", "repondants")
        .filter(pl.col("qid") == 0)
        .join(att, on="gid", how="left")
        .join(rep, on="gid", how="left")
        .with_columns(pl.col("n_att", "n_rep").fill_null(0).cast(pl.Int64))
        .with_columns(n=pl.when(stat == "attendus").then(pl.col("n_att")).otherwise(pl.col("n_rep")))
        .with_columns(valeur=pl.col("n").cast(pl.Float64))
        .drop("n_att", "n_rep")
    )
    # Répondants de chaque question (le dénominateur, publié).
    repondants_c = (
        grille("repondants")
        .filter(pl.col("qid") > 0)
        .join(denominateurs.select("k", "denominateur", "n_contrib_question").rename({"k": "kq"}), on="kq", how="left")
        .with_columns(
            n=pl.col("denominateur").fill_null(0).cast(pl.Int64),
            n_contrib=pl.col("n_contrib_question").fill_null(0).cast(pl.Int64),
        )
        .with_columns(valeur=pl.col("n").cast(pl.Float64))
        .drop("denominateur", "n_contrib_question")
    )
    # Grandeurs : somme, moyenne, médiane, quartiles (jamais de minimum ni de maximum).
    grandeurs = ("somme", "moyenne", "mediane", "q1", "q3")
    grandeurs_c = (
        grille(*grandeurs)
        .join(stats_num.rename({"k": "kq"}), on="kq", how="left")
        .join(quantiles.rename({"k": "kq"}), on="kq", how="left")
        .join(par_gestionnaire.rename({"k": "kq"}), on="kq", how="left")
    )
    valeur = pl.lit(None, dtype=pl.Float64)
    for g in grandeurs:
        valeur = pl.when(stat == g).then(pl.col(g)).otherwise(valeur)
    est_magnitude = stat.is_in(["somme", "moyenne"])
    grandeurs_c = grandeurs_c.with_columns(
        valeur=pl.when(stat == "somme").then(pl.col("somme").fill_null(0.0)).otherwise(valeur),
        n_contrib=pl.col("n_contrib_num").fill_null(0).cast(pl.Int64),
        x1=pl.when(est_magnitude).then(pl.col("x1").fill_null(0.0)),
        x2=pl.when(est_magnitude).then(pl.col("x2").fill_null(0.0)),
        total_abs=pl.when(est_magnitude).then(pl.col("total_abs").fill_null(0.0)),
    ).drop(*grandeurs, "n_contrib_num")
    # Répartitions : effectif et part de chaque modalité.
    choix_c = (
        grille("effectif", "part")
        .with_columns(km=pl.col("kq") * nm + pl.col("mid"))
        .join(effectifs.rename({"k": "km"}), on="km", how="left")
        .with_columns(
            n=pl.col("effectif").fill_null(0).cast(pl.Int64),
            n_contrib=pl.col("n_contrib_mod").fill_null(0).cast(pl.Int64),
        )
        .with_columns(valeur=pl.col("n").cast(pl.Float64))
        .drop("km", "effectif", "n_contrib_mod")
    )
    cellules = pl.concat([campagne_c, repondants_c, grandeurs_c, choix_c], how="diagonal_relaxed")
    # Colonnes communes à toutes les cellules d'une question : le dénominateur et ses contributeurs.
    communes = denominateurs.rename({"k": "kq"}).join(
        noms_ges.rename({"ges": "ges_unique", "gestionnaire": "contributeur_unique"}), on="ges_unique", how="left"
    )
    cellules = cellules.join(communes.drop("ges_unique"), on="kq", how="left").with_columns(
        pl.col("denominateur", "n_contrib_question").fill_null(0).cast(pl.Int64)
    )
    den = pl.col("denominateur")
    campagne_q = pl.col("qid") == 0
    cellules = cellules.with_columns(
        n=pl.when(stat.is_in(["somme", "moyenne", "mediane", "q1", "q3"])).then(den).otherwise(pl.col("n")),
        valeur=pl.when(stat == "part")
        .then(pl.when(den > 0).then((pl.col("n") * 100.0 / den).round(1)))
        .when(stat.is_in(["moyenne", "mediane", "q1", "q3"]) & (den == 0))
        .then(None)
        .otherwise(pl.col("valeur")),
        denominateur=pl.when(campagne_q).then(None).otherwise(den),
        n_contrib_question=pl.when(campagne_q).then(None).otherwise(pl.col("n_contrib_question")),
        contributeur_unique=pl.when(campagne_q | (pl.col("n_contrib_question") != 1))
        .then(None)
        .otherwise(pl.col("contributeur_unique")),
    )
    cellules = (
        cellules.sort("gid", "ordre_cellule")
        .join(territoires_publics.select("gid", *CLE_GROUPE, "parent"), on="gid", how="left", maintain_order="left")
        .with_columns(
            campagne=pl.lit(str(campagne)),
            statut=pl.lit(STATUT_A_DECIDER),
            negatif=pl.col("question").replace_strict(negatifs, default=False, return_dtype=pl.Boolean),
            valeur_brute=pl.col("valeur"),
        )
    )
    return cellules.select([pl.col(c).cast(t) for c, t in SCHEMA_CELLULES.items()])
