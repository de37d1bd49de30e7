"""Les relations additives entre cellules, sous forme de matrice creuse (une ligne par relation).

Chaque relation s'écrit Σ coef·x = 0 avec des coefficients ±1 :

- ``H`` hiérarchie : nation = Σ régions, région = Σ départements, département = Σ zones (zone
  « reste » comprise), pour chaque somme et chaque effectif, dans chaque public ;
- ``P`` publics : ensemble = CS + EVS ;
- ``R`` répartition : répondants de la question = Σ effectifs des modalités (choix unique, oui/non) ;
- ``F`` financements : somme(total) = Σ somme(composantes) (``Relation`` déclarées).
- ``Q`` pertinence : répondants d'une question de suivi = effectif de la réponse qui la déclenche
  (``QuestionStat.declencheur``) ; ces répondants sont alors des inconnues possibles (masquables) ;
- ``I`` inégalités : Σ coef·cellule ≤ 0 (``Inegalite``, règles bloquantes du questionnaire), écrites
  Σ coef·y − z = 0 avec une variable d'écart z ≤ marge (colonnes ajoutées après les cellules :
  ``Systeme.n_cellules`` les compte, ``n_table`` non).

Les bornes par structure des questions (``QuestionStat.minimum``/``maximum``) bornent leurs sommes
(min·n ≤ somme ≤ max·n).

Seules les sommes et les effectifs sont des inconnues possibles : une moyenne est masquée exactement
quand sa somme l'est (le nombre de répondants est publié), une part quand son effectif l'est, et les
quantiles ne sont dans aucune relation linéaire. Les répondants sont toujours publiés : ce sont des
constantes. Quand une relation n'est pas exactement vérifiée par les données (réponses partielles
aux lignes de financement), on suppose prudemment que l'attaquant connaît l'écart : les contraintes
sont écrites sur les écarts à la vraie valeur (A·y = 0).
"""

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import polars as pl
from scipy import sparse
from scipy.sparse.csgraph import connected_components

from core.stats.modele import PUBLIC_ENSEMBLE, QUESTION_CAMPAGNE, Inegalite, QuestionStat, Relation

NIVEAU_PARENT = {"region": "nation", "departement": "region", "zone": "departement"}
TYPES_RELATION = ("H", "P", "R", "F", "Q", "I")
TYPES_PARTS = (0, 1, 2, 3, 4)  # relations « total = Σ parts » sûres pour la part connue d'un initié
STATS_LP = ("somme", "effectif")
_CLE = ["niveau", "territoire", "public", "question", "statistique", "modalite"]


