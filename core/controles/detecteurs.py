"""Détecteurs de valeurs suspectes, calculés d'un coup sur toutes les réponses d'une campagne (polars).

Les règles du questionnaire (``core.questionnaire.evaluation``) disent ce qui est impossible ou
invraisemblable *dans une réponse*. Les détecteurs regardent une réponse à côté de celle de l'an
dernier et de celles des structures comparables :

- ``D-EVOL`` : variation d'une année sur l'autre d'une grandeur clé au-delà d'un seuil qui dépend de
  la taille de la structure (les petites varient plus), avec un plancher absolu ;
- ``D-UNITE`` : une valeur environ 10, 100 ou 1 000 fois celle de l'an dernier (ou, à défaut, 100 ou
  1 000 fois la médiane des pairs) : erreur d'unité probable (budget saisi en milliers d'euros…) ;
- ``D-PAIRS`` : valeur très éloignée de celles des pairs (même type, même tranche de taille, même
  type de territoire) : écart robuste (médiane, MAD) en logarithme au-delà de 3,5, seulement si le
  groupe compte assez de structures ;
- ``D-RATIO`` : rapport interne hors fourchette (coût d'un ETP, heures par bénévole, ETP par salarié,
  part des charges de personnel).

Entrée : un ``DataFrame`` construit par ``tableau(lignes)`` (une ligne par réponse : clé, type,
territoire urbain/rural, réponses numériques de l'année et de l'an dernier). Sortie : des
``Detection`` (code stable, gravité, questions, message en français avec les chiffres, détails).
Aucun import de Django : tout se teste sans base.
"""

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import polars as pl

from core.controles.reglages import LIGNES_FINANCEMENT, Ratio, Seuils
from core.formats import ErreurSaisie, formater_euros, formater_nombre, lire_nombre

CODE_EVOLUTION = "D-EVOL"
CODE_UNITE = "D-UNITE"
CODE_PAIRS = "D-PAIRS"
CODE_RATIO = "D-RATIO"

DETECTEURS = {
    CODE_EVOLUTION: "Variation d'une année sur l'autre d'une grandeur clé, au-delà du seuil de sa tranche de taille",
    CODE_UNITE: "Erreur d'unité probable : environ 10, 100 ou 1 000 fois la valeur de l'an dernier (ou des pairs)",
    CODE_PAIRS: "Valeur très éloignée de celles des structures comparables (écart robuste en logarithme)",
    CODE_RATIO: "Rapport interne hors de sa fourchette (coût d'un ETP, heures par bénévole…)",
}

SUFFIXE_PRECEDENT = "_prec"
MAD_NORMALE = 0.6745  # z robuste = 0,6745 × (x − médiane) / MAD (Iglewicz et Hoaglin)

LIBELLES_TYPES = {"CS": "centres sociaux", "EVS": "espaces de vie sociale"}
LIBELLES_TERRITOIRES = {"urbain": "urbains", "rural": "ruraux"}
LIBELLES_TAILLES = {"petite": "de petite taille", "moyenne": "de taille moyenne", "grande": "de grande taille"}

# Grandeurs clés nommées dans les messages : (groupe nominal, pluriel).
NOMS = {
    "F02": ("Le total des charges", False),
    "F03": ("Les charges de personnel", True),
    "F04": ("Le total des produits", False),
    "E01": ("Le nombre de salariés", False),
    "E02": ("Le nombre d'ETP salariés", False),
    "D03": ("Le nombre total de bénévoles", False),
    "D04": ("Le nombre d'heures de bénévolat", False),
    "H01": ("Le nombre de personnes touchées", False),
}


@dataclass(frozen=True, slots=True)
class LigneReponse:
    """Une réponse pour les détecteurs : ``cle`` identifie la réponse (clé primaire, identifiant…)."""

    cle: Any
    type: str  # "CS" ou "EVS"
    territoire: str | None  # "urbain", "rural" ou None
    valeurs: Mapping[str, Any]
    precedentes: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Detection:
    cle: Any
    code: str
    gravite: str
    questions: tuple[str, ...]
    message: str
    details: dict[str, Any]

    @property
    def signature(self) -> str:
        """Ce qui identifie la détection dans une réponse d'un contrôle à l'autre (code et questions)."""
        return signature(self.code, self.questions)


