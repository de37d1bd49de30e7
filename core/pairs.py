"""Comparaison d'une structure avec des structures comparables (« groupe de pairs »), pour ses tableaux
automatisés (charte 2.3) ; Python pur, sans Django.

Groupe de pairs : les autres structures répondantes de la campagne, **dans toute la France**, de même
type (centre social ou espace de vie sociale), de même tranche de taille (budget total F04, tranches
de ``core.analyses.modele.DIMENSIONS["taille"]``) et de même milieu (urbain ou rural, question A16).
Il faut au moins ``MINIMUM`` structures (10) ; sinon on **élargit** en abandonnant le milieu, puis la
taille, et on le dit ; si le groupe reste sous 10 : pas de comparaison (« groupe de comparaison trop
petit »). La structure elle-même n'est jamais dans son groupe.

Ce qui sort : pour chaque indicateur clé, la **médiane** du groupe (la structure comprise : la même
médiane pour tous les membres du groupe, sinon deux structures qui s'entendent retrouveraient par
différence des valeurs d'autres structures) parmi ceux qui ont répondu à la question. Jamais
de liste de structures, jamais l'effectif d'un groupe de moins de 10. Une médiane n'est montrée que
si (règles du secret, ``core.secret.Politique``) :

- au moins ``quantiles_min`` (10) pairs ont répondu à la question ;
- aucune valeur n'est partagée par tous les répondants ou tous sauf un (sinon la médiane donnerait la
  réponse de chacun d'eux) ;
- le premier contributeur ne domine pas le total du groupe (règle de dominance ``dominance_k``) et la
  règle p % tient : un groupe où une structure pèse presque tout ne donne pas de chiffre.

Une médiane masquée s'affiche ``s`` (secret statistique).
"""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from core.formats import formater_nombre
from core.secret import Politique

MINIMUM = 10
SEUILS_TAILLE = (300_000.0, 800_000.0)  # budget total (F04), en euros
LIBELLES_TAILLE = {
    "petite": "budget de moins de 300 000 €",
    "moyenne": "budget de 300 000 € à 800 000 €",
    "grande": "budget de 800 000 € et plus",
}
LIBELLES_TYPE = {"CS": "centres sociaux", "EVS": "espaces de vie sociale"}
LIBELLES_MILIEU = {"urbain": "en milieu urbain", "rural": "en milieu rural"}

#: (code de question, libellé court, nombre de décimales) : les indicateurs clés comparés.
INDICATEURS_CLES: tuple[tuple[str, str, int], ...] = (
    ("F04", "Total des produits (€)", 0),
    ("F02", "Total des charges (€)", 0),
    ("F06", "Financements Caf (€)", 0),
    ("E01", "Salariés (personnes)", 0),
    ("E02", "Salariés en ETP", 1),
    ("D03", "Bénévoles", 0),
    ("C01", "Adhérents individuels", 0),
    ("H01", "Personnes différentes touchées", 0),
)

#: Niveaux d'élargissement : critères retenus, du plus précis au plus large.
NIVEAUX: tuple[tuple[str, ...], ...] = (("type", "taille", "milieu"), ("type", "taille"), ("type",))

MESSAGE_TROP_PETIT = "groupe de comparaison trop petit"


def tranche_taille(budget: float | None) -> str | None:
    if budget is None:
        return None
    if budget < SEUILS_TAILLE[0]:
        return "petite"
    if budget < SEUILS_TAILLE[1]:
        return "moyenne"
    return "grande"


def milieu(valeur: Any) -> str | None:
    return valeur if valeur in ("urbain", "rural") else None


@dataclass(frozen=True)
class Profil:
    """Une structure répondante réduite à ce qui compte pour la comparaison (identifiant interne)."""

    cle: int
    type: str
    taille: str | None
    milieu: str | None
    valeurs: dict[str, float | None] = field(default_factory=dict, compare=False, hash=False)

    @classmethod
    def depuis_valeurs(cls, cle: int, type_: str, valeurs: dict[str, Any]) -> Profil:
        budget = valeurs.get("F04")
        return cls(
            cle,
            type_,
            tranche_taille(float(budget) if isinstance(budget, int | float) else None),
            milieu(valeurs.get("A16")),
            {code: _nombre(valeurs.get(code)) for code, _, _ in INDICATEURS_CLES},
        )


def _nombre(v: Any) -> float | None:
    if isinstance(v, bool) or not isinstance(v, int | float):
        return None
    return float(v)


@dataclass
class LignePairs:
    code: str
    libelle: str
    votre: str  # valeur de la structure, en français (« sans réponse »)
    mediane: str  # médiane des pairs en français, ou « s »