@dataclass
class Systeme:
    """Matrice des relations et vecteurs par cellule (indices = numéros de ligne de la table)."""

    A: sparse.csr_array  # relations × cellules
    A_csc: sparse.csc_array
    type_relation: np.ndarray  # indice dans TYPES_RELATION, par relation
    valeur: np.ndarray  # valeur exacte (0 pour les cellules hors relations)
    borne_min: np.ndarray  # bornes a priori connues de tous
    borne_max: np.ndarray
    variable: np.ndarray  # bool : somme ou effectif (inconnue possible)
    famille: np.ndarray  # composante connexe du graphe complet des relations (-1 hors relations)
    niveau: np.ndarray  # indice dans NIVEAUX
    denominateur: np.ndarray  # répondants à la question dans le territoire et le public de la cellule
    positive: np.ndarray  # bool : borne a priori ≥ 0
    n_table: int = -1  # nombre de cellules de la table (les colonnes suivantes sont des écarts)
    compte: np.ndarray | None = None  # bool : effectif ou répondants (un compte de structures)
    rep_suivie: np.ndarray | None = None  # bool : répondants d'une question de suivi (masquables)

    @property
    def n_cellules(self) -> int:
        return self.valeur.shape[0]

    def parts_propres(self, initie: np.ndarray, gestionnaire: int, cellules) -> dict[int, tuple[float, float]]:
        """Part connue d'un initié dans des cellules : (borne basse de sa contribution, de ses répondants).

        Un gestionnaire seul contributeur d'une cellule en connaît la valeur et le nombre de
        répondants ; dans une cellule qui en contient d'autres (total d'une relation dont elles sont
        des termes, récursivement : nation ⊃ régions ⊃ départements ⊃ zones, ensemble ⊃ CS, EVS),
        sa contribution est au moins la somme de ses parts dans les termes.
        """
        if not hasattr(self, "_totaux"):
            csc = self.A_csc
            self._totaux = (csc.indptr, csc.indices, csc.data)
        indptr_c, lignes_c, coefs_c = self._totaux
        A = self.A
        memo: dict[int, tuple[float, float]] = {}

        def part(j: int) -> tuple[float, float]:
            if j in memo:
                return memo[j]
            memo[j] = (0.0, 0.0)
            if initie[j] == gestionnaire:
                # Seul à répondre à la question dans la cellule : tous ses répondants sont à lui —
                # sauf pour les répondants d'une question de suivi, dont le dénominateur est celui de
                # la question déclencheuse (d'autres y ont répondu) : sa part en est la valeur.
                suivie = self.rep_suivie is not None and self.rep_suivie[j]
                memo[j] = (float(self.valeur[j]), float(self.valeur[j] if suivie else self.denominateur[j]))
                return memo[j]
            meilleur = (0.0, 0.0)
            for t in range(indptr_c[j], indptr_c[j + 1]):
                if coefs_c[t] >= 0:
                    continue
                r = lignes_c[t]
                if self.type_relation[r] not in TYPES_PARTS:
                    continue
                v, d = 0.0, 0.0
                for u in range(A.indptr[r], A.indptr[r + 1]):
                    k = A.indices[u]
                    if A.data[u] > 0 and self.variable[k]:
                        pv, pd = part(int(k))
                        v += pv
                        d += pd
                meilleur = (max(meilleur[0], v), max(meilleur[1], d))
            memo[j] = meilleur
            return meilleur

        return {int(j): part(int(j)) for j in cellules}