def signature(code: str, questions: Iterable[str]) -> str:
    return f"{code}|{' '.join(questions)}"


@dataclass(frozen=True)
class Descriptions:
    """Libellés et types des questions, pour écrire les messages (tirés du questionnaire)."""

    libelles: Mapping[str, str] = field(default_factory=dict)
    types: Mapping[str, str] = field(default_factory=dict)
    unites: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def depuis_questionnaire(cls, questionnaire) -> "Descriptions":
        questions = questionnaire.questions()
        return cls(
            {q.code: q.libelle for q in questions},
            {q.code: q.type for q in questions},
            {q.code: q.unite for q in questions if q.unite},
        )

    def nom(self, code: str) -> tuple[str, bool]:
        if code in NOMS:
            return NOMS[code]
        libelle = self.libelles.get(code)
        return (f"La réponse « {libelle} »" if libelle else "La réponse", False)

    def valeur(self, code: str, valeur: float | None) -> str:
        if valeur is None:
            return "non renseigné"
        if self.types.get(code) == "euros" or (not self.types and code.startswith("F")):
            return formater_euros(valeur, 0)
        if self.unites.get(code) in ("année", "annee"):
            return str(round(valeur))  # « 1956 », jamais « 1 956 »
        if self.types.get(code) == "entier":
            return formater_nombre(valeur, 0)
        return formater_nombre(valeur)


# --------------------------------------------------------------------------- construction du tableau


def nombre(valeur: Any) -> float | None:
    """Réponse stockée → nombre (None si absente ou illisible) : 1234, 1234.5, « 1 234,5 »."""
    if valeur is None or isinstance(valeur, bool):
        return None
    if isinstance(valeur, int | float):
        return float(valeur) if math.isfinite(valeur) else None
    if isinstance(valeur, Decimal):
        return float(valeur) if valeur.is_finite() else None
    if isinstance(valeur, str):
        try:
            lu = lire_nombre(valeur)
        except ErreurSaisie:
            return None
        return float(lu) if lu is not None else None
    return None


def variables_utiles(seuils: Seuils) -> tuple[str, ...]:
    codes = set(seuils.variables_evolution) | set(seuils.variables_pairs) | {"F02", "F04", "E02"}
    for r in seuils.ratios:
        codes |= {r.numerateur, r.denominateur}
    return tuple(sorted(codes))


def tableau(lignes: Iterable[LigneReponse], seuils: Seuils | None = None) -> pl.DataFrame:
    """Une ligne par réponse : ``cle``, ``type``, ``territoire``, puis ``<code>`` et ``<code>_prec``."""
    codes = variables_utiles(seuils or Seuils())
    colonnes: dict[str, list] = {"cle": [], "type": [], "territoire": []}
    for code in codes:
        colonnes[code] = []
        colonnes[code + SUFFIXE_PRECEDENT] = []
    for ligne in lignes:
        colonnes["cle"].append(ligne.cle)
        colonnes["type"].append(ligne.type)
        colonnes["territoire"].append(ligne.territoire)
        for code in codes:
            colonnes[code].append(nombre(ligne.valeurs.get(code)))
            colonnes[code + SUFFIXE_PRECEDENT].append(nombre(ligne.precedentes.get(code)))
    schema = {"type": pl.Utf8, "territoire": pl.Utf8} | {nom: pl.Float64 for nom in colonnes if nom[0].isupper()}
    return pl.DataFrame(colonnes, schema_overrides=schema, strict=False)


