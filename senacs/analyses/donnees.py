"""Microdonnées des analyses : de la base au moteur (``core.analyses``).

On réutilise les sélecteurs des statistiques (``repondantes``, ``codes_poses``, ``valeurs_statistiques``,
``questions_statistiques``) : mêmes réponses déposées, même classement selon l'instantané, mêmes
valeurs normalisées que les tableaux diffusés. Les dimensions viennent des réponses de la section A
(A15 mode de gestion, A16 urbain/rural, A18 géographie prioritaire, A19 adhésion à la fédération), à
défaut du registre ; la taille vient du total des produits (F04).
"""

from __future__ import annotations

from collections.abc import Iterable

import polars as pl

from core.analyses.correspondances import cle_variable
from core.analyses.modele import Indicateur
from core.stats import STATUT_PUBLIE, STATUT_SECRET, QuestionStat
from senacs.analyses.catalogue import codes_variable
from senacs.campagnes.models import Campagne
from senacs.statistiques.selectors import codes_poses, questions_statistiques, repondantes, valeurs_statistiques
from senacs.statistiques.services import diffusion_courante
from senacs.structures.models import Structure

QUESTIONS_DIMENSIONS = ("A15", "A16", "A18", "A19", "F04")
GESTION = {
    "associatif": "associative",
    "collectivite": "municipale",
    "intercommunalite": "municipale",
    "caf": "caf",
    "cogestion": "autre",
    "autre": "autre",
}
QPV = {"qpv": "oui", "aupres_qpv": "oui", "non_concerne": "non"}
SEUILS_TAILLE = ((300_000, "petite"), (800_000, "moyenne"))
SCHEMA = {
    "structure": pl.Int64,
    "gestionnaire": pl.Utf8,
    "campagne": pl.Int64,
    "departement": pl.Utf8,
    "region": pl.Utf8,
    "zone": pl.Utf8,
    "type": pl.Utf8,
    "gestion": pl.Utf8,
    "qpv": pl.Utf8,
    "urbain_rural": pl.Utf8,
    "taille": pl.Utf8,
    "federation": pl.Utf8,
    "territoire": pl.Utf8,
    "valeur": pl.Float64,
}


def taille(budget: float | None) -> str:
    if budget is None:
        return "nr"
    for seuil, code in SEUILS_TAILLE:
        if budget < seuil:
            return code
    return "grande"


def _compter(question: QuestionStat, valeur, modalite: str | None) -> float | None:
    if valeur is None:
        return None
    if question.nature == "oui_non":
        return 1.0 if bool(valeur) == (modalite in (None, "oui")) else 0.0
    if question.nature == "choix_multiple":
        return 1.0 if modalite in valeur else 0.0
    return 1.0 if valeur == modalite else 0.0


def variable_campagne(indicateur: Indicateur, campagne: Campagne) -> tuple[tuple[str, ...], str, str | None]:
    """(codes, clé de variable, note) ; codes vides si la campagne ne pose pas la question."""
    codes, note = codes_variable(indicateur, campagne.annee)
    questions = {q.code: q for q in questions_statistiques(campagne.questionnaire.modele)}
    if any(c not in questions for c in codes):
        return (), "", f"La campagne {campagne.annee} ne pose pas la question {indicateur.question}."
    modalite = indicateur.modalite if indicateur.statistique in ("part", "effectif") else None
    return codes, cle_variable(codes, modalite), note or None


