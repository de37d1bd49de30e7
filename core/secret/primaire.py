"""Secret primaire : règles appliquées cellule par cellule (vectorisé, polars).

Grandeurs (``somme``, et ``moyenne`` qui est une somme dès que le nombre de répondants est publié),
contributions **agrégées par gestionnaire** au préalable (un organisme qui gère plusieurs structures
est UN contributeur) :

- fréquence : moins de ``frequence_min`` contributeurs (et au moins un) ;
- dominance : le premier contributeur dépasse ``dominance_k`` % du total ;
- règle p % : X − x1 − x2 < p/100 · x1 (le deuxième contributeur estimerait le premier à moins de
  p % près).

Avec des valeurs négatives, les règles portent sur les valeurs absolues des contributions.

Niveaux de protection (Manuel de contrôle de la divulgation, tableau « Upper protection levels ») :
dominance 100/k · x1 − X, p % p/100 · x1 − (X − x1 − x2), fréquence 0 ; jamais moins de
``intervalle_protection`` × |valeur| ni de ``protection_min`` ; le niveau bas est égal au niveau haut,
borné par ce que les bornes a priori permettent (≥ 0, effectif ≤ répondants publiés).

Quantiles : seulement pour ``quantiles_min`` structures ou plus, et si la somme correspondante est
publiée (décidé après le secret secondaire, voir ``finaliser_statuts``).

Répartitions (``effectif``, ``part``) : pas de répartition du tout sous ``repartition_min_repondants``
répondants à la question (toutes les cellules masquées ; les effectifs non nuls sont sensibles, sinon
on les retrouverait par différence avec le niveau supérieur) ; un effectif non nul sous
``frequence_min`` est sensible ; pour une question ``sensible``, une modalité qui réunit tous les
répondants ou tous sauf un est sensible (divulgation d'attribut de groupe ; pour un choix multiple,
aussi une modalité que personne ne coche) ; la part suit son effectif.

Les comptes de campagne (attendus, répondants) et les répondants de chaque question sont publics
(le registre est public) : toujours publiés.
"""

from collections.abc import Iterable

import polars as pl

from core.secret.politique import Politique
from core.stats.modele import (
    QUESTION_CAMPAGNE,
    STATUT_PUBLIE,
    STATUT_SANS_OBJET,
    STATUT_SECRET,
    QuestionStat,
)

MOTIFS_PRIMAIRES = ("frequence", "dominance", "p_pourcent", "repartition", "attribut_groupe", "quantiles")


def _regles_grandeurs(pol: Politique) -> tuple[pl.Expr, pl.Expr, pl.Expr]:
    X = pl.col("total_abs")
    x1 = pl.col("x1")
    x2 = pl.col("x2")
    nc = pl.col("n_contrib")
    frequence = (nc > 0) & (nc < pol.frequence_min)
    dominance = (X > 0) & (x1 > pol.dominance_k / 100.0 * X)
    p_pourcent = (X > 0) & ((X - x1 - x2) < pol.p_pourcent / 100.0 * x1)
    return frequence, dominance, p_pourcent


def _niveau_grandeur(pol: Politique) -> pl.Expr:
    X = pl.col("total_abs")
    x1 = pl.col("x1")
    x2 = pl.col("x2")
    dominance = 100.0 / pol.dominance_k * x1 - X
    p_pourcent = pol.p_pourcent / 100.0 * x1 - (X - x1 - x2)
    return pl.max_horizontal(
        dominance, p_pourcent, pol.intervalle_protection * pl.col("valeur_brute").abs(), pl.lit(pol.protection_min)
    )