def _taille(seuils: Seuils) -> pl.Expr:
    """Tranche de taille d'après un budget de référence : médiane de trois estimations (budget de l'an
    dernier, budget de l'année, ETP × ``budget_par_etp``) ; avec moins de trois, l'an dernier, sinon
    les ETP, sinon l'année ; sans rien, « moyenne »."""

    def positif(expression: pl.Expr) -> pl.Expr:
        return pl.when(expression > 0).then(expression)

    precedent = pl.coalesce(positif(pl.col("F04" + SUFFIXE_PRECEDENT)), positif(pl.col("F02" + SUFFIXE_PRECEDENT)))
    courant = pl.coalesce(positif(pl.col("F04")), positif(pl.col("F02")))
    emploi = positif(pl.col("E02")) * seuils.budget_par_etp
    trois = [precedent, courant, emploi]
    mediane = pl.sum_horizontal(trois) - pl.max_horizontal(trois) - pl.min_horizontal(trois)
    complets = precedent.is_not_null() & courant.is_not_null() & emploi.is_not_null()
    reference = pl.when(complets).then(mediane).otherwise(pl.coalesce(precedent, emploi, courant))
    bas = pl.col("type").replace_strict(
        {t: b[0] for t, b in seuils.bornes_taille.items()}, default=None, return_dtype=pl.Float64
    )
    haut = pl.col("type").replace_strict(
        {t: b[1] for t, b in seuils.bornes_taille.items()}, default=None, return_dtype=pl.Float64
    )
    return (
        pl.when(reference.is_null() | bas.is_null())
        .then(pl.lit("moyenne"))
        .when(reference < bas)
        .then(pl.lit("petite"))
        .when(reference >= haut)
        .then(pl.lit("grande"))
        .otherwise(pl.lit("moyenne"))
    )


def preparer(df: pl.DataFrame, seuils: Seuils) -> pl.DataFrame:
    """Ajoute la tranche de taille et les groupes de pairs : ``groupe`` (type × taille × territoire) et
    ``groupe_large`` (type × territoire, pour les montants du budget)."""
    territoire = pl.col("territoire").fill_null("?")
    return df.with_columns(taille=_taille(seuils)).with_columns(
        groupe=pl.concat_str([pl.col("type"), pl.col("taille"), territoire], separator="/"),
        groupe_large=pl.concat_str([pl.col("type"), territoire], separator="/"),
    )


# --------------------------------------------------------------------------- mise en forme


def _verbe(pluriel: bool, singulier: str, forme_plurielle: str) -> str:
    return forme_plurielle if pluriel else singulier


def variation(rapport: float) -> str:
    """« × 10,0 », « ÷ 2,6 », « + 62 % », « − 40 % »."""
    if rapport == 0:
        return "− 100 %"
    if rapport >= 2:
        return f"× {formater_nombre(rapport, 1)}"
    if rapport <= 0.5:
        return f"÷ {formater_nombre(1 / rapport, 1)}"
    pourcentage = round((rapport - 1) * 100)
    return f"+ {formater_nombre(pourcentage, 0)} %" if pourcentage >= 0 else f"− {formater_nombre(-pourcentage, 0)} %"


def _taille_groupe(seuils: Seuils, code: str, ligne: Mapping[str, Any]) -> str | None:
    return None if code in seuils.pairs_sans_taille else ligne["taille"]


def libelle_groupe(type_structure: str, taille: str | None, territoire: str | None) -> str:
    morceaux = [LIBELLES_TYPES.get(type_structure, type_structure)]
    if territoire in LIBELLES_TERRITOIRES:
        morceaux.append(LIBELLES_TERRITOIRES[territoire])
    morceaux.append(LIBELLES_TAILLES.get(taille or "", ""))
    return " ".join(m for m in morceaux if m)


def _cause_unite(rapport: float, euros: bool) -> str:
    puissance = round(math.log10(rapport))
    if puissance == -3 and euros:
        return "le montant a sans doute été saisi en milliers d'euros"
    if puissance == 3 and euros:
        return "le montant de l'an dernier avait-il été saisi en milliers d'euros, ou y a-t-il trois zéros de trop ?"
    if abs(puissance) == 2:
        return "une virgule déplacée ou une autre unité (centimes, pourcentage) ?"
    if puissance == 1:
        return "un zéro de trop ?"
    if puissance == -1:
        return "un zéro oublié ?"
    return "vérifiez l'unité de saisie"


# --------------------------------------------------------------------------- détecteurs


def _pour(ligne_financement: bool, taille: str) -> str:
    return "d'une ligne de financement" if ligne_financement else f"pour une structure {LIBELLES_TAILLES[taille]}"