def microdonnees(campagne: Campagne, indicateur: Indicateur, departements: Iterable[str]) -> pl.DataFrame:
    """Une ligne par structure répondante de la campagne dans ``departements`` (schéma ``SCHEMA``)."""
    modele = campagne.questionnaire.modele
    toutes = {q.code: q for q in questions_statistiques(modele)}
    codes, _, _ = variable_campagne(indicateur, campagne)
    utiles = [toutes[c] for c in dict.fromkeys((*codes, *QUESTIONS_DIMENSIONS)) if c in toutes]
    comptage = indicateur.statistique in ("part", "effectif")
    colonnes: dict[str, list] = {c: [] for c in SCHEMA}
    cache: dict = {}
    lignes = list(repondantes(campagne, sorted(set(departements))))
    registre = {
        pk: (mg, tt, gp, fcsf)
        for pk, mg, tt, gp, fcsf in Structure.objects.filter(pk__in=[r.pk for r in lignes]).values_list(
            "pk", "mode_gestion", "type_territoire", "geographie_prioritaire", "adherent_fcsf"
        )
    }
    for r in lignes:
        poses = codes_poses(modele, cache, r.type, r.departement)
        v = valeurs_statistiques(utiles, r.valeurs, poses)
        mg, tt, gp, fcsf = registre.get(r.pk, ("autre", "urbain", "non_concerne", False))
        if not codes:
            valeur = None
        elif comptage:
            valeur = _compter(toutes[codes[0]], v.get(codes[0]), indicateur.modalite)
        else:
            presentes = [v.get(c) for c in codes if v.get(c) is not None]
            valeur = float(sum(presentes)) if presentes else None
        a19 = v.get("A19")
        ligne = {
            "structure": r.pk,
            "gestionnaire": r.gestionnaire or f"S{r.pk}",
            "campagne": campagne.annee,
            "departement": r.departement,
            "region": r.region,
            "zone": r.zone,
            "type": r.type,
            "gestion": GESTION.get(v.get("A15") or mg, "autre"),
            "qpv": QPV.get(v.get("A18") or gp, "non"),
            "urbain_rural": v.get("A16") if v.get("A16") in ("urbain", "rural") else (tt or "urbain"),
            "taille": taille(v.get("F04")),
            "federation": "oui" if (a19 if a19 is not None else fcsf) else "non",
            "territoire": r.departement,
            "valeur": valeur,
        }
        for c in SCHEMA:
            colonnes[c].append(ligne[c])
    return pl.DataFrame({c: pl.Series(c, colonnes[c], dtype=t) for c, t in SCHEMA.items()})


def ensembles_diffusion(
    campagne: Campagne, indicateur: Indicateur, micro: pl.DataFrame, territoires: Iterable[tuple[str, str]]
) -> tuple[list[frozenset[int]], list[frozenset[int]]]:
    """(publiés, masqués) : ensembles de structures dont la diffusion en vigueur publie (ce que tout
    lecteur sait) ou masque la somme (ou l'effectif) de la variable, pour les territoires donnés
    (``(niveau, code)``) et les zones de leurs départements."""
    diffusion = diffusion_courante(campagne)
    codes, _, _ = variable_campagne(indicateur, campagne)
    if diffusion is None or not codes:
        return [], []
    comptage = indicateur.statistique in ("part", "effectif")
    if comptage and len(codes) != 1:
        return [], []
    statistique = "effectif" if comptage else "somme"
    filtre = (
        pl.col("question").is_in(list(codes))
        & (pl.col("statistique") == statistique)
        & pl.col("statut").is_in([STATUT_PUBLIE, STATUT_SECRET])
    )
    if comptage:
        filtre = filtre & (pl.col("modalite") == (indicateur.modalite or "oui"))
    territoires = list(territoires)
    codes_t = [c for _, c in territoires]
    departements = [c for n, c in territoires if n == "departement"]
    lecture = (
        pl.scan_parquet(diffusion.chemin)
        .filter(filtre)
        .select("niveau", "territoire", "parent", "public", "question", "statut")
    )
    # Indicateur fait de plusieurs questions (ps_agc_acf = F06 + F07…) : sa somme sur un territoire est
    # connue dès que toutes ses composantes y sont publiées ; si l'une y est masquée, la libérer la
    # révélerait (différence avec les composantes publiées) : l'ensemble compte comme masqué.
    publiees = (
        lecture.filter(
            pl.col("territoire").is_in(codes_t) | ((pl.col("niveau") == "zone") & pl.col("parent").is_in(departements))
        )
        .group_by("niveau", "territoire", "parent", "public")
        .agg(
            n=pl.col("question").n_unique(),
            secret=(pl.col("statut") == STATUT_SECRET).any(),
        )
        .filter(pl.col("n") == len(set(codes)))
        .select(
            "niveau",
            "territoire",
            "parent",
            "public",
            statut=pl.when(pl.col("secret")).then(pl.lit(STATUT_SECRET)).otherwise(pl.lit(STATUT_PUBLIE)),
        )
        .sort("niveau", "territoire", "public")
        .collect()
    )
    repondu = micro.filter(pl.col("valeur").is_not_null())
    colonne = {"nation": None, "region": "region", "departement": "departement", "zone": "zone"}
    publies, secrets = [], []
    for niveau, territoire, _parent, public, statut in publiees.iter_rows():
        t = repondu
        if colonne.get(niveau):
            t = t.filter(pl.col(colonne[niveau]) == territoire)
        if public in ("CS", "EVS"):
            t = t.filter(pl.col("type") == public)
        e = frozenset(t["structure"].to_list())
        if e:
            (publies if statut == STATUT_PUBLIE else secrets).append(e)
    return publies, secrets


def question_sensible(indicateur: Indicateur, campagne: Campagne) -> bool:
    questions = {q.code: q for q in questions_statistiques(campagne.questionnaire.modele)}
    q = questions.get(indicateur.question)
    return bool(q and q.sensible)