def appliquer_regles_primaires(
    cellules: pl.DataFrame,
    questions: Iterable[QuestionStat],
    politique: Politique | None = None,
) -> pl.DataFrame:
    """Ajoute ``sensible``, ``motif``, ``upl``, ``lpl``, ``variable`` et un ``statut`` provisoire.

    ``statut`` vaut ``secret`` pour les cellules sensibles et les répartitions supprimées,
    ``publie`` sinon ; moyennes, parts et quantiles sont recalculés par ``finaliser_statuts``.
    """
    pol = politique or Politique()
    questions = list(questions)
    sensibles = [q.code for q in questions if q.sensible]
    multiples = [q.code for q in questions if q.nature == "choix_multiple"]

    stat = pl.col("statistique")
    v = pl.col("valeur_brute")
    c = v  # effectif
    den = pl.col("denominateur")
    freq_g, dom_g, pp_g = _regles_grandeurs(pol)
    est_somme = stat == "somme"
    est_effectif = stat == "effectif"
    petite_repartition = est_effectif & (den < pol.repartition_min_repondants)
    freq_c = est_effectif & ~petite_repartition & (c > 0) & (c < pol.frequence_min)
    attribut = (
        est_effectif
        & ~petite_repartition
        & pl.col("question").is_in(sensibles)
        & (((c >= den - 1) & (c > 0)) | (pl.col("question").is_in(multiples) & (c <= 1)))
    )
    motif = (
        pl.when(est_somme & freq_g)
        .then(pl.lit("frequence"))
        .when(est_somme & dom_g)
        .then(pl.lit("dominance"))
        .when(est_somme & pp_g)
        .then(pl.lit("p_pourcent"))
        .when(petite_repartition)
        .then(pl.lit("repartition"))
        .when(freq_c)
        .then(pl.lit("frequence"))
        .when(attribut)
        .then(pl.lit("attribut_groupe"))
    )
    sensible = motif.is_not_null() & ~(petite_repartition & (c <= 0))
    niveau_effectif = pl.max_horizontal(pol.intervalle_protection * c, pl.lit(pol.protection_min))
    upl = (
        pl.when(~pl.col("sensible"))
        .then(0.0)
        .when(est_somme)
        .then(_niveau_grandeur(pol))
        .otherwise(pl.min_horizontal(niveau_effectif, (den - c).cast(pl.Float64)))
    )
    lpl = (
        pl.when(~pl.col("sensible"))
        .then(0.0)
        .when(est_somme & pl.col("negatif"))
        .then(_niveau_grandeur(pol))
        .when(est_somme)
        .then(pl.min_horizontal(_niveau_grandeur(pol), v.abs()))
        .otherwise(pl.min_horizontal(niveau_effectif, c))
    )
    suivies = [q.code for q in questions if q.declencheur]
    repondants_suivie = (stat == "repondants") & pl.col("question").is_in(suivies)
    campagne_ou_repondants = (pl.col("question") == QUESTION_CAMPAGNE) | ((stat == "repondants") & ~repondants_suivie)
    sortie = (
        cellules.with_columns(motif=motif)
        .with_columns(sensible=sensible.fill_null(False))
        .with_columns(
            upl=upl.clip(lower_bound=0.0),
            lpl=lpl.clip(lower_bound=0.0),
            variable=(est_somme | est_effectif | repondants_suivie) & ~campagne_ou_repondants,
        )
        .with_columns(
            statut=pl.when(campagne_ou_repondants)
            .then(pl.lit(STATUT_PUBLIE))
            .when(pl.col("motif").is_not_null())
            .then(pl.lit(STATUT_SECRET))
            .otherwise(pl.lit(STATUT_PUBLIE))
        )
    )
    return finaliser_statuts(sortie, pol)


def finaliser_statuts(cellules: pl.DataFrame, politique: Politique | None = None) -> pl.DataFrame:
    """Statuts dérivés : moyenne = statut de sa somme, part = statut de son effectif, quantiles
    publiés seulement à partir de ``quantiles_min`` structures et si la somme est publiée ; ``valeur``
    vidée pour toute cellule non publiée (la vraie valeur reste dans ``valeur_brute``, interne)."""
    pol = politique or Politique()
    cle = ["niveau", "territoire", "public", "question"]
    somme = cellules.filter(pl.col("statistique") == "somme").select(*cle, statut_somme="statut")
    effectif = cellules.filter(pl.col("statistique") == "effectif").select(*cle, "modalite", statut_effectif="statut")
    # Répondants d'une question de suivi : masquables (ils valent l'effectif qui la déclenche) ; une
    # moyenne, une part ou un quantile avec ses répondants masqués les révélerait (somme ÷ moyenne).
    repondants = cellules.filter(pl.col("statistique") == "repondants").select(*cle, statut_rep="statut")
    stat = pl.col("statistique")
    den = pl.col("denominateur")
    quantile = stat.is_in(["mediane", "q1", "q3"])
    rep_secret = pl.col("statut_rep").fill_null(STATUT_PUBLIE) == STATUT_SECRET
    sortie = (
        cellules.join(somme, on=cle, how="left", maintain_order="left")
        .join(effectif, on=[*cle, "modalite"], how="left", maintain_order="left")
        .join(repondants, on=cle, how="left", maintain_order="left")
        .with_columns(
            statut=pl.when(stat.is_in(["moyenne", "mediane", "q1", "q3", "part"]) & (den == 0) & ~rep_secret)
            .then(pl.lit(STATUT_SANS_OBJET))
            .when(stat.is_in(["moyenne", "mediane", "q1", "q3", "part"]) & rep_secret)
            .then(pl.lit(STATUT_SECRET))
            .when(stat == "moyenne")
            .then(pl.col("statut_somme"))
            .when(quantile & ((pl.col("n") < pol.quantiles_min) | (pl.col("statut_somme") == STATUT_SECRET)))
            .then(pl.lit(STATUT_SECRET))
            .when(quantile)
            .then(pl.lit(STATUT_PUBLIE))
            .when(stat == "part")
            .then(pl.col("statut_effectif"))
            .otherwise(pl.col("statut")),
            motif=pl.when(quantile & (pl.col("n") < pol.quantiles_min) & (den > 0))
            .then(pl.lit("quantiles"))
            .otherwise(pl.col("motif")),
        )
        .with_columns(valeur=pl.when(pl.col("statut") == STATUT_PUBLIE).then(pl.col("valeur_brute")))
        .drop("statut_somme", "statut_effectif", "statut_rep")
    )
    return sortie