def detecter_evolutions(df: pl.DataFrame, seuils: Seuils, descriptions: Descriptions) -> list[Detection]:
    """D-EVOL : |log(valeur / an dernier)| > log(1 + seuil de la tranche) et écart > plancher."""
    gravite = seuils.gravites[CODE_EVOLUTION]
    par_taille = pl.col("taille").replace_strict(dict(seuils.evolution_max), return_dtype=pl.Float64)
    resultats = []
    for code in seuils.variables_evolution:
        ligne_financement = code in LIGNES_FINANCEMENT
        limite = pl.lit(seuils.evolution_max_lignes) if ligne_financement else par_taille
        prec = code + SUFFIXE_PRECEDENT
        trouves = df.select("cle", "taille", valeur=pl.col(code), precedente=pl.col(prec), limite=limite).filter(
            (pl.col("precedente") > 0)
            & (pl.col("valeur") >= 0)
            & ((pl.col("valeur") - pl.col("precedente")).abs() > seuils.plancher(code))
            & ((pl.col("valeur") / pl.col("precedente")).log().abs() > (1 + pl.col("limite")).log())
        )
        nom, pluriel = descriptions.nom(code)
        for ligne in trouves.iter_rows(named=True):
            v, p = ligne["valeur"], ligne["precedente"]
            rapport = v / p
            message = (
                f"{nom} ({code}) {_verbe(pluriel, 'passe', 'passent')} de {descriptions.valeur(code, p)} à "
                f"{descriptions.valeur(code, v)} ({variation(rapport)}) par rapport à l'an dernier, au-delà de la "
                f"variation habituelle {_pour(ligne_financement, ligne['taille'])} "
                f"(± {formater_nombre(100 * ligne['limite'], 0)} %) : confirmez le chiffre ou expliquez l'évolution."
            )
            details = {
                "variable": code,
                "valeur": v,
                "precedente": p,
                "rapport": round(rapport, 4),
                "taille": ligne["taille"],
                "seuil": ligne["limite"],
                "plancher": seuils.plancher(code),
            }
            resultats.append(Detection(ligne["cle"], CODE_EVOLUTION, gravite, (code,), message, details))
    return resultats


def _colonne_groupe(seuils: Seuils, code: str) -> str:
    return "groupe_large" if code in seuils.pairs_sans_taille else "groupe"


def _pairs(df: pl.DataFrame, code: str, colonne: str = "groupe") -> pl.DataFrame:
    """Médiane, MAD (en logarithme) et effectif de chaque groupe de pairs pour une question."""
    positifs = df.filter(pl.col(code) > 0).select(groupe=pl.col(colonne), x=pl.col(code).log())
    mediane = positifs.group_by("groupe").agg(mediane=pl.col("x").median(), n=pl.len())
    return (
        positifs.join(mediane, on="groupe")
        .group_by("groupe")
        .agg(
            mediane=pl.col("mediane").first(),
            n=pl.col("n").first(),
            mad=(pl.col("x") - pl.col("mediane")).abs().median(),
        )
    )