def _entrees(
    cellules: pl.DataFrame,
    questions: Iterable[QuestionStat],
    relations: Iterable[Relation],
    inegalites: list[Inegalite] = (),
) -> pl.DataFrame:
    """Entrées (relation, cellule, coef) de toutes les relations, calculées par jointures."""
    c = cellules.select(*_CLE, "id")
    suivies = {q.code: q.declencheur for q in questions if q.declencheur}
    lp = c.filter(
        pl.col("statistique").is_in(STATS_LP)
        | ((pl.col("statistique") == "repondants") & pl.col("question").is_in(list(suivies)))
    )
    morceaux: list[pl.DataFrame] = []

    # H : enfant (+1), parent (−1) ; la relation est identifiée par la cellule parent.
    enfants = (
        lp.filter(pl.col("niveau") != "nation")
        .join(cellules.select("id", "parent"), on="id")
        .with_columns(niveau_parent=pl.col("niveau").replace_strict(NIVEAU_PARENT, default=None))
    )
    h = enfants.join(
        lp.rename({"id": "id_parent", "territoire": "parent", "niveau": "niveau_parent"}),
        on=["niveau_parent", "parent", "public", "question", "statistique", "modalite"],
    )
    morceaux.append(h.select(t=pl.lit(0), k=pl.col("id_parent"), id=pl.col("id"), coef=pl.lit(1)))
    morceaux.append(h.select(t=pl.lit(0), k=pl.col("id_parent"), id=pl.col("id_parent"), coef=pl.lit(-1)).unique())

    # P : CS (+1) + EVS (+1) − ensemble (−1).
    publics = set(cellules["public"].unique().to_list())
    if {"CS", "EVS", PUBLIC_ENSEMBLE} <= publics:
        ens = lp.filter(pl.col("public") == PUBLIC_ENSEMBLE).drop("public").rename({"id": "id_ens"})
        cote = ["niveau", "territoire", "question", "statistique", "modalite"]
        for pub in ("CS", "EVS"):
            j = lp.filter(pl.col("public") == pub).join(ens, on=cote)
            morceaux.append(j.select(t=pl.lit(1), k=pl.col("id_ens"), id=pl.col("id"), coef=pl.lit(1)))
        morceaux.append(ens.select(t=pl.lit(1), k=pl.col("id_ens"), id=pl.col("id_ens"), coef=pl.lit(-1)))

    # R : Σ effectifs (+1) − répondants de la question (−1), pour les questions additives.
    additives = [q.code for q in questions if q.est_additive]
    if additives:
        rep = c.filter((pl.col("statistique") == "repondants") & pl.col("question").is_in(additives)).select(
            "niveau", "territoire", "public", "question", id_rep="id"
        )
        eff = lp.filter((pl.col("statistique") == "effectif") & pl.col("question").is_in(additives))
        j = eff.join(rep, on=["niveau", "territoire", "public", "question"])
        morceaux.append(j.select(t=pl.lit(2), k=pl.col("id_rep"), id=pl.col("id"), coef=pl.lit(1)))
        morceaux.append(rep.select(t=pl.lit(2), k=pl.col("id_rep"), id=pl.col("id_rep"), coef=pl.lit(-1)))

    # F : Σ composantes (+1) − total (−1), par relation déclarée.
    sommes = (
        lp.filter(pl.col("statistique") == "somme")
        .join(cellules.select("id", "denominateur"), on="id", how="left")
        .select("niveau", "territoire", "public", "question", "id", "denominateur")
    )
    relations = [r for r in relations if isinstance(r, Relation)]
    for r_index, rel in enumerate(relations):
        tot = sommes.filter(pl.col("question") == rel.total).drop("question").rename({"id": "id_tot"})
        comp = sommes.filter(pl.col("question").is_in(list(rel.composantes)))
        if not getattr(rel, "exacte", True):
            # Seulement là où tous les termes ont les mêmes répondants.
            groupe = ["niveau", "territoire", "public"]
            memes = (
                pl.concat([tot.select(*groupe, "denominateur"), comp.select(*groupe, "denominateur")])
                .group_by(groupe)
                .agg(pl.col("denominateur").n_unique().alias("k"))
                .filter(pl.col("k") == 1)
                .select(groupe)
            )
            tot = tot.join(memes, on=groupe)
            comp = comp.join(memes, on=groupe)
        tot = tot.drop("denominateur")
        comp = comp.drop("denominateur")
        j = comp.join(tot, on=["niveau", "territoire", "public"])
        k = pl.col("id_tot") * len(relations) + r_index
        morceaux.append(j.select(t=pl.lit(3), k=k, id=pl.col("id"), coef=pl.lit(1)))
        morceaux.append(tot.select(t=pl.lit(3), k=k, id=pl.col("id_tot"), coef=pl.lit(-1)))

    # Q : répondants de la question de suivi (+1) − effectif de la réponse qui la déclenche (−1).
    cote = ["niveau", "territoire", "public"]
    for enfant, (parent, modalite) in suivies.items():
        rep = lp.filter((pl.col("question") == enfant) & (pl.col("statistique") == "repondants")).select(
            *cote, id_rep="id"
        )
        eff = lp.filter(
            (pl.col("question") == parent) & (pl.col("statistique") == "effectif") & (pl.col("modalite") == modalite)
        ).select(*cote, "id")
        j = rep.join(eff, on=cote)
        # Égalité là où elle tient dans les données (chaque « oui » a répondu à la question de suivi :
        # l'attaquant qui la suppose a raison) ; ailleurs, seulement répondants(suivi) ≤ effectif, en
        # inégalité (une structure a pu répondre « oui » puis laisser la question de suivi vide).
        valeurs = cellules.select("id", "valeur_brute")
        j = (
            j.join(valeurs.rename({"id": "id_rep", "valeur_brute": "v_rep"}), on="id_rep", how="left")
            .join(valeurs.rename({"valeur_brute": "v_eff"}), on="id", how="left")
            .with_columns(t=pl.when(pl.col("v_rep") == pl.col("v_eff")).then(pl.lit(4)).otherwise(pl.lit(5)))
        )
        morceaux.append(j.select("t", k=pl.col("id_rep") + (1 << 38), id=pl.col("id_rep"), coef=pl.lit(1.0)))
        morceaux.append(j.select("t", k=pl.col("id_rep") + (1 << 38), id=pl.col("id"), coef=pl.lit(-1.0)))

    # I : Σ coef·cellule (la variable d'écart est ajoutée par ``construire_systeme``).
    for i_index, ineg in enumerate(inegalites):
        groupes = None
        for question, statistique, modalite, _coef in ineg.termes:
            t = c.filter(
                (pl.col("question") == question)
                & (pl.col("statistique") == statistique)
                & (pl.col("modalite") == modalite)
            ).select(*cote, "id")
            t = t.rename({"id": f"id{len(morceaux)}_{question}_{statistique}"})
            groupes = t if groupes is None else groupes.join(t, on=cote)
        if groupes is None or groupes.height == 0:
            continue
        cle_i = pl.col(groupes.columns[3]) * len(inegalites) + i_index
        for (_q, _s, _m, coef), nom in zip(ineg.termes, groupes.columns[3:], strict=True):
            morceaux.append(groupes.select(t=pl.lit(5), k=cle_i, id=pl.col(nom), coef=pl.lit(float(coef))))

    schema = {"t": pl.Int64, "k": pl.Int64, "id": pl.Int64, "coef": pl.Float64}
    entrees = pl.concat([m.select([pl.col(n).cast(d) for n, d in schema.items()]) for m in morceaux])
    return entrees.with_columns(ligne=(pl.col("t") * (1 << 40) + pl.col("k")).rank("dense").cast(pl.Int64) - 1)