def violations_primaires(
    cellules: pl.DataFrame, questions: Iterable[QuestionStat], politique: Politique
) -> pl.DataFrame:
    """Cellules publiées qui enfreignent une règle primaire ou de cohérence des statuts.

    Recalcule les règles à partir des colonnes internes (ne fait pas confiance à ``sensible``).
    """
    questions = list(questions)
    recalcul = appliquer_regles_primaires(
        cellules.drop(
            [c for c in ("sensible", "motif", "upl", "lpl", "variable") if c in cellules.columns]
        ).with_columns(statut=pl.lit("a_decider")),
        questions,
        politique,
    ).select(pl.col("statut").alias("statut_regle"), pl.col("motif").alias("motif_regle"))
    t = pl.concat([cellules, recalcul], how="horizontal")
    cle = ["niveau", "territoire", "public", "question"]
    somme = t.filter(pl.col("statistique") == "somme").select(*cle, statut_somme="statut")
    effectif = t.filter(pl.col("statistique") == "effectif").select(*cle, "modalite", statut_effectif="statut")
    repondants = t.filter(pl.col("statistique") == "repondants").select(*cle, statut_rep="statut")
    suivies = [q.code for q in questions if q.declencheur]
    t = (
        t.join(somme, on=cle, how="left", maintain_order="left")
        .join(effectif, on=[*cle, "modalite"], how="left", maintain_order="left")
        .join(repondants, on=cle, how="left", maintain_order="left")
    )
    publie = pl.col("statut") == STATUT_PUBLIE
    stat = pl.col("statistique")
    regle = (
        pl.when(~stat.is_in(["attendus", "repondants", "somme", "moyenne", "mediane", "q1", "q3", "effectif", "part"]))
        .then(pl.lit("statistique_interdite"))
        .when(publie & pl.col("valeur").is_null())
        .then(pl.lit("valeur_manquante"))
        .when(~publie & pl.col("valeur").is_not_null())
        .then(pl.lit("valeur_secrete_renseignee"))
        .when(publie & (pl.col("statut_regle") == STATUT_SECRET))
        .then(pl.concat_str(pl.lit("regle_"), pl.col("motif_regle")))
        .when(publie & (stat == "moyenne") & (pl.col("statut_somme") != STATUT_PUBLIE))
        .then(pl.lit("moyenne_sans_somme"))
        .when(publie & stat.is_in(["mediane", "q1", "q3"]) & (pl.col("statut_somme") != STATUT_PUBLIE))
        .then(pl.lit("quantile_sans_somme"))
        .when(publie & (stat == "part") & (pl.col("statut_effectif") != STATUT_PUBLIE))
        .then(pl.lit("part_sans_effectif"))
        .when(
            publie & stat.is_in(["moyenne", "mediane", "q1", "q3", "part"]) & (pl.col("statut_rep") == STATUT_SECRET)
        )
        .then(pl.lit("statistique_sans_repondants"))
        .when(~publie & (stat == "attendus"))
        .then(pl.lit("compte_public_masque"))
        .when(~publie & (stat == "repondants") & ~pl.col("question").is_in(suivies))
        .then(pl.lit("compte_public_masque"))
    )
    return (
        t.with_columns(regle=regle)
        .filter(pl.col("regle").is_not_null())
        .select("niveau", "territoire", "public", "question", "statistique", "modalite", "statut", "regle")
    )