def detecter_unites(
    df: pl.DataFrame, seuils: Seuils, descriptions: Descriptions, pairs: Mapping[str, pl.DataFrame]
) -> list[Detection]:
    """D-UNITE : rapport à l'an dernier proche de 10^k (k = ±1, ±2, ±3) ; sans an dernier, rapport à
    la médiane des pairs proche de 100 ou 1 000 (ou leur inverse)."""
    gravite = seuils.gravites[CODE_UNITE]
    puissances = sorted({round(math.log10(f)) for f in seuils.facteurs_unite})
    puissances_pairs = sorted({round(math.log10(f)) for f in seuils.facteurs_unite_pairs})
    resultats = []
    codes = sorted(set(seuils.variables_evolution) | set(seuils.variables_pairs))
    for code in codes:
        prec = code + SUFFIXE_PRECEDENT
        nom, pluriel = descriptions.nom(code)
        euros = descriptions.types.get(code) == "euros" or (not descriptions.types and code.startswith("F"))
        l10 = (pl.col("valeur") / pl.col("precedente")).log10()
        trouves = (
            df.select("cle", valeur=pl.col(code), precedente=pl.col(prec))
            .filter(
                (pl.col("precedente") > 0)
                & (pl.col("valeur") > 0)
                & ((pl.col("valeur") - pl.col("precedente")).abs() > seuils.plancher(code))
            )
            .with_columns(l10=l10, k=l10.round(0))
            .filter(
                pl.col("k").abs().is_in([float(p) for p in puissances])
                & ((pl.col("l10") - pl.col("k")).abs() <= seuils.tolerance_unite)
            )
        )
        for ligne in trouves.iter_rows(named=True):
            v, p = ligne["valeur"], ligne["precedente"]
            rapport = v / p
            facteur = 10 ** abs(int(ligne["k"]))
            sens = "×" if ligne["k"] > 0 else "÷"
            message = (
                f"{nom} ({code}) {_verbe(pluriel, 'vaut', 'valent')} {descriptions.valeur(code, v)} contre "
                f"{descriptions.valeur(code, p)} l'an dernier ({sens} {formater_nombre(facteur, 0)} environ) : "
                f"{_cause_unite(rapport, euros)}"
            )
            if not message.endswith("?"):
                message += "."
            details = {"variable": code, "valeur": v, "precedente": p, "rapport": rapport, "facteur": facteur}
            details["reference"] = "an_dernier"
            resultats.append(Detection(ligne["cle"], CODE_UNITE, gravite, (code,), message, details))
        if code not in seuils.variables_pairs or code not in pairs or not puissances_pairs:
            continue
        l10p = (pl.col("valeur").log() - pl.col("mediane")) / math.log(10)
        trouves = (
            df.select(
                "cle",
                "type",
                "taille",
                "territoire",
                groupe=pl.col(_colonne_groupe(seuils, code)),
                valeur=pl.col(code),
                precedente=pl.col(prec),
            )
            .filter(pl.col("precedente").is_null() & (pl.col("valeur") > 0))
            .join(pairs[code], on="groupe")
            .filter(pl.col("n") >= seuils.taille_min_groupe)
            .with_columns(l10=l10p, k=l10p.round(0))
            .filter(
                pl.col("k").abs().is_in([float(p) for p in puissances_pairs])
                & ((pl.col("l10") - pl.col("k")).abs() <= seuils.tolerance_unite_pairs)
            )
        )
        for ligne in trouves.iter_rows(named=True):
            v, med = ligne["valeur"], math.exp(ligne["mediane"])
            facteur = 10 ** abs(int(ligne["k"]))
            sens = "plus" if ligne["k"] > 0 else "moins"
            groupe = libelle_groupe(ligne["type"], _taille_groupe(seuils, code, ligne), ligne["territoire"])
            message = (
                f"{nom} ({code}) {_verbe(pluriel, 'vaut', 'valent')} {descriptions.valeur(code, v)}, environ "
                f"{formater_nombre(facteur, 0)} fois {sens} que la médiane des structures comparables ({groupe} : "
                f"{descriptions.valeur(code, med)}, {formater_nombre(ligne['n'], 0)} structures) : vérifiez l'unité "
                "de saisie."
            )
            details = {
                "variable": code,
                "valeur": v,
                "mediane_pairs": med,
                "n": ligne["n"],
                "facteur": facteur,
                "reference": "pairs",
                "groupe": ligne["groupe"],
            }
            resultats.append(Detection(ligne["cle"], CODE_UNITE, gravite, (code,), message, details))
    return resultats