def construire_systeme(
    cellules: pl.DataFrame,
    questions: Iterable[QuestionStat],
    relations: Iterable[Relation | Inegalite] = (),
) -> Systeme:
    """Construit la matrice des relations d'une table de cellules (colonne ``id`` = numéro de ligne).

    ``relations`` : égalités (``Relation``) et inégalités (``Inegalite``) entre questions."""
    questions = list(questions)
    relations = list(relations)
    inegalites = [r for r in relations if isinstance(r, Inegalite)]
    if "id" not in cellules.columns:
        cellules = cellules.with_row_index("id")
    cellules = cellules.with_columns(pl.col("id").cast(pl.Int64))
    n = cellules.height
    entrees = _entrees(cellules, questions, relations, inegalites)
    n_lignes = int(entrees["ligne"].max() + 1) if entrees.height else 0
    types = np.zeros(n_lignes, dtype=np.int8)
    if entrees.height:
        premiers = entrees.group_by("ligne").agg(pl.col("t").first()).sort("ligne")
        types = premiers["t"].to_numpy().astype(np.int8)
    lignes_i = np.flatnonzero(types == TYPES_RELATION.index("I"))
    n_ecarts = lignes_i.shape[0]
    n_total = n + n_ecarts
    L = entrees["ligne"].to_numpy()
    C = entrees["id"].to_numpy()
    V = entrees["coef"].to_numpy().astype(np.float64)
    if n_ecarts:
        L = np.concatenate([L, lignes_i])
        C = np.concatenate([C, n + np.arange(n_ecarts)])
        V = np.concatenate([V, -np.ones(n_ecarts)])
    A = sparse.csr_array((V, (L, C)), shape=(n_lignes, n_total))
    A.sum_duplicates()

    stat = cellules["statistique"].to_numpy()
    question = cellules["question"].to_numpy()
    suivies = [q.code for q in questions if q.declencheur]
    variable = (np.isin(stat, STATS_LP) | ((stat == "repondants") & np.isin(question, suivies))) & (
        question != QUESTION_CAMPAGNE
    )
    valeur = cellules["valeur_brute"].fill_null(0.0).to_numpy().astype(np.float64)
    negatif = cellules["negatif"].fill_null(False).to_numpy()
    borne_min = np.where(negatif & (stat == "somme"), -np.inf, 0.0)
    denominateur = cellules["denominateur"].fill_null(0).to_numpy().astype(np.float64)
    # Répondants d'une question de suivi : masquables ; leur « dénominateur » public est celui de la
    # question qui la déclenche (ils ne peuvent pas dépasser ses répondants).
    rep_suivie = (stat == "repondants") & np.isin(question, suivies)
    if rep_suivie.any():
        cote = ["niveau", "territoire", "public"]
        parents = pl.DataFrame(
            [(q.code, q.declencheur[0]) for q in questions if q.declencheur],
            schema={"question": pl.Utf8, "parent": pl.Utf8},
            orient="row",
        )
        den_parent = cellules.filter(pl.col("statistique") == "repondants").select(
            *cote, parent="question", den_parent="denominateur"
        )
        enfants = (
            cellules.filter((pl.col("statistique") == "repondants") & pl.col("question").is_in(suivies))
            .select(*cote, "question", "id")
            .join(parents, on="question")
            .join(den_parent, on=[*cote, "parent"], how="left")
        )
        ids = enfants["id"].to_numpy()
        denominateur[ids] = enfants["den_parent"].fill_null(np.inf).to_numpy().astype(np.float64)
    # Effectif ≤ répondants publiés ; une somme sans aucun répondant (publié : 0) vaut 0.
    borne_max = np.where((stat == "effectif") | rep_suivie, denominateur, np.inf)
    # Bornes par structure : min·n ≤ somme ≤ max·n.
    for q in questions:
        if q.minimum is None and q.maximum is None:
            continue
        m = (question == q.code) & (stat == "somme")
        if q.minimum is not None:
            borne_min = np.where(m, np.maximum(borne_min, q.minimum * denominateur), borne_min)
        if q.maximum is not None:
            borne_max = np.where(m, np.minimum(borne_max, q.maximum * denominateur), borne_max)
    # Des réponses saisies avant qu'une borne existe ne doivent pas rendre le programme irréalisable.
    borne_min = np.minimum(borne_min, valeur)
    borne_max = np.maximum(borne_max, valeur)
    sans_repondant = (stat == "somme") & (denominateur == 0)
    borne_min = np.where(sans_repondant, 0.0, borne_min)
    borne_max = np.where(sans_repondant, 0.0, borne_max)
    fixe = ~variable
    borne_min = np.where(fixe, valeur, borne_min)
    borne_max = np.where(fixe, valeur, borne_max)
    niveaux = {"nation": 0, "region": 1, "departement": 2, "zone": 3}
    niveau = cellules["niveau"].replace_strict(niveaux, return_dtype=pl.Int8).to_numpy()
    positive = borne_min >= 0

    if n_ecarts:
        # Variable d'écart z de chaque inégalité : Σ coef·y = z ≤ marge (la marge des vraies valeurs,
        # jamais négative : une inégalité que des réponses partielles ne vérifient pas reste réalisable).
        Ai = A[lignes_i][:, :n]
        marge = np.maximum(-(Ai @ valeur), 0.0)
        premiere = Ai.indices[Ai.indptr[:-1]] if Ai.nnz else np.zeros(n_ecarts, dtype=np.int64)
        valeur = np.concatenate([valeur, np.zeros(n_ecarts)])
        borne_min = np.concatenate([borne_min, np.full(n_ecarts, -np.inf)])
        borne_max = np.concatenate([borne_max, marge])
        variable = np.concatenate([variable, np.ones(n_ecarts, dtype=bool)])
        denominateur = np.concatenate([denominateur, np.zeros(n_ecarts)])
        niveau = np.concatenate([niveau, niveau[premiere]])
        positive = np.concatenate([positive, np.zeros(n_ecarts, dtype=bool)])

    # Familles : composantes connexes du graphe biparti relations–inconnues possibles.
    famille = np.full(n_total, -1, dtype=np.int64)
    Av = A[:, np.flatnonzero(variable)].tocoo()
    nv = int(variable.sum())
    if n_lignes and nv:
        graphe = sparse.coo_array((np.ones(Av.nnz), (Av.row, n_lignes + Av.col)), shape=(n_lignes + nv, n_lignes + nv))
        _, etiquettes = connected_components(graphe, directed=False)
        famille[np.flatnonzero(variable)] = etiquettes[n_lignes:]
    return Systeme(
        A=A,
        A_csc=A.tocsc(),
        type_relation=types,
        valeur=valeur,
        borne_min=borne_min.astype(np.float64),
        borne_max=borne_max.astype(np.float64),
        variable=variable,
        famille=famille,
        niveau=niveau,
        denominateur=denominateur,
        positive=positive,
        n_table=n,
        compte=np.concatenate([np.isin(stat, ("effectif", "repondants")), np.zeros(n_total - n, dtype=bool)]),
        rep_suivie=np.concatenate([rep_suivie, np.zeros(n_total - n, dtype=bool)]),
    )