@dataclass
class ComparaisonPairs:
    possible: bool
    description: str  # le groupe, en français (sans effectif s'il est sous 10 : il n'est alors pas utilisé)
    elargissement: str  # phrase qui dit l'élargissement, vide sinon
    effectif: int | None  # taille du groupe (≥ 10) ; None si pas de comparaison
    lignes: list[LignePairs] = field(default_factory=list)

    @property
    def paragraphes(self) -> list[str]:
        if not self.possible:
            return [
                f"Comparaison avec des structures comparables : {MESSAGE_TROP_PETIT}. Moins de {MINIMUM} "
                "structures de même type ont répondu à la campagne : aucune comparaison n'est faite."
            ]
        textes = [
            f"Comparaison avec des structures comparables : {self.description}, dans toute la France, parmi "
            f"les répondants de la campagne ({formater_nombre(self.effectif, 0)} structures, la vôtre non "
            "comprise). "
            "Pour chaque indicateur : la médiane des structures du groupe qui ont répondu à la question (la "
            "moitié d'entre elles déclare moins, l'autre moitié plus). Aucune liste de structures n'est "
            "communiquée ; « s » : chiffre masqué par le secret statistique (moins de 10 réponses, valeurs "
            "trop semblables ou une structure qui pèse presque tout)."
        ]
        if self.elargissement:
            textes.append(self.elargissement)
        return textes


def _criteres_de(profil: Profil, criteres: Sequence[str]) -> bool:
    """Un niveau n'est utilisable que si la structure a une valeur pour chacun de ses critères."""
    return all(getattr(profil, c) is not None for c in criteres)


def description_groupe(profil: Profil, criteres: Sequence[str]) -> str:
    """« les centres sociaux, budget de moins de 300 000 €, en milieu urbain »."""
    morceaux = [LIBELLES_TYPE.get(profil.type, profil.type)]
    if "taille" in criteres:
        morceaux.append(LIBELLES_TAILLE[profil.taille])
    if "milieu" in criteres:
        morceaux.append(LIBELLES_MILIEU[profil.milieu])
    return "les " + ", ".join(morceaux)


def groupe_de_pairs(
    cible: Profil, profils: Iterable[Profil], minimum: int = MINIMUM
) -> tuple[list[Profil], tuple[str, ...] | None]:
    """(pairs, critères retenus) au premier niveau qui réunit au moins ``minimum`` structures ; ([], None)
    si aucun niveau n'y parvient. La structure cible n'en fait jamais partie."""
    autres = [p for p in profils if p.cle != cible.cle]
    for criteres in NIVEAUX:
        if not _criteres_de(cible, criteres):
            continue
        membres = [p for p in autres if all(getattr(p, c) == getattr(cible, c) for c in criteres)]
        if len(membres) >= minimum:
            return membres, criteres
    return [], None


def mediane_protegee(valeurs: Sequence[float], politique: Politique) -> float | None:
    """La médiane des valeurs, ou None si elle révélerait une structure (voir le docstring du module)."""
    n = len(valeurs)
    if n < max(politique.quantiles_min, MINIMUM):
        return None
    plus_frequente = Counter(valeurs).most_common(1)[0][1]
    if plus_frequente >= n - 1:
        return None
    positives = sorted((abs(v) for v in valeurs), reverse=True)
    total = sum(positives)
    if total > 0:
        x1, x2 = positives[0], positives[1]
        if x1 > politique.dominance_k / 100 * total:
            return None
        if total - x1 - x2 < politique.p_pourcent / 100 * x1:
            return None
    return float(statistics.median(valeurs))


def comparer(cible: Profil, profils: Iterable[Profil], politique: Politique | None = None) -> ComparaisonPairs:
    """La comparaison de ``cible`` avec son groupe de pairs, mise en forme en français."""
    pol = politique or Politique()
    membres, criteres = groupe_de_pairs(cible, profils)
    if criteres is None:
        return ComparaisonPairs(False, MESSAGE_TROP_PETIT, "", None)
    elargissement = ""
    if criteres != NIVEAUX[0]:
        abandonnes = [c for c in ("milieu", "taille") if c not in criteres]
        noms = {"milieu": "le milieu (urbain ou rural)", "taille": "la tranche de taille"}
        elargissement = (
            f"Groupe élargi : moins de {MINIMUM} structures partageaient tous vos critères (ou l'un d'eux "
            f"manque dans votre réponse) ; on a abandonné {' puis '.join(noms[c] for c in abandonnes)}."
        )
    lignes = []
    for code, libelle, decimales in INDICATEURS_CLES:
        votre = cible.valeurs.get(code)
        # La médiane du groupe **structure comprise** : la même pour chaque membre du groupe. Une
        # médiane « sans soi » diffère d'un membre à l'autre ; deux structures qui comparent les leurs
        # retrouvent alors la valeur exacte d'autres structures (voie 6 de l'issue du secret).
        repondu = [v for p in [*membres, cible] if (v := p.valeurs.get(code)) is not None]
        med = mediane_protegee(repondu, pol)
        lignes.append(
            LignePairs(
                code,
                libelle,
                "sans réponse" if votre is None else formater_nombre(votre, decimales),
                "s" if med is None else formater_nombre(med, decimales),
            )
        )
    return ComparaisonPairs(True, description_groupe(cible, criteres), elargissement, len(membres), lignes)