def detecter_pairs(
    df: pl.DataFrame, seuils: Seuils, descriptions: Descriptions, pairs: Mapping[str, pl.DataFrame]
) -> list[Detection]:
    """D-PAIRS : |0,6745 × (log x − médiane) / MAD| > z_max dans le groupe (effectif ≥ minimum, MAD > 0)."""
    gravite = seuils.gravites[CODE_PAIRS]
    resultats = []
    for code in seuils.variables_pairs:
        z = MAD_NORMALE * (pl.col("valeur").log() - pl.col("mediane")) / pl.col("mad")
        trouves = (
            df.select(
                "cle",
                "type",
                "taille",
                "territoire",
                groupe=pl.col(_colonne_groupe(seuils, code)),
                valeur=pl.col(code),
            )
            .filter(pl.col("valeur") > 0)
            .join(pairs[code], on="groupe")
            .filter((pl.col("n") >= seuils.taille_min_groupe) & (pl.col("mad") > 0))
            .with_columns(z=z)
            .filter(pl.col("z").abs() > seuils.z_max)
        )
        nom, pluriel = descriptions.nom(code)
        for ligne in trouves.iter_rows(named=True):
            med = math.exp(ligne["mediane"])
            sens = "au-dessus" if ligne["z"] > 0 else "en dessous"
            groupe = libelle_groupe(ligne["type"], _taille_groupe(seuils, code, ligne), ligne["territoire"])
            message = (
                f"{nom} ({code} = {descriptions.valeur(code, ligne['valeur'])}) {_verbe(pluriel, 'est', 'sont')} "
                f"très {sens} de la médiane des structures comparables ({groupe} : "
                f"{descriptions.valeur(code, med)}, {formater_nombre(ligne['n'], 0)} structures ; écart robuste "
                f"{formater_nombre(ligne['z'], 1)}) : vérifiez le chiffre ou expliquez cette particularité."
            )
            details = {
                "variable": code,
                "valeur": ligne["valeur"],
                "mediane_pairs": med,
                "mad_log": ligne["mad"],
                "z": round(ligne["z"], 3),
                "n": ligne["n"],
                "groupe": ligne["groupe"],
                "seuil": seuils.z_max,
            }
            resultats.append(Detection(ligne["cle"], CODE_PAIRS, gravite, (code,), message, details))
    return resultats


def _fourchette(ratio: Ratio) -> str:
    def f(v: float) -> str:
        if ratio.unite == "%":
            return f"{formater_nombre(100 * v, 0)} %"
        if ratio.unite == "€":
            return formater_euros(v, 0)
        return f"{formater_nombre(v)} {ratio.unite}".strip()

    if ratio.minimum is not None and ratio.maximum is not None:
        return f"de {f(ratio.minimum)} à {f(ratio.maximum)}"
    if ratio.maximum is not None:
        return f"{f(ratio.maximum)} au plus"
    return f"{f(ratio.minimum)} au moins"


def _valeur_ratio(ratio: Ratio, valeur: float) -> str:
    if ratio.unite == "%":
        return f"{formater_nombre(100 * valeur, 0)} %"
    if ratio.unite == "€":
        return formater_euros(valeur, 0)
    if ratio.unite:
        return f"{formater_nombre(valeur, 0)} {ratio.unite}"
    return formater_nombre(valeur)


def detecter_ratios(df: pl.DataFrame, seuils: Seuils, descriptions: Descriptions) -> list[Detection]:
    """D-RATIO : numérateur / dénominateur hors de [minimum ; maximum] (dénominateur > 0)."""
    resultats = []
    for ratio in seuils.ratios:
        hors = pl.lit(False)
        if ratio.minimum is not None:
            hors = hors | (pl.col("r") < ratio.minimum)
        if ratio.maximum is not None:
            hors = hors | (pl.col("r") > ratio.maximum)
        trouves = (
            df.select("cle", n=pl.col(ratio.numerateur), d=pl.col(ratio.denominateur))
            .filter((pl.col("d") > 0) & (pl.col("n") >= 0))
            .with_columns(r=pl.col("n") / pl.col("d"))
            .filter(hors)
        )
        for ligne in trouves.iter_rows(named=True):
            n, d, r = ligne["n"], ligne["d"], ligne["r"]
            message = (
                f"{ratio.libelle} ({ratio.numerateur} / {ratio.denominateur}) est de {_valeur_ratio(ratio, r)}, hors "
                f"de la fourchette habituelle ({_fourchette(ratio)}) : vérifiez {ratio.numerateur} "
                f"({descriptions.valeur(ratio.numerateur, n)}) et {ratio.denominateur} "
                f"({descriptions.valeur(ratio.denominateur, d)})."
            )
            details = {
                "ratio": ratio.code,
                "numerateur": n,
                "denominateur": d,
                "valeur": r,
                "minimum": ratio.minimum,
                "maximum": ratio.maximum,
            }
            questions = (ratio.numerateur, ratio.denominateur)
            resultats.append(Detection(ligne["cle"], CODE_RATIO, ratio.gravite, questions, message, details))
    return resultats


def detecter(
    df: pl.DataFrame, seuils: Seuils | None = None, descriptions: Descriptions | None = None
) -> list[Detection]:
    """Tous les détecteurs sur le tableau ``df`` (``tableau(...)``), sans dédoublonnage (voir ``retenir``)."""
    seuils = seuils or Seuils()
    descriptions = descriptions or Descriptions()
    if df.height == 0:
        return []
    df = preparer(df, seuils)
    codes_pairs = sorted(set(seuils.variables_pairs) | set(seuils.variables_evolution))
    pairs = {code: _pairs(df, code, _colonne_groupe(seuils, code)) for code in codes_pairs}
    detections = (
        detecter_unites(df, seuils, descriptions, pairs)
        + detecter_evolutions(df, seuils, descriptions)
        + detecter_pairs(df, seuils, descriptions, pairs)
        + detecter_ratios(df, seuils, descriptions)
    )
    return detections


def retenir(
    detections: Iterable[Detection], questions_des_regles: Mapping[Any, Iterable[Iterable[str]]] | None = None
) -> list[Detection]:
    """Retire les doublons d'une même réponse, pour ne pas signaler deux fois la même chose :

    - ``D-UNITE`` sur le total des produits ou des charges (F04, F02) couvre les lignes de
      financement touchées du même facteur (toute la section saisie en milliers) : une seule
      anomalie, qui les nomme ;
    - ``D-UNITE`` sur une question explique la variation et l'écart aux pairs : ``D-EVOL`` et
      ``D-PAIRS`` sur cette question se taisent ;
    - ``D-EVOL`` et ``D-RATIO`` se taisent quand une règle du questionnaire a déjà signalé exactement
      les mêmes questions (R16a et D-EVOL sur F04, R06c et D-RATIO sur F03 / E02…) ; ``D-UNITE``, qui
      dit la cause probable, est toujours gardé.

    ``questions_des_regles`` : clé de réponse → ensembles de questions des anomalies de règles."""
    detections = list(detections)
    unites = {(d.cle, d.questions) for d in detections if d.code == CODE_UNITE}
    detections = _regrouper_unites(detections)
    regles: dict[Any, set[frozenset[str]]] = {}
    for cle, ensembles in (questions_des_regles or {}).items():
        regles[cle] = {frozenset(e) for e in ensembles}
    retenues = []
    for d in detections:
        if d.code in (CODE_EVOLUTION, CODE_PAIRS) and (d.cle, d.questions) in unites:
            continue
        if d.code in (CODE_EVOLUTION, CODE_RATIO) and frozenset(d.questions) in regles.get(d.cle, set()):
            continue
        retenues.append(d)
    return sorted(retenues, key=lambda d: (str(d.cle), d.code, d.questions))


TOTAUX_BUDGET = ("F04", "F02")


def _regrouper_unites(detections: list[Detection]) -> list[Detection]:
    """Fusionne dans l'anomalie ``D-UNITE`` d'un total (F04, sinon F02) celles des autres montants de
    la section F de la même réponse qui ont le même facteur et le même sens."""
    unites: dict[Any, dict[str, Detection]] = {}
    for d in detections:
        if d.code == CODE_UNITE and d.questions[0].startswith("F") and d.details.get("reference") == "an_dernier":
            unites.setdefault(d.cle, {})[d.questions[0]] = d
    retirees: set[int] = set()
    remplacees: dict[int, Detection] = {}
    for par_code in unites.values():
        total = next((par_code[c] for c in TOTAUX_BUDGET if c in par_code), None)
        if total is None:
            continue
        sens = total.details["rapport"] > 1
        memes = [
            d
            for code, d in sorted(par_code.items())
            if d is not total
            and d.details["facteur"] == total.details["facteur"]
            and (d.details["rapport"] > 1) == sens
        ]
        if not memes:
            continue
        codes = [d.questions[0] for d in memes]
        message = total.message + f" Même écart pour {', '.join(codes)}."
        details = total.details | {"memes_ecarts": codes}
        remplacees[id(total)] = Detection(total.cle, total.code, total.gravite, total.questions, message, details)
        retirees.update(id(d) for d in memes)
    return [remplacees.get(id(d), d) for d in detections if id(d) not in retirees]
